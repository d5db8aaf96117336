"""Thin Bolt listeners: ack, parse, call one service, render."""

from __future__ import annotations

from slack_bolt import App

from bot.container import Services
from handlers import (
    actions,
    assessments,
    checkins,
    commands,
    errors,
    events,
    matching,
    prompts,
    reports,
    surveys,
    views,
)


def register(app: App, services: Services) -> None:
    # actions registers a catch-all for stale buttons, so it comes after matching.
    modules = (
        commands,
        matching,
        prompts,
        checkins,
        assessments,
        surveys,
        reports,
        actions,
        views,
        events,
        errors,
    )
    for module in modules:
        module.register(app, services)
