"""Property-based: hostile values in every way in, against the running app.

Slash-command text, every action_id and callback_id in bot/ids.py, and modal state of
the wrong shape, each with generated hostile values. Whatever arrives: no 5xx, no
traceback or ERROR in the log, no live <!channel>, <!here>, <!everyone> or <@…> taken
from user text in anything Upward sends, and a refused request changes no row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.ids import (
    Action,
    Callback,
    CheckInField,
    GoalField,
    JoinField,
    ProgramField,
    assessment_block_id,
)
from models import OutboundMessage
from models.base import Base
from tests.support import LEAD_ID

EVIL = "UEVIL00001"  # a user id that appears only in generated text
MENTIONS = ["<!channel>", "<!here>", "<!everyone>", f"<@{EVIL}>", "<!subteam^S1|x>"]
LIVE = re.compile(r"<!(channel|here|everyone|subteam)|<@" + EVIL)
HOSTILE_BITS = [
    *MENTIONS,
    "&lt;!channel&gt;",
    "<https://evil.example|click>",
    "*bold* _it_ `code`",
    "\x00",
    "\ud800",
    "\u202e",
    "\x07\x1b[31m",
    "🙂",
    "0",
    "-1",
    "2147483648",
    "99999999999999999999",
    "1:2:3",
    "١٢",
    "1e3",
    " 7 ",
    "'; DROP TABLE person; --",
    "%s%n",
    "x" * 3001,
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_BITS),
    st.lists(st.sampled_from(HOSTILE_BITS) | st.text(max_size=8), min_size=1, max_size=4).map(
        "".join
    ),
    st.text(max_size=40),
)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text
shapeless = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=8,
)
BLOCK_IDS = [
    *(f.value for f in (*JoinField, *ProgramField, *CheckInField)),
    *(f"{k.value}_{n}" for k in GoalField for n in (1, 2, 3)),
    *(assessment_block_id(area) for area in ("ai-tools", "running_a_session", "x" * 300)),
]
ELEMENT_KEYS = ["value", "selected_option", "selected_options", "selected_date", "type"]
element = st.dictionaries(st.sampled_from(ELEMENT_KEYS), shapeless, max_size=3) | st.dictionaries(
    st.sampled_from(ELEMENT_KEYS),
    st.fixed_dictionaries({"value": hostile_text})
    | st.lists(st.fixed_dictionaries({"value": hostile_text}), max_size=3)
    | hostile_text,
    max_size=3,
)
state_values = st.dictionaries(
    st.sampled_from(BLOCK_IDS),
    st.dictionaries(st.sampled_from([Action.FIELD.value, "other"]), element, max_size=2)
    | shapeless,
    max_size=6,
)

PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- what the app did ------------------------------------------------------------------


# The outbox's delivery state is the sender's progress on earlier messages, which goes
# on in the background whatever a request does; what a request may change is the rest.
# So are the facts a sent batch records, and the replicas' own bookkeeping (the post
# pace, Slack's pauses, the heartbeat).
OPERATIONAL_TABLES = {"post_pace", "slack_pause", "heartbeat"}
DELIVERY_FACTS = {"pair_week": {"delivered_at"}, "pair": {"thanks_sent_at", "shoutout_sent_at"}}
SENDER_COLUMNS = {
    "status",
    "claim_token",
    "claimed_at",
    "attempts",
    "uncertain",
    "sent_at",
    "ts",
    "posted_channel_id",
    "last_error",
    "next_attempt_at",
}


def fingerprint(engine) -> dict[str, frozenset[str]]:
    """Every row, per table: equal before and after means nothing changed."""
    found = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in OPERATIONAL_TABLES:
                continue
            skipped = DELIVERY_FACTS.get(table.name, set())
            if table.name == OutboundMessage.__tablename__:
                skipped = SENDER_COLUMNS
            columns = [c for c in table.columns if c.name not in skipped]
            found[table.name] = frozenset(repr(tuple(r)) for r in conn.execute(select(*columns)))
    return found


def quiet_fingerprint(fake_slack, engine) -> dict[str, frozenset[str]]:
    """The fingerprint once the last example's after-ack work (a welcome, App Home, a time
    zone) has landed: Slack quiet and the rows still for a moment."""
    rows = None
    for _ in range(100):
        fake_slack.settle()
        if rows == (rows := fingerprint(engine)):
            return rows
    raise AssertionError("the database never stopped changing")


def mrkdwn_texts(value: Any, top: bool = True) -> Iterator[str]:
    """Every text Slack would render as mrkdwn: message text, and mrkdwn text objects.
    plain_text (titles, inputs' initial values) never pings anyone, so it may hold <!here>."""
    if isinstance(value, dict):
        if top and isinstance(value.get("text"), str):
            yield value["text"]
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            yield value["text"]
        for item in value.values():
            yield from mrkdwn_texts(item, top=False)
    elif isinstance(value, list):
        for item in value:
            yield from mrkdwn_texts(item, top=False)


class Watch:
    """Everything the app says for one request: its answer, and Slack calls after it."""

    def __init__(self, running_app, fake_slack, engine) -> None:
        self.app, self.fake, self.engine = running_app, fake_slack, engine
        self.rows = quiet_fingerprint(fake_slack, engine)
        self.log_at = len(running_app.log())
        self.calls_at = len(fake_slack.calls)

    def check(self, response: requests.Response, refused: bool | None = None) -> None:
        assert response.status_code < 500, response.text
        self.fake.settle()
        written = self.app.log()[self.log_at :]
        assert "Traceback" not in written, written
        assert " ERROR " not in written, written
        said: list[Any] = [c.args for c in self.fake.calls[self.calls_at :]]
        if response.headers.get("content-type", "").startswith("application/json"):
            said.append(response.json())
        elif response.text:
            said.append({"text": response.text})
        for item in said:
            for text in mrkdwn_texts(item):
                assert not LIVE.search(text), text
        if refused is None:
            refused = refused_answer(response)
        if refused:
            after = fingerprint(self.engine)
            changed = {
                name: sorted(after[name] ^ self.rows[name])[:4]
                for name in after
                if after[name] != self.rows[name]
            }
            assert not changed, f"a refused request changed {changed}: {response.text[:200]}"


def refused_answer(response: requests.Response) -> bool:
    """A modal answer that is not a plain close: field errors, or the modal replaced
    with a message."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return False
    return json.loads(response.text or "{}").get("response_action") in ("errors", "update")


@pytest.fixture
def watch(running_app, fake_slack, engine):
    return lambda: Watch(running_app, fake_slack, engine)


# --- properties ------------------------------------------------------------------------


@PROPERTY
@given(text=hostile_text)
def test_any_command_text_from_a_newcomer(slack, fake_slack, watch, new_id, text):
    user = new_id()
    fake_slack.add_user(user)
    seen = watch()
    # A newcomer's /mentor changes nothing: join only opens the modal, the rest refuse.
    seen.check(slack.command(user, text), refused=True)


@PROPERTY
@given(text=hostile_text)
def test_any_command_text_from_a_lead(slack, watch, text):
    seen = watch()
    seen.check(slack.command(LEAD_ID, text), refused=False)


@PROPERTY
@given(action_id=st.sampled_from(list(Action)), value=hostile_text | st.none())
def test_any_button_with_any_value_from_a_stranger(
    slack, fake_slack, watch, new_id, action_id, value
):
    user = new_id()
    fake_slack.add_user(user)
    seen = watch()
    response = slack.block_action(user, action_id.value, value if value is not None else "")
    seen.check(response, refused=True)


@PROPERTY
@given(
    action_id=st.sampled_from(list(Action)),
    value=hostile_text.filter(lambda v: not re.fullmatch(r"[0-9:]+", v.strip())),
)
def test_any_forged_button_value_from_a_lead(slack, watch, action_id, value):
    # Values that are not our ids: a real id from another test's round is a real click.
    seen = watch()
    seen.check(slack.block_action(LEAD_ID, action_id.value, value), refused=False)


@PROPERTY
@given(
    callback=st.sampled_from(list(Callback)),
    values=state_values,
    metadata=hostile_text,
)
def test_any_modal_state_from_a_stranger(
    slack, fake_slack, watch, new_id, callback, values, metadata
):
    user = new_id()
    fake_slack.add_user(user)
    seen = watch()
    response = slack.view_submission(user, callback.value, values, private_metadata=metadata)
    seen.check(response)


@PROPERTY
@given(department=hostile_text, goals=hostile_text)
def test_a_join_with_hostile_text_is_saved_escaped_or_asked_again(
    slack, fake_slack, watch, new_id, department, goals
):
    from tests.support.slack_requests import join_values

    user = new_id()
    fake_slack.add_user(user)
    seen = watch()
    response = slack.view_submission(
        user, Callback.JOIN_MODAL.value, join_values(department=department, goals=goals)
    )
    seen.check(response)
    if not response.text:  # accepted: status echoes both back, escaped
        seen.check(slack.command(user, "status"), refused=False)
