"""A program for engine tests: people enrolled across time zones, optionally matched and
introduced, and run_due built exactly as the scheduler builds it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.container import Services, build_services
from bot.sandbox.fakeslack import FakeSlack
from bot.services.matching.rounds import PairingService
from bot.services.people.enrolment import EnrolmentService
from bot.services.programs.settings import ProgramService
from bot.services.weekly.due import DueService
from bot.shapes.enrolment import JoinSubmission
from models import OutboundMessage, OutboxStatus, Pair, Program, Workspace
from tests.support import BOT_TOKEN, LEAD_ID, FixedClock

# A Monday. Pairs made now start their first prompt week a week later (1 March 2027).
START = datetime(2027, 2, 22, 12, 0, tzinfo=UTC)
# (mentor zone, mentee zone, skill): hours that overlap (London/Berlin), that never do
# (New York/Kolkata), and a mentor a day ahead of everyone (Sydney).
PEOPLE = (
    ("Europe/London", "Europe/Berlin", "ai-tools"),
    ("America/New_York", "Asia/Kolkata", "data-analytics"),
    ("Australia/Sydney", "Europe/London", "social-media"),
)


@dataclass
class PairInfo:
    id: int
    mentor: str  # Slack user ids
    mentee: str
    mentor_tz: str
    mentee_tz: str
    skill: str


@dataclass
class EngineProgram:
    team: str
    services: Services
    settings: Settings
    clock: FixedClock
    people: list[tuple[str, str, str, str, str]]  # mentor, mentee, their zones, skill
    pairs: list[PairInfo] = field(default_factory=list)

    @property
    def due(self) -> DueService:
        return self.services.due

    @property
    def pair_ids(self) -> list[int]:
        return [p.id for p in self.pairs]


def member_submission(
    role: str, skills: list[str], department: str | None = None
) -> JoinSubmission:
    """A join modal answer for a junior mentor (teaches) or a senior mentee (learns)."""
    return JoinSubmission(
        role=role,
        teach=skills if role == "mentor" else [],
        learn=skills if role == "mentee" else [],
        department=department,
        seniority="1" if role == "mentor" else "4",
        weekday="any",
        window="any",
        goals=None,
    )


def engine_settings(fake_slack: FakeSlack, database_url: str) -> Settings:
    return Settings(
        bot_token=BOT_TOKEN,
        signing_secret=None,
        app_token=None,
        api_url=fake_slack.url,
        database_url=database_url,
        port=0,
        leads=frozenset({LEAD_ID}),
        post_rate=100,
        # Programs here run months of virtual time and read the outbox to see what was
        # sent, so nothing is pruned (tests/services/test_retention.py prunes).
        retention_days=3650,
    )


def enrolled_program(
    sessions: sessionmaker[Session],
    fake_slack: FakeSlack,
    new_id: Callable[..., str],
    database_url: str,
    now: datetime = START,
) -> EngineProgram:
    """Everyone of PEOPLE joined the workspace's default program; nobody is matched."""
    clock = FixedClock(now)
    team = new_id("T")
    enrolment = EnrolmentService(sessions, clock)
    people = []
    for mentor_tz, mentee_tz, skill in PEOPLE:
        mentor, mentee = new_id(), new_id()
        for user, tz, role in ((mentor, mentor_tz, "mentor"), (mentee, mentee_tz, "mentee")):
            fake_slack.add_user(user, tz=tz)
            enrolment.save(
                team,
                user,
                member_submission(role, [skill], "Sales" if role == "mentor" else "Finance"),
            )
            enrolment.record_slack_details(team, user, tz=tz)
        people.append((mentor, mentee, mentor_tz, mentee_tz, skill))
    settings = engine_settings(fake_slack, database_url)
    services = build_services(settings, clock, sessions)
    return EngineProgram(team, services, settings, clock, people)


def matched_program(
    sessions: sessionmaker[Session],
    fake_slack: FakeSlack,
    new_id: Callable[..., str],
    database_url: str,
) -> EngineProgram:
    """Three pairs, matched and introduced at START, as a lead's `/mentor match` does."""
    program = enrolled_program(sessions, fake_slack, new_id, database_url)
    clock = program.clock
    pairing = PairingService(sessions, clock, ProgramService(sessions, clock), new_seed=lambda: 7)
    preview = pairing.preview(program.team, None)
    assert len(preview.pairs) == len(PEOPLE)
    pairing.confirm(program.team, None, preview.round_id)
    program.services.intros.introduce_round(preview.round_id)
    by_mentor = {p[0]: p for p in program.people}
    with sessions() as s:
        for pair in s.scalars(
            select(Pair).where(Pair.round_id == preview.round_id).order_by(Pair.id)
        ):
            mentor, mentee, mentor_tz, mentee_tz, skill = by_mentor[pair.mentor.slack_user_id]
            assert pair.mentee.slack_user_id == mentee
            program.pairs.append(PairInfo(pair.id, mentor, mentee, mentor_tz, mentee_tz, skill))
    return program


def set_program(sessions: sessionmaker[Session], team: str, **values: object) -> None:
    """Change the default program's settings (start date, review, shout-out channel)."""
    ProgramService(sessions, FixedClock(START)).find(team, None)  # makes it if need be
    with sessions.begin() as s:
        program = s.scalars(
            select(Program)
            .join(Workspace, Program.workspace_id == Workspace.id)
            .where(Program.is_default, Workspace.slack_team_id == team)
        ).one()
        for name, value in values.items():
            setattr(program, name, value)


def run_clock(due: DueService, start: datetime, end: datetime, step: timedelta) -> None:
    """run_due at every step from start (inclusive) to end (exclusive)."""
    now = start
    while now < end:
        due.run_due(now)
        now += step


def sent(
    sessions: sessionmaker[Session], kinds: Iterable[str], key_prefix: str = ""
) -> list[OutboundMessage]:
    with sessions() as s:
        return list(
            s.scalars(
                select(OutboundMessage)
                .where(
                    OutboundMessage.kind.in_(list(kinds)),
                    OutboundMessage.status == OutboxStatus.SENT,
                    OutboundMessage.key.startswith(key_prefix),
                )
                .order_by(OutboundMessage.id)
            )
        )


def in_working_hours(instant: datetime, tz: str) -> bool:
    local = instant.astimezone(ZoneInfo(tz))
    return local.weekday() < 5 and 9 <= local.hour < 17


def posted(fake_slack: FakeSlack, channel: str, key: str) -> list[dict[str, object]]:
    """Messages in a channel (or a user's DM) that carry an outbox key."""
    return [
        m
        for m in fake_slack.messages(channel)
        if m.get("metadata", {}).get("event_payload", {}).get("key") == key
    ]
