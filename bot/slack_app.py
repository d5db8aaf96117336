"""Builds the Bolt app and the services behind it from Settings."""

from __future__ import annotations

import logging

from slack_bolt import App
from sqlalchemy.orm import Session, sessionmaker

import handlers
from bot.background import Background, request_executor
from bot.clock import Clock, SystemClock, TickClock
from bot.config import Settings
from bot.container import Services
from bot.db import make_engine, make_session_factory
from bot.gateway import SlackGateway, make_web_client
from bot.rate_limits import GatedWebClient, RateLimits
from bot.services.checkins import CheckInService
from bot.services.delivery import DeliveryService
from bot.services.due import DueService, FailureAlerts, still_wanted
from bot.services.engagement import EngagementService
from bot.services.enrolment import EnrolmentService
from bot.services.express import ExpressLane
from bot.services.goals import GoalsService
from bot.services.introductions import IntroService
from bot.services.lead_desk import LeadDesk
from bot.services.leads import LeadPolicy
from bot.services.lifecycle import LifecycleService
from bot.services.onboarding import OnboardingService
from bot.services.pacing import PostPacer
from bot.services.pairing import PairingService
from bot.services.programs import ProgramService
from bot.services.reminders import ReminderService
from bot.services.report import ReportService
from bot.services.weekly import WeeklyPrompts

LISTENER_THREADS = 16  # gunicorn serves 8 requests at once; each listener is short
BACKGROUND_THREADS = 4
BATCH_SECONDS = 30  # a quarter of the outbox's lease (delivery.LEASE)


def build_services(settings: Settings, client: GatedWebClient, clock: Clock) -> Services:
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    gateway = SlackGateway(client)
    enrolment = EnrolmentService(sessions, clock)
    leads = LeadPolicy(settings.leads, gateway)
    programs = ProgramService(sessions, clock)
    due = build_due_service(settings, sessions, clock, limits=client.limits)
    # What requests start but must not wait for: messages go out on the express lane,
    # Slack look-ups, App Home and uploads on the background pool.
    express = ExpressLane(due.delivery, clock)
    background = Background(BACKGROUND_THREADS)
    lead_desk = LeadDesk(sessions, clock, ReportService(sessions, clock), gateway, express)
    return Services(
        due=due,
        engine=engine,
        gateway=gateway,
        express=express,
        background=background,
        enrolment=enrolment,
        leads=leads,
        onboarding=OnboardingService(
            enrolment,
            gateway,
            leads,
            sender=express,
            background=background,
            sessions=sessions,
            clock=clock,
            lead_desk=lead_desk,
        ),
        programs=programs,
        pairing=PairingService(sessions, clock, programs),
        intros=IntroService(sessions, clock, gateway, due.delivery),
        goals=GoalsService(sessions, clock),
        engagement=EngagementService(sessions, clock),
        checkins=CheckInService(sessions, clock),
        lead_desk=lead_desk,
    )


def build_due_service(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock | None = None,
    limits: RateLimits | None = None,
) -> DueService:
    """run_due and what it needs; the scheduler tick and `python -m bot run-due` share it."""
    limits = limits or RateLimits()
    # The outbox retries posts itself, after looking at the history, so this client has
    # no retry handlers: a blind retry after a 5xx could post a message twice. It still
    # waits out (and starts) a method's pause after a 429, with every other client.
    client = GatedWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=10,
        retry_handlers=[],
        limits=limits,
    )
    delivery = DeliveryService(
        sessions,
        client,
        PostPacer(settings.post_rate),
        guard=still_wanted,
        on_failure=FailureAlerts(settings.leads),
        # A claimed batch must be posted well within the outbox lease, or another sender
        # (the tick, a replica) could take its rows as abandoned: 30 s of posts at most.
        batch_size=max(1, min(200, int(settings.post_rate * BATCH_SECONDS))),
    )
    # Planning takes `now` from run_due; the clock only matters to answers, not here.
    checkins = CheckInService(sessions, clock or SystemClock())
    # A start date's round and intros are dated by run_due's `now` (so `--at` works).
    tick = TickClock(clock)
    pairing = PairingService(sessions, tick, ProgramService(sessions, tick))
    gateway = SlackGateway(make_web_client(settings.bot_token, settings.api_url, limits))
    intros = IntroService(sessions, tick, gateway, delivery)
    lifecycle = LifecycleService(sessions, tick, pairing, settings.leads, intros.introduce_round)
    return DueService(
        WeeklyPrompts(sessions),
        delivery,
        checkins,
        reminders=ReminderService(sessions, tick),
        lifecycle=lifecycle,
    )


def build_app(settings: Settings, clock: Clock | None = None) -> tuple[App, Services]:
    client = make_web_client(settings.bot_token, settings.api_url, RateLimits())
    services = build_services(settings, client, clock or SystemClock())
    app = App(
        client=client,
        # Listener threads are request threads: they never wait on Slack's pace (the
        # rate-limit gate refuses instead), and there are more of them than gunicorn's
        # request threads, so an ack never waits for a free listener.
        listener_executor=request_executor(LISTENER_THREADS),
        signing_secret=settings.signing_secret or "",  # unused in Socket Mode
        # app.py already called auth.test with a clear message on failure; Bolt then
        # calls it lazily once on the first request instead of a second time at start.
        token_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
    )
    handlers.register(app, services)
    return app, services
