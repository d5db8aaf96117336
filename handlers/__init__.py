"""Thin Bolt listeners: ack, parse, call one service, render."""

from __future__ import annotations

from slack_bolt import App

from bot.container import Services
from handlers import actions, commands, errors, events, views


def register(app: App, services: Services) -> None:
    for module in (commands, actions, views, events, errors):
        module.register(app, services)
