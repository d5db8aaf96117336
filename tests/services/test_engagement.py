"""The weekly prompt's buttons and thread replies, as services and end to end."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import outbox_keys
from bot.errors import UserFacingError
from bot.services.matching.rounds import PairingService
from bot.services.outbox.delivery import Outgoing, enqueue
from bot.services.people.enrolment import EnrolmentService
from bot.services.programs.settings import ProgramService
from bot.services.weekly.engagement import EngagementService
from bot.services.weekly.prompts import load_library
from bot.vocabulary import AtRiskReason, OutboxKind
from models import OutboundMessage, OutboxStatus, Pair, PairWeek
from tests.support.programs import member_submission
from tests.support.slack_requests import SlackSender


def pair_with_week(sessions, clock, new_id, team: str) -> tuple[str, str, int, int]:
    """A confirmed pair with a group DM and its week-1 prompt row: (mentor, mentee,
    pair id, pair_week id)."""
    enrolment = EnrolmentService(sessions, clock)
    mentor, mentee = new_id(), new_id()
    for user, role in ((mentor, "mentor"), (mentee, "mentee")):
        enrolment.save(
            team,
            user,
            member_submission(role, ["ai-tools"]),
        )
    programs = ProgramService(sessions, clock)
    pairing = PairingService(sessions, clock, programs, new_seed=lambda: 1)
    preview = pairing.preview(team, None)
    pairing.confirm(team, None, preview.round_id)
    prompt = load_library().prompts[0]
    with sessions.begin() as s:
        pair = s.scalars(select(Pair).where(Pair.round_id == preview.round_id)).one()
        assert {pair.mentor.slack_user_id, pair.mentee.slack_user_id} == {mentor, mentee}
        pair.channel_id = f"G{new_id()}"
        pair.intro_sent_at = clock.now()
        week = PairWeek(
            pair_id=pair.id,
            week=1,
            prompt_id=prompt.id,
            slot_at=clock.now(),
            outbox_key=outbox_keys.prompt(pair.id, 1),
            prompt_changes=0,
            replaced_prompts=[],
        )
        s.add(week)
        s.flush()
        enqueue(
            s,
            pair.mentor.workspace_id,
            Outgoing(
                key=outbox_keys.prompt(pair.id, 1),
                kind=OutboxKind.PROMPT,
                text="prompt",
                due_at=clock.now(),
                channel_id=pair.channel_id,
                pair_id=pair.id,
            ),
            clock.now(),
        )
        return mentor, mentee, pair.id, week.id


@pytest.fixture
def engagement(sessions, clock) -> EngagementService:
    return EngagementService(sessions, clock)


def pair_week(sessions, week_id: int) -> PairWeek:
    with sessions() as s:
        return s.get_one(PairWeek, week_id)


def test_we_met_is_recorded_and_the_latest_click_wins(engagement, sessions, clock, new_id):
    team = new_id("T")
    mentor, mentee, _, week_id = pair_with_week(sessions, clock, new_id, team)
    engagement.record(team, mentor, week_id, "async")
    logged = engagement.record(team, mentee, week_id, "met")
    assert "you met" in logged.message
    week = pair_week(sessions, week_id)
    assert (week.outcome, week.engaged_by) == ("met", mentee)


def test_a_partners_skip_or_snooze_never_undoes_a_logged_session(
    engagement, sessions, clock, new_id
):
    team = new_id("T")
    mentor, mentee, pair_id, week_id = pair_with_week(sessions, clock, new_id, team)
    engagement.record(team, mentee, week_id, "met")
    skipped = engagement.record(team, mentor, week_id, "skipped")
    assert skipped.outcome == "met"
    assert skipped.message.startswith(f"<@{mentee}> already logged this week: you met")
    snoozed = engagement.snooze(team, mentor, week_id)
    assert snoozed.outcome == "met"
    week = pair_week(sessions, week_id)
    assert (week.outcome, week.engaged_by, week.snoozed_until) == ("met", mentee, None)
    with sessions() as s:
        reposts = s.scalars(
            select(OutboundMessage.key).where(OutboundMessage.key.like(f"prompt:{pair_id}:1:%"))
        ).all()
    assert reposts == []  # the refused snooze planned no second prompt
    # Their own click stays theirs to change: a mis-click on "We met" can become a skip.
    engagement.record(team, mentee, week_id, "skipped")
    assert pair_week(sessions, week_id).outcome == "skipped"


def test_a_session_clears_the_senior_skipping_flag_but_a_skip_does_not(
    engagement, sessions, clock, new_id
):
    team = new_id("T")
    mentor, mentee, pair_id, week_id = pair_with_week(sessions, clock, new_id, team)
    with sessions.begin() as s:
        pair = s.get_one(Pair, pair_id)
        pair.at_risk_reason, pair.at_risk_since = AtRiskReason.SENIOR_SKIPPING, clock.now()
    engagement.record(team, mentee, week_id, "skipped")
    with sessions() as s:
        assert s.get_one(Pair, pair_id).at_risk_reason == "senior_skipping"
    engagement.record(team, mentor, week_id, "met")
    with sessions() as s:
        pair = s.get_one(Pair, pair_id)
        assert (pair.at_risk_reason, pair.at_risk_since) == (None, None)


def test_only_the_pair_can_use_its_buttons(engagement, sessions, clock, new_id):
    team = new_id("T")
    _, _, _, week_id = pair_with_week(sessions, clock, new_id, team)
    with pytest.raises(UserFacingError):
        engagement.record(team, new_id(), week_id, "met")
    with pytest.raises(UserFacingError):
        engagement.record(new_id("T"), new_id(), week_id, "met")


def test_snooze_brings_the_prompt_back_in_two_working_days(engagement, sessions, clock, new_id):
    team = new_id("T")
    mentor, _, pair_id, week_id = pair_with_week(sessions, clock, new_id, team)
    engagement.snooze(team, mentor, week_id)
    week = pair_week(sessions, week_id)
    assert week.outcome == "snoozed"
    assert week.snoozed_until >= clock.now() + timedelta(days=2)
    with sessions() as s:
        again = s.scalars(
            select(OutboundMessage).where(OutboundMessage.key == f"prompt:{pair_id}:1:snooze1")
        ).one()
    assert again.due_at == week.snoozed_until
    assert again.status == OutboxStatus.PENDING


def test_a_different_prompt_is_never_one_the_pair_had(engagement, sessions, clock, new_id):
    team = new_id("T")
    mentor, _, pair_id, week_id = pair_with_week(sessions, clock, new_id, team)
    seen = {pair_week(sessions, week_id).prompt_id}
    for n in range(1, 4):
        engagement.different(team, mentor, week_id)
        week = pair_week(sessions, week_id)
        assert week.prompt_id not in seen
        seen.add(week.prompt_id)
        assert set(week.replaced_prompts) == seen - {week.prompt_id}
        with sessions() as s:
            assert s.scalars(
                select(OutboundMessage).where(OutboundMessage.key == f"prompt:{pair_id}:1:alt{n}")
            ).one()


def test_a_thread_reply_counts_as_an_async_session(engagement, sessions, clock, new_id):
    team = new_id("T")
    mentor, _, pair_id, week_id = pair_with_week(sessions, clock, new_id, team)
    with sessions.begin() as s:
        row = s.scalars(
            select(OutboundMessage).where(OutboundMessage.key == f"prompt:{pair_id}:1")
        ).one()
        row.status, row.ts, row.posted_channel_id = OutboxStatus.SENT, "1700.0001", row.channel_id
        channel = row.channel_id
    assert not engagement.thread_reply(team, channel, "1700.0001", new_id())  # not in the pair
    assert not engagement.thread_reply(new_id("T"), channel, "1700.0001", mentor)  # other team
    assert engagement.thread_reply(team, channel, "1700.0001", mentor)
    assert not engagement.thread_reply(team, channel, "9999.0001", mentor)  # not a prompt
    week = pair_week(sessions, week_id)
    assert (week.outcome, week.engaged_by) == ("async", mentor)


def test_buttons_and_thread_replies_end_to_end(fake_slack, sessions, clock, new_id, running_app):
    # A team of its own: matching takes everyone active in a team's program.
    team = new_id("T")
    slack = SlackSender(running_app.base_url, fake_slack, team)
    mentor, mentee, pair_id, week_id = pair_with_week(sessions, clock, new_id, team)
    for user in (mentor, mentee):
        fake_slack.add_user(user)
    slack.block_action(mentee, "upward_prompt_met", str(week_id))
    (reply,) = fake_slack.wait_for("response_url")
    assert "you met" in reply.args["text"]
    assert pair_week(sessions, week_id).outcome == "met"

    # Acked at once (Bolt would drop an ack followed by an error: see handlers/replies.py).
    outsider = slack.block_action(new_id(), "upward_prompt_skip", str(week_id))
    assert outsider.status_code == 200
    refusal = fake_slack.wait_for("response_url", count=2)[-1]
    assert "Only the two people" in refusal.args["text"]
    assert "didn't call ack()" not in running_app.log()
    assert pair_week(sessions, week_id).outcome == "met"

    with sessions.begin() as s:
        row = s.scalars(
            select(OutboundMessage).where(OutboundMessage.key == f"prompt:{pair_id}:1")
        ).one()
        row.status, row.ts, row.posted_channel_id = OutboxStatus.SENT, "1700.0002", row.channel_id
        week = s.get_one(PairWeek, week_id)
        week.outcome = None
        channel = row.channel_id
    slack.event(
        {
            "type": "message",
            "channel": channel,
            "channel_type": "mpim",
            "user": mentor,
            "text": "Tried it: the assistant wrote a decent first draft!",
            "ts": "1700.0003",
            "thread_ts": "1700.0002",
            "event_ts": "1700.0003",
        },
        event_id=f"Ev{new_id()}",
    )
    deadline = time.monotonic() + 5
    while pair_week(sessions, week_id).outcome is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pair_week(sessions, week_id).outcome == "async"
