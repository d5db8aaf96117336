"""The services a running app shares, built once in app.py and handed to the handlers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.gateway import SlackGateway
from bot.services.enrolment import EnrolmentService
from bot.services.leads import LeadPolicy
from bot.services.onboarding import OnboardingService


@dataclass(frozen=True)
class Services:
    engine: Engine
    gateway: SlackGateway
    enrolment: EnrolmentService
    leads: LeadPolicy
    onboarding: OnboardingService
