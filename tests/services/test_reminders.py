"""Gentle reminders over simulated weeks: run_due moved along a clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.services.weekly.engagement import EngagementService
from bot.services.weekly.timing import WorkingHours, add_working_days
from models import OutboundMessage, OutboxStatus, Pair, PairWeek, Person, PersonStatus
from tests.support import FixedClock
from tests.support.programs import (
    EngineProgram,
    PairInfo,
    in_working_hours,
    matched_program,
    posted,
    run_clock,
    sent,
)

SATURDAY = datetime(2027, 2, 27, 12, 0, tzinfo=UTC)  # before week 1 (from Monday 1 March)
TUESDAY_1 = datetime(2027, 3, 2, 12, 0, tzinfo=UTC)  # week 1, every prompt has landed
SATURDAY_1 = datetime(2027, 3, 6, 12, 0, tzinfo=UTC)
TUESDAY_2 = datetime(2027, 3, 9, 12, 0, tzinfo=UTC)
TUESDAY_3 = datetime(2027, 3, 16, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def program(own_sessions, fake_slack, new_id, own_url) -> EngineProgram:
    return matched_program(own_sessions, fake_slack, new_id, own_url)


def week_id(sessions, pair_id: int, week: int) -> int:
    with sessions() as s:
        return s.scalars(
            select(PairWeek.id).where(PairWeek.pair_id == pair_id, PairWeek.week == week)
        ).one()


def nudges(sessions) -> list[OutboundMessage]:
    return sent(sessions, ["reminder"], "nudge:")


def act(sessions, at: datetime) -> EngagementService:
    return EngagementService(sessions, FixedClock(at))


def test_a_quiet_week_gets_one_nudge_after_three_working_days_in_working_hours(
    program, own_sessions, fake_slack
):
    run_clock(program.due, SATURDAY, SATURDAY_1, HOUR)  # to the hour in week 1
    run_clock(program.due, SATURDAY_1, SATURDAY_1 + timedelta(weeks=1), 3 * HOUR)
    found = nudges(own_sessions)
    # One per pair per week, for each of the two quiet weeks: never more.
    assert sorted(m.key for m in found) == sorted(
        f"nudge:{p.id}:{week}" for p in program.pairs for week in (1, 2)
    )
    prompts = {m.key: m for m in sent(own_sessions, ["prompt"])}
    pairs = {p.id: p for p in program.pairs}
    for nudge in found:
        pair = pairs[nudge.pair_id]
        week = nudge.key.rsplit(":", 1)[1]
        prompt = prompts[f"prompt:{pair.id}:{week}"]
        # Three working days of the mentor after the prompt landed, not before...
        assert nudge.due_at >= add_working_days(prompt.sent_at, 3, WorkingHours(pair.mentor_tz))
        assert nudge.due_at - prompt.sent_at < timedelta(days=6)
        # ...inside the mentor's hours, and both people's when their hours meet.
        assert in_working_hours(nudge.due_at, pair.mentor_tz), nudge.key
        if pair.mentor_tz == "Europe/London":
            assert in_working_hours(nudge.due_at, pair.mentee_tz), nudge.key
        # In the pair's group DM, once, warm and short.
        [message] = posted(fake_slack, nudge.posted_channel_id, nudge.key)
        assert nudge.posted_channel_id == prompt.posted_channel_id
        assert "No rush" in message["text"]
    # The London pair's first prompt landed on Monday 09:00: the nudge comes on Thursday.
    london = pairs[program.pair_ids[0]]
    assert london.mentor_tz == "Europe/London"
    first = next(m for m in found if m.key == f"nudge:{london.id}:1")
    assert first.due_at == datetime(2027, 3, 4, 9, 0, tzinfo=UTC)
    with own_sessions() as s:
        marked = s.scalars(select(PairWeek).where(PairWeek.nudged_at.is_not(None))).all()
    assert len(marked) == 6


def test_a_click_or_a_thread_reply_before_then_means_no_nudge(program, own_sessions):
    clicked, replied, quiet = program.pairs
    run_clock(program.due, SATURDAY, TUESDAY_1, 3 * HOUR)
    act(own_sessions, TUESDAY_1).record(
        program.team, clicked.mentee, week_id(own_sessions, clicked.id, 1), "met"
    )
    with own_sessions() as s:
        prompt = s.scalars(
            select(OutboundMessage).where(OutboundMessage.key == f"prompt:{replied.id}:1")
        ).one()
    assert act(own_sessions, TUESDAY_1).thread_reply(
        program.team, prompt.posted_channel_id, prompt.ts, replied.mentor
    )
    run_clock(program.due, TUESDAY_1, SATURDAY_1, 3 * HOUR)
    assert [m.key for m in nudges(own_sessions)] == [f"nudge:{quiet.id}:1"]


def test_no_nudge_while_snoozed_or_paused(program, own_sessions):
    snoozed, paused, quiet = program.pairs
    run_clock(program.due, SATURDAY, TUESDAY_1, 3 * HOUR)
    act(own_sessions, TUESDAY_1).snooze(
        program.team, snoozed.mentor, week_id(own_sessions, snoozed.id, 1)
    )
    with own_sessions.begin() as s:
        person = s.scalars(select(Person).where(Person.slack_user_id == paused.mentee)).one()
        person.status = PersonStatus.PAUSED
    run_clock(program.due, TUESDAY_1, SATURDAY_1, 3 * HOUR)
    assert [m.key for m in nudges(own_sessions)] == [f"nudge:{quiet.id}:1"]
    # The snoozed prompt did come back, and still no nudge about it.
    assert sent(own_sessions, ["prompt"], f"prompt:{snoozed.id}:1:snooze")


def skip(
    sessions, program: EngineProgram, pair: PairInfo, user: str, week: int, at: datetime
) -> None:
    act(sessions, at).record(program.team, user, week_id(sessions, pair.id, week), "skipped")


def snooze(
    sessions, program: EngineProgram, pair: PairInfo, user: str, week: int, at: datetime
) -> None:
    act(sessions, at).snooze(program.team, user, week_id(sessions, pair.id, week))


def at_risk(sessions, pair_id: int) -> str | None:
    with sessions() as s:
        return s.get_one(Pair, pair_id).at_risk_reason


def test_a_senior_skipping_twice_gets_a_private_word_and_the_pair_is_flagged(
    program, own_sessions, fake_slack
):
    senior, junior_skips, once = program.pairs
    run_clock(program.due, SATURDAY, TUESDAY_1, 3 * HOUR)
    skip(own_sessions, program, senior, senior.mentee, 1, TUESDAY_1)
    skip(own_sessions, program, junior_skips, junior_skips.mentor, 1, TUESDAY_1)
    skip(own_sessions, program, once, once.mentee, 1, TUESDAY_1)
    run_clock(program.due, TUESDAY_1, TUESDAY_2, 3 * HOUR)
    # Week 2: the senior snoozes (it counts), the junior skips again, the other meets.
    snooze(own_sessions, program, senior, senior.mentee, 2, TUESDAY_2)
    skip(own_sessions, program, junior_skips, junior_skips.mentor, 2, TUESDAY_2)
    act(own_sessions, TUESDAY_2).record(
        program.team, once.mentee, week_id(own_sessions, once.id, 2), "met"
    )
    run_clock(program.due, TUESDAY_2, TUESDAY_2 + timedelta(days=1), 3 * HOUR)
    assert not sent(own_sessions, ["reminder"], "senior-nudge:")  # never while snoozed
    run_clock(program.due, TUESDAY_2 + timedelta(days=1), SATURDAY_1 + timedelta(weeks=1), 3 * HOUR)
    [word] = sent(own_sessions, ["reminder"], "senior-nudge:")
    assert word.key == f"senior-nudge:{senior.id}:2"
    assert word.user_id == senior.mentee
    assert word.channel_id is None
    assert in_working_hours(word.due_at, senior.mentee_tz)
    [message] = posted(fake_slack, senior.mentee, word.key)
    assert "/mentor pause" in message["text"]
    assert not posted(fake_slack, senior.mentor, word.key)
    assert at_risk(own_sessions, senior.id) == "senior_skipping"
    # The junior skipping is not the senior skipping; one skip is not a pattern.
    assert at_risk(own_sessions, junior_skips.id) is None
    assert at_risk(own_sessions, once.id) is None
    # A third skip in a row does not repeat the word.
    run_clock(program.due, SATURDAY_1 + timedelta(weeks=1), TUESDAY_3, 3 * HOUR)
    skip(own_sessions, program, senior, senior.mentee, 3, TUESDAY_3)
    run_clock(program.due, TUESDAY_3, SATURDAY_1 + timedelta(weeks=2), 3 * HOUR)
    assert len(sent(own_sessions, ["reminder"], "senior-nudge:")) == 1
    with own_sessions() as s:
        statuses = set(
            s.scalars(
                select(OutboundMessage.status).where(OutboundMessage.kind == "reminder")
            ).all()
        )
    assert statuses == {OutboxStatus.SENT}
