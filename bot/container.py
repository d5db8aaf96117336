"""The services a running app shares, built once in app.py and handed to the handlers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.background import Background
from bot.gateway import SlackGateway
from bot.services.checkins import CheckInService
from bot.services.due import DueService
from bot.services.engagement import EngagementService
from bot.services.enrolment import EnrolmentService
from bot.services.express import ExpressLane
from bot.services.goals import GoalsService
from bot.services.introductions import IntroService
from bot.services.lead_desk import LeadDesk
from bot.services.leads import LeadPolicy
from bot.services.onboarding import OnboardingService
from bot.services.pairing import PairingService
from bot.services.programs import ProgramService


@dataclass(frozen=True)
class Services:
    due: DueService
    engine: Engine
    gateway: SlackGateway
    express: ExpressLane
    background: Background
    enrolment: EnrolmentService
    leads: LeadPolicy
    onboarding: OnboardingService
    programs: ProgramService
    pairing: PairingService
    intros: IntroService
    goals: GoalsService
    engagement: EngagementService
    checkins: CheckInService
    lead_desk: LeadDesk
