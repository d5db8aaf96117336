"""'Start a demo program': the demo workspace fills itself through the real flows.

Each person types /mentor join and answers the join modal the app opened; the lead
types /mentor program and saves a program starting today; then the clock ticks, the
program starts and the lead gets the matching preview in their DM, to confirm by hand.
Answers are chosen from the options the modal itself offers, so the demo can only say
what a person could.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.fakeslack import FakeSlack
from bot.sandbox.people import LEAD_ID, PEOPLE, SHOUTOUT_CHANNEL, DemoPerson
from bot.sandbox.slack_side import SlackSide, SlackSideError

log = logging.getLogger(__name__)

DEMO_PROGRAM = "Spring cohort"
DEMO_WEEKS = "6"  # short enough to watch to the end in a few clicks

MODAL_WAIT = 3.0  # seconds: a trigger_id's whole life

Answer = str | Sequence[str] | bool | None


def fill(view: Mapping[str, Any], answers: Mapping[str, Answer]) -> dict[str, Any]:
    """view.state.values for a modal, as Slack builds them from what a person chose.

    answers maps an input block's block_id to option value(s), text, a date, or a bool
    for a single checkbox; blocks without an answer keep their initial value. An answer
    the modal does not offer raises ValueError."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        block_id, kind = block["block_id"], element["type"]
        answer = answers.get(block_id)
        state: dict[str, Any] = {"type": kind}
        options = {o["value"]: o for o in _options(element)}

        def pick(value: str, block_id: str = block_id, options: dict = options) -> Any:
            if value not in options:
                raise ValueError(f"{block_id} offers no option {value!r}")
            return options[value]

        if kind in ("static_select", "radio_buttons"):
            state["selected_option"] = (
                pick(str(answer)) if answer is not None else element.get("initial_option")
            )
        elif kind in ("multi_static_select", "checkboxes"):
            if isinstance(answer, bool):
                chosen = list(options)[:1] if answer else []
            elif answer is None:
                chosen = [o["value"] for o in element.get("initial_options", [])]
            else:
                chosen = [answer] if isinstance(answer, str) else list(answer)
            state["selected_options"] = [pick(value) for value in chosen]
        elif kind in _ONE_VALUE:
            key, initial = _ONE_VALUE[kind]
            state[key] = answer or element.get(initial)
        else:  # the text inputs, number_input included
            text = answer if answer is not None else element.get("initial_value")
            state["value"] = str(text) if text not in (None, "") else None
        values[block_id] = {element["action_id"]: state}
    return values


# Elements whose state is one value: (state key, the element's initial key).
_ONE_VALUE = {
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "channels_select": ("selected_channel", "initial_channel"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "users_select": ("selected_user", "initial_user"),
}


def _options(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = list(element.get("options", []))
    for group in element.get("option_groups", []):
        found.extend(group.get("options", []))
    return found


def join_answers(person: DemoPerson) -> dict[str, Answer]:
    return {
        "role": person.role,
        "teach": list(person.teach),
        "learn": list(person.learn),
        "department": person.department,
        "seniority": person.seniority,
        "weekday": "any",
        "window": "any",
        "goals": person.goals or None,
    }


def program_answers(today: str) -> dict[str, Answer]:
    return {
        "program_name": DEMO_PROGRAM,
        "program_start": today,
        "program_length": DEMO_WEEKS,
        "program_prompts": "1",
        "program_sessions": "1",
        "program_checkins": "2",
        "program_capacity": "1",
        "program_emphasis": "balanced",
        "program_review": True,
        "program_shoutout": SHOUTOUT_CHANNEL[0],
    }


class Demo:
    def __init__(
        self,
        fake: FakeSlack,
        side: SlackSide,
        now: Callable[[], datetime],
        tick: Callable[[], object],
    ) -> None:
        self._fake = fake
        self._side = side
        self._now = now
        self._tick = tick

    def run(self) -> list[str]:
        """Joins everyone with a role, sets up the program, lets it start; returns what it
        did, one line each, for the page."""
        done = []
        for person in PEOPLE:
            if person.role is not None:
                self._answer_modal(person.user_id, "join", join_answers(person))
                done.append(f"{person.name} joined as a {_role_word(person.role)}")
        lead_tz = ZoneInfo(next(p.tz for p in PEOPLE if p.is_lead))
        today = self._now().astimezone(lead_tz).date().isoformat()
        self._answer_modal(LEAD_ID, "program", program_answers(today))
        done.append(f"the lead saved “{DEMO_PROGRAM}”, starting today")
        self._tick()  # the program's start date has come: the round and the lead's preview
        done.append("the program started: the lead has a matching preview to confirm")
        return done

    def _answer_modal(self, user: str, command: str, answers: Mapping[str, Answer]) -> None:
        dm = self._fake.dm_of(user)
        self._side.command(user, dm, command)
        # The app acks first and opens the modal straight after, as Slack asks.
        view = _eventually(lambda: self._fake.modal_of(user))
        if view is None:
            raise SlackSideError(f"/mentor {command} opened no modal for {user}")
        errors = self._side.submit(user, view["id"], fill(view, answers))
        if errors:
            raise SlackSideError(f"/mentor {command} for {user} was refused: {errors}")
        still_open = self._fake.modal_of(user)
        if still_open is not None:  # a "Saved" view: Done
            self._side.close(user, still_open["id"])


def _eventually(look: Callable[[], Any], timeout: float = MODAL_WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while (found := look()) is None and time.monotonic() < deadline:
        time.sleep(0.02)
    return found


def _role_word(role: str) -> str:
    return "junior who teaches" if role == "mentor" else "senior who learns"
