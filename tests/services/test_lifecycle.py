"""A program's start date and end on the clock: the automatic first round, and the
recognition of the junior mentors."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot import outbox_keys
from bot.container import build_services
from bot.ids import Action
from bot.services.matching.rounds import PairingService
from bot.services.people.enrolment import EnrolmentService
from bot.services.programs.lifecycle import LifecycleService, program_end
from bot.services.programs.settings import ProgramService
from bot.views.messages import profile_blocks
from models import (
    CheckIn,
    MatchRound,
    OutboundMessage,
    Pair,
    PairStatus,
    PairWeek,
    Person,
    PersonStatus,
    RoundStatus,
)
from tests.support import LEAD_ID, FixedClock
from tests.support.programs import (
    EngineProgram,
    enrolled_program,
    in_working_hours,
    matched_program,
    posted,
    run_clock,
    sent,
    set_program,
)

FIRST_DAY = date(2027, 3, 1)
ON_THE_DAY = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
CHANNEL = "CSHOUTOUT1"


def rounds(sessions) -> list[MatchRound]:
    with sessions() as s:
        found = list(s.scalars(select(MatchRound).order_by(MatchRound.id)))
        for round_ in found:
            _ = round_.proposals  # loaded while the session is open
        return found


def pairs_of(sessions) -> list[Pair]:
    with sessions() as s:
        return list(s.scalars(select(Pair).order_by(Pair.id)))


def action_ids(message: dict) -> set[str]:
    return {
        element.get("action_id")
        for block in message.get("blocks", [])
        for element in [*block.get("elements", []), block.get("accessory") or {}]
    }


# --- start -------------------------------------------------------------------------


def test_the_start_date_brings_one_round_for_the_leads_to_review(
    own_sessions, fake_slack, new_id, own_url
):
    program = enrolled_program(own_sessions, fake_slack, new_id, own_url)
    set_program(own_sessions, program.team, start_date=FIRST_DAY, review_matches=True)
    run_clock(program.due, ON_THE_DAY - timedelta(days=2), ON_THE_DAY - timedelta(hours=6), HOUR)
    assert rounds(own_sessions) == []
    program.due.run_due(ON_THE_DAY)
    program.due.run_due(ON_THE_DAY + HOUR)
    [round_] = rounds(own_sessions)
    assert round_.status == RoundStatus.PREVIEW
    assert round_.created_by is None  # the clock made it
    assert round_.created_at == ON_THE_DAY  # run_due's instant, not the wall clock
    assert len(round_.proposals) == 3
    assert pairs_of(own_sessions) == []  # nothing happens before a lead confirms
    [dm] = posted(fake_slack, LEAD_ID, f"round-ready:{round_.id}:{LEAD_ID}")
    assert "starts today" in dm["blocks"][0]["text"]["text"]
    assert Action.MATCH_CONFIRM in action_ids(dm)  # confirm straight from the DM
    # Nobody but the lead heard anything.
    everything = sum(len(m) for m in fake_slack.all_messages().values())
    assert everything == len(fake_slack.messages(LEAD_ID))


def test_without_review_the_start_date_pairs_and_introduces_everyone(
    own_sessions, fake_slack, new_id, own_url
):
    program = enrolled_program(own_sessions, fake_slack, new_id, own_url)
    set_program(own_sessions, program.team, start_date=FIRST_DAY, review_matches=False)
    program.due.run_due(ON_THE_DAY)
    program.due.run_due(ON_THE_DAY + HOUR)
    [round_] = rounds(own_sessions)
    assert round_.status == RoundStatus.CONFIRMED
    pairs = pairs_of(own_sessions)
    assert len(pairs) == 3
    assert {p.created_at for p in pairs} == {ON_THE_DAY}
    for pair in pairs:
        assert pair.intro_sent_at is not None
        assert len(posted(fake_slack, pair.channel_id, f"intro:{pair.id}")) == 1
    leads = [
        m
        for m in fake_slack.messages(LEAD_ID)
        if m.get("metadata", {}).get("event_payload", {}).get("key", "").startswith("round-")
    ]
    assert len(leads) == 1
    assert "starts today" in leads[0]["text"]


def test_two_run_dues_at_once_make_one_round(own_sessions, fake_slack, new_id, own_url):
    program = enrolled_program(own_sessions, fake_slack, new_id, own_url)
    set_program(own_sessions, program.team, start_date=FIRST_DAY, review_matches=True)
    # Three processes' graphs (the tick, a replica, `run-due`) on one database.
    dues = [build_services(program.settings, program.clock, own_sessions).due for _ in range(3)]
    barrier = threading.Barrier(len(dues))
    errors: list[BaseException] = []

    def plan(due) -> None:
        try:
            barrier.wait()
            due.plan(ON_THE_DAY)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=plan, args=(due,)) for due in dues]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(rounds(own_sessions)) == 1
    assert len(sent(own_sessions, ["alert"])) == 0  # planned, not sent: plan() only
    with own_sessions() as s:
        keys = s.scalars(select(OutboundMessage.key).where(OutboundMessage.kind == "alert")).all()
    assert len(keys) == 1


def test_a_program_matched_by_hand_before_its_start_gets_no_second_round(
    own_sessions, fake_slack, new_id, own_url
):
    program = matched_program(own_sessions, fake_slack, new_id, own_url)
    set_program(own_sessions, program.team, start_date=FIRST_DAY, review_matches=False)
    program.due.run_due(ON_THE_DAY)
    assert len(rounds(own_sessions)) == 1
    assert len(pairs_of(own_sessions)) == 3


class FlakyPairing:
    """A PairingService whose first preview fails (a database hiccup)."""

    def __init__(self, real: PairingService) -> None:
        self._real = real
        self.failures = 1

    def preview(self, team_id, lead_id, program_name=None, *, now=None):
        if self.failures:
            self.failures -= 1
            raise RuntimeError("connection reset")
        return self._real.preview(team_id, lead_id, program_name, now=now)

    def confirm(self, team_id, lead_id, round_id, *, now=None):
        return self._real.confirm(team_id, lead_id, round_id, now=now)


def test_a_failed_start_is_tried_again_on_the_next_tick(own_sessions, fake_slack, new_id, own_url):
    program = enrolled_program(own_sessions, fake_slack, new_id, own_url)
    set_program(own_sessions, program.team, start_date=FIRST_DAY, review_matches=True)
    clock = FixedClock(ON_THE_DAY)
    pairing = FlakyPairing(PairingService(own_sessions, clock, ProgramService(own_sessions, clock)))
    lifecycle = LifecycleService(own_sessions, pairing, frozenset({LEAD_ID}))
    assert lifecycle.plan(ON_THE_DAY) == 0
    assert rounds(own_sessions) == []
    assert lifecycle.plan(ON_THE_DAY + HOUR) == 1  # the lead's DM
    assert len(rounds(own_sessions)) == 1
    assert lifecycle.plan(ON_THE_DAY + 2 * HOUR) == 0


# --- end ---------------------------------------------------------------------------


def person_id(sessions, user: str) -> int:
    with sessions() as s:
        return s.scalars(select(Person.id).where(Person.slack_user_id == user)).one()


def history(sessions, program: EngineProgram) -> None:
    """Twelve weeks that happened: the first pair met 5 times and did 2 weeks async; the
    second never logged anything. The first pair's mentee shared one comment with the
    lead and kept another private; the mentor's own comment is not feedback."""
    first = program.pairs[0]
    outcomes = ["met"] * 5 + ["async"] * 2 + ["skipped"] + [None] * 4
    with sessions.begin() as s:
        for pair in program.pairs:
            for week in range(1, 13):
                s.add(
                    PairWeek(
                        pair_id=pair.id,
                        week=week,
                        prompt_id=f"p{week}",
                        slot_at=datetime(2027, 3, 1, 9, tzinfo=UTC) + timedelta(weeks=week - 1),
                        outbox_key=outbox_keys.prompt(pair.id, week),
                        outcome=outcomes[week - 1] if pair is first else None,
                        prompt_changes=0,
                        replaced_prompts=[],
                    )
                )
        mentee, mentor = person_id(sessions, first.mentee), person_id(sessions, first.mentor)
        asked = datetime(2027, 3, 11, 9, tzinfo=UTC)
        for who, number, share, learned in (
            (mentee, 1, True, "How to get a first draft from <!channel> & an AI assistant"),
            (mentee, 2, False, "SECRET: my mentor is often late"),
            (mentee, 3, True, None),
            (mentor, 1, True, "MENTOR-OWN: I learned to run a meeting"),
        ):
            s.add(
                CheckIn(
                    pair_id=first.id,
                    person_id=who,
                    number=number,
                    week=number * 2,
                    asked_at=asked,
                    answered_at=asked + HOUR,
                    met="met",
                    rating=5,
                    learned=learned,
                    blockers="BLOCKER text",
                    share_with_lead=share,
                )
            )


