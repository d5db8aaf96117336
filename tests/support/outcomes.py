"""A small cohort for the outcome tests: six people join on a Monday, four are matched
into two introduced pairs across Los Angeles and Tokyo, one pauses and one leaves."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.container import build_services
from bot.services.matching.rounds import PairingService
from bot.services.people.enrolment import EnrolmentService
from bot.services.programs.settings import ProgramService
from models import Pair, Person
from tests.support import FixedClock
from tests.support.programs import engine_settings, member_submission

# A Monday. People join now; their pairs start program week 1 on Monday 1 March 2027, so
# a twelve-week program's final week starts on Monday 17 May, after the US clocks moved
# (14 March) and Japan's did not (it has no daylight saving).
START = datetime(2027, 2, 22, 12, 0, tzinfo=UTC)
FINAL_FRIDAY = datetime(2027, 5, 21, tzinfo=UTC)
LA, TOKYO, LONDON = "America/Los_Angeles", "Asia/Tokyo", "Europe/London"
BEHAVIOURS = ("feedback_to_senior", "running_a_session", "influencing_a_decision")

# name: (role, zone, skills). Skills are listed out of catalogue order on purpose.
PEOPLE = {
    "mentor_la": ("mentor", LA, ["data-analytics", "ai-tools"]),
    "mentee_tokyo": ("mentee", TOKYO, ["ai-tools"]),
    "mentor_tokyo": ("mentor", TOKYO, ["social-media"]),
    "mentee_la": ("mentee", LA, ["social-media"]),
    "paused": ("mentee", LONDON, ["culture-inclusion"]),
    "left": ("mentor", LONDON, ["ways-of-working"]),
}
EXPECTED_AREAS = {
    "mentor_la": ("ai-tools", "data-analytics", *BEHAVIOURS),
    "mentee_tokyo": ("ai-tools",),
    "mentor_tokyo": ("social-media", *BEHAVIOURS),
    "mentee_la": ("social-media",),
}


def build_cohort(own_sessions, fake_slack, new_id, own_url) -> dict[str, Any]:
    """Six people join at START; four are matched into two introduced pairs across Los
    Angeles and Tokyo, one pauses at once and one leaves at once."""
    clock = FixedClock(START)
    team = new_id("T")
    enrolment = EnrolmentService(own_sessions, clock)
    users = {}
    for name, (role, tz, skills) in PEOPLE.items():
        users[name] = user = new_id()
        fake_slack.add_user(user, tz=tz)
        enrolment.save(team, user, member_submission(role, skills))
        enrolment.record_slack_details(team, user, tz=tz)
    enrolment.pause(team, users["paused"])
    enrolment.leave(team, users["left"])
    pairing = PairingService(own_sessions, clock, ProgramService(own_sessions, clock))
    preview = pairing.preview(team, None)
    assert len(preview.pairs) == 2
    pairing.confirm(team, None, preview.round_id)
    with own_sessions.begin() as s:
        for pair in s.scalars(select(Pair).where(Pair.round_id == preview.round_id)):
            pair.channel_id = f"G{new_id()}"  # introduced, as IntroService leaves a pair
            pair.intro_sent_at = START
        ids = {
            p.slack_user_id: p.id
            for p in s.scalars(select(Person).where(Person.slack_user_id.in_(users.values())))
        }
    settings = engine_settings(fake_slack, own_url)
    services = build_services(settings, clock, own_sessions)
    return {
        "team": team,
        "clock": clock,
        "users": users,
        "ids": {name: ids[user] for name, user in users.items()},
        "settings": settings,
        "services": services,
    }
