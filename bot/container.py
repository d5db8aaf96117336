"""The composition root: every service built once, from Settings and one clock.

The app (app.py, through bot/slack_app.py), `python -m bot run-due`, the sandbox, the
tests and the benchmarks all wire the same graph here, so what they run is what
production runs. Time comes from the one ``clock``: the system's, the sandbox's virtual
one, or a fixed instant for `run-due --at`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import metrics
from bot.background import Background
from bot.clock import Clock
from bot.config import Settings
from bot.db import make_engine, make_session_factory
from bot.replicas import DEFAULT_SCOPE, Replicas, SharedPauses, SharedPostPace
from bot.services.home import HomeService
from bot.services.matching.goals import GoalsService
from bot.services.matching.introductions import IntroService
from bot.services.matching.rounds import PairingService
from bot.services.outbox.delivery import DeliveryService
from bot.services.outbox.dm_channels import DmChannels
from bot.services.outbox.express import ExpressLane
from bot.services.outbox.pacing import PostPacer
from bot.services.outbox.retention import OutboxRetention
from bot.services.outcomes.assessments import AssessmentService
from bot.services.outcomes.surveys import SurveyService
from bot.services.people.enrolment import EnrolmentService
from bot.services.people.forgetting import ForgettingService, UninstallPurge
from bot.services.people.installs import InstallService
from bot.services.people.leads import LeadPolicy
from bot.services.programs.lifecycle import LifecycleService
from bot.services.programs.settings import ProgramService
from bot.services.reports.lead_desk import LeadDesk
from bot.services.reports.report import ReportService
from bot.services.weekly.checkins import CheckInService
from bot.services.weekly.due import (
    DueService,
    FailureAlerts,
    record_delivery_facts,
    still_wanted,
)
from bot.services.weekly.engagement import EngagementService
from bot.services.weekly.planner import WeeklyPrompts
from bot.services.weekly.reminders import ReminderService
from bot.slack.rate_limits import RateLimits
from bot.slack.workspaces import InstalledTokens, OneToken, SlackWorkspaces, TokenSource

BACKGROUND_THREADS = 4
BATCH_SECONDS = 30  # a quarter of the outbox's lease (delivery.LEASE)


@dataclass(frozen=True)
class Services:
    due: DueService
    engine: Engine
    replicas: Replicas
    sessions: sessionmaker[Session]
    clock: Clock
    slack: SlackWorkspaces
    installs: InstallService
    express: ExpressLane
    background: Background
    enrolment: EnrolmentService
    leads: LeadPolicy
    home: HomeService
    programs: ProgramService
    pairing: PairingService
    intros: IntroService
    goals: GoalsService
    engagement: EngagementService
    checkins: CheckInService
    assessments: AssessmentService
    surveys: SurveyService
    reports: ReportService
    lead_desk: LeadDesk
    forgetting: ForgettingService

    def close(self) -> None:
        """Stop the threads this graph started (the express lane, the background pool)."""
        self.express.close()
        self.background.close()


def build_services(
    settings: Settings, clock: Clock, sessions: sessionmaker[Session] | None = None
) -> Services:
    """``sessions``: a session factory to use instead of one on settings.database_url."""
    if sessions is None:
        sessions = make_session_factory(make_engine(settings.database_url))
    engine = sessions.kw["bind"]
    replicas = Replicas(engine)
    # Replicas share the workspace's limits through Postgres: a 429's pause, and the post
    # pace itself. SQLite serves one process, whose own memory is enough (and whose one
    # writer a Slack call made inside a transaction must not wait for).
    postgres = engine.dialect.name == "postgresql"
    slack, installs = _slack_workspaces(settings, sessions, clock, postgres)
    dms = DmChannels(sessions, slack)
    delivery = DeliveryService(
        sessions,
        slack,
        dms,
        PostPacers(settings.post_rate, slack, engine if postgres else None),
        guard=still_wanted,
        on_failure=FailureAlerts(settings.leads),
        on_sent=record_delivery_facts,
        # A claimed batch must be posted well within the outbox lease, or another sender
        # (the tick, a replica) could take its rows as abandoned: 30 s of posts at most.
        batch_size=max(1, min(200, int(settings.post_rate * BATCH_SECONDS))),
    )
    enrolment = EnrolmentService(sessions, clock)
    leads = LeadPolicy(settings.leads, slack)
    programs = ProgramService(sessions, clock)
    pairing = PairingService(sessions, clock, programs)
    intros = IntroService(sessions, clock, slack, delivery)
    checkins = CheckInService(sessions, clock)
    assessments = AssessmentService(sessions, clock, slack)
    surveys = SurveyService(sessions, clock, slack)
    reports = ReportService(sessions, clock)
    due = DueService(
        WeeklyPrompts(sessions),
        delivery,
        checkins,
        reminders=ReminderService(sessions, clock),
        lifecycle=LifecycleService(sessions, pairing, settings.leads, intros.introduce_round),
        replicas=replicas,
        retention=OutboxRetention(sessions, timedelta(days=settings.retention_days)),
        purge=UninstallPurge(sessions, timedelta(days=settings.delete_after_days)),
        outcomes=(assessments, surveys),
    )
    # What requests start but must not wait for: messages go out on the express lane,
    # Slack look-ups, App Home and uploads on the background pool.
    express = ExpressLane(delivery, clock)
    background = Background(BACKGROUND_THREADS)
    lead_desk = LeadDesk(
        sessions,
        clock,
        reports,
        slack,
        express,
        dms=dms,
        leads=leads,
        programs=programs,
        pairing=pairing,
    )
    return Services(
        due=due,
        engine=engine,
        replicas=replicas,
        sessions=sessions,
        clock=clock,
        slack=slack,
        installs=installs,
        express=express,
        background=background,
        enrolment=enrolment,
        leads=leads,
        home=HomeService(
            enrolment,
            slack,
            leads,
            sender=express,
            background=background,
            sessions=sessions,
            clock=clock,
            lead_desk=lead_desk,
            surveys=surveys,
        ),
        programs=programs,
        pairing=pairing,
        intros=intros,
        goals=GoalsService(sessions, clock),
        engagement=EngagementService(sessions, clock),
        checkins=checkins,
        assessments=assessments,
        surveys=surveys,
        reports=reports,
        lead_desk=lead_desk,
        forgetting=ForgettingService(sessions, clock),
    )


class PostPacers:
    """A chat.postMessage pace per workspace (Slack's limits are per workspace per app),
    made on first use; on Postgres each is shared by every replica."""

    def __init__(self, rate: float, slack: SlackWorkspaces, engine: Engine | None) -> None:
        self._rate = rate
        self._slack = slack
        self._engine = engine
        self._pacers: dict[str, PostPacer] = {}
        self._lock = threading.Lock()

    def __call__(self, team_id: str) -> PostPacer:
        key = team_id if self._slack.many else DEFAULT_SCOPE
        with self._lock:
            pacer = self._pacers.get(key)
            if pacer is None:
                shared = SharedPostPace(self._engine, scope=key) if self._engine else None
                pacer = self._pacers[key] = PostPacer(
                    self._rate,
                    shared=shared,
                    paused=lambda: self._slack.for_team(team_id).limits.remaining(
                        "chat.postMessage"
                    ),
                )
            return pacer


def _slack_workspaces(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock, postgres: bool
) -> tuple[SlackWorkspaces, InstallService]:
    """The way out to Slack, a gateway per workspace. Replicas share each workspace's
    limits through Postgres (a 429's pause, the post pace); SQLite serves one process,
    whose own memory is enough (and whose one writer a Slack call made inside a
    transaction must not wait for)."""
    engine = sessions.kw["bind"]
    tokens: TokenSource
    if settings.client_id is not None:
        tokens = InstalledTokens(sessions, settings.client_id)
    else:
        tokens = OneToken(settings.bot_token or "")

    def limits_for(team_id: str) -> RateLimits:
        scope = team_id or DEFAULT_SCOPE
        return RateLimits(shared=SharedPauses(engine, scope=scope) if postgres else None)

    installs = InstallService(sessions, clock, settings.client_id or "")
    slack = SlackWorkspaces(
        settings.api_url,
        tokens,
        limits_for=limits_for,
        on_rate_limited=metrics.count_rate_limited,
        # Slack refused a workspace's token: it was uninstalled or revoked.
        on_gone=installs.token_refused,
    )
    installs.forget_token = slack.forget
    return slack, installs