def set_status(sessions, user: str, status: PersonStatus) -> None:
    with sessions.begin() as s:
        s.scalars(select(Person).where(Person.slack_user_id == user)).one().status = status


def test_the_end_thanks_each_junior_mentor_once_and_shouts_them_out(
    own_sessions, fake_slack, new_id, own_url
):
    program = matched_program(own_sessions, fake_slack, new_id, own_url)
    set_program(own_sessions, program.team, shoutout_channel_id=CHANNEL)
    history(own_sessions, program)
    first, quiet, away = program.pairs
    set_status(own_sessions, away.mentor, PersonStatus.PAUSED)
    with own_sessions() as s:
        ends = {p.id: program_end(p.created_at, p.mentor.tz, 12) for p in s.scalars(select(Pair))}
    assert min(ends.values()) == datetime(2027, 5, 23, 14, tzinfo=UTC)  # Sydney's midnight
    # The last week ends; two days for the final check-in to be answered; nothing yet.
    run_clock(program.due, datetime(2027, 5, 22, 12, tzinfo=UTC), min(ends.values()), 2 * HOUR)
    run_clock(program.due, min(ends.values()), datetime(2027, 5, 25, 12, tzinfo=UTC), 2 * HOUR)
    assert sent(own_sessions, ["recognition"]) == []
    assert {p.status for p in pairs_of(own_sessions)} == {PairStatus.ACTIVE}

    window = (datetime(2027, 5, 25, 12, tzinfo=UTC), datetime(2027, 5, 29, 12, tzinfo=UTC))
    run_clock(program.due, *window, 2 * HOUR)
    thanks = {m.key: m for m in sent(own_sessions, ["recognition"], "thanks:")}
    assert sorted(thanks) == sorted([f"thanks:{first.id}", f"thanks:{quiet.id}"])
    for pair in (first, quiet):
        message = thanks[f"thanks:{pair.id}"]
        assert message.user_id == pair.mentor
        assert in_working_hours(message.due_at, pair.mentor_tz)
        assert message.due_at >= ends[pair.id] + timedelta(days=2)
        assert len(posted(fake_slack, pair.mentor, message.key)) == 1
    text = thanks[f"thanks:{first.id}"].text
    assert "*7*" in text  # five meetings and two async weeks
    assert "AI and new tools" in text
    assert "first draft from &lt;!channel&gt; &amp; an AI assistant" in text
    assert "<!channel>" not in text
    for private in ("SECRET", "MENTOR-OWN", "BLOCKER"):
        assert private not in text
    text = thanks[f"thanks:{quiet.id}"].text
    assert "Data analytics" in text
    assert "Sessions" not in text  # nothing logged: no count to feel bad about
    assert "shared along the way" not in text  # and no highlights to show

    shoutouts = list(fake_slack.messages(CHANNEL))
    assert sorted(m["metadata"]["event_payload"]["key"] for m in shoutouts) == sorted(
        [f"shoutout:{first.id}", f"shoutout:{quiet.id}"]
    )
    for message in shoutouts:
        assert "SECRET" not in message["text"]
        assert "first draft" not in message["text"]
        assert first.mentee not in message["text"]
        assert quiet.mentee not in message["text"]
    assert any(f"<@{first.mentor}>" in m["text"] for m in shoutouts)

    pairs = {p.id: p for p in pairs_of(own_sessions)}
    for pair in (first, quiet):
        assert pairs[pair.id].status == PairStatus.ENDED
        assert pairs[pair.id].ended_at is not None
        assert pairs[pair.id].recognized_at is not None
    # Their profile (App Home, /mentor status) says the pairing finished, not "not matched".
    enrolment = EnrolmentService(own_sessions, FixedClock(window[1]))
    for user, partner in ((first.mentor, first.mentee), (first.mentee, first.mentor)):
        profile = enrolment.require_profile(program.team, user)
        assert (profile.pairs, profile.finished_with) == ((), (partner,))
        shown = json.dumps([b.to_dict() for b in profile_blocks(profile)])
        assert f"Your pairing with <@{partner}> has finished" in shown
        assert "Not matched yet" not in shown
    # A paused mentor is thanked when they are back, not while they are away.
    assert pairs[away.id].status == PairStatus.ACTIVE
    assert enrolment.require_profile(program.team, away.mentor).finished_with == ()
    set_status(own_sessions, away.mentor, PersonStatus.ACTIVE)
    run_clock(program.due, window[1], window[1] + timedelta(days=3), 2 * HOUR)
    assert f"thanks:{away.id}" in {m.key for m in sent(own_sessions, ["recognition"])}

    # Nothing twice, however often run_due goes over the same days again.
    run_clock(program.due, *window, 4 * HOUR)
    keys = [m.key for m in sent(own_sessions, ["recognition"])]
    assert len(keys) == len(set(keys)) == 6
    posts = [
        m["metadata"]["event_payload"]["key"]
        for messages in fake_slack.all_messages().values()
        for m in messages
        if m.get("metadata", {})
        .get("event_payload", {})
        .get("key", "")
        .startswith(("thanks:", "shoutout:"))
    ]
    assert sorted(posts) == sorted(keys)
