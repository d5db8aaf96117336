"""The Bolt app over the services of bot/container.py."""

from __future__ import annotations

import logging

from slack_bolt import App

import handlers
from bot.background import request_executor
from bot.container import Services

LISTENER_THREADS = 16  # gunicorn serves 8 requests at once; each listener is short


def build_app(services: Services, signing_secret: str | None) -> App:
    app = App(
        client=services.gateway.bolt_client,
        # Listener threads are request threads: they never wait on Slack's pace (the
        # rate-limit gate refuses instead), and there are more of them than gunicorn's
        # request threads, so an ack never waits for a free listener.
        listener_executor=request_executor(LISTENER_THREADS),
        signing_secret=signing_secret or "",  # unused in Socket Mode
        # app.py already called auth.test with a clear message on failure; Bolt then
        # calls it lazily once on the first request instead of a second time at start.
        token_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
    )
    handlers.register(app, services)
    return app
