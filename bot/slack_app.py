"""The Bolt app over the services of bot/container.py."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from sqlalchemy.exc import SQLAlchemyError

import handlers
from bot.background import request_executor
from bot.container import Services

LISTENER_THREADS = 16  # gunicorn serves 8 requests at once; each listener is short

log = logging.getLogger(__name__)


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
    app.middleware(_once_per_event(services))
    handlers.register(app, services)
    return app


def _once_per_event(services: Services) -> Any:
    """Slack sends an event again (X-Slack-Retry-Num) when an ack was slow or lost, to any
    replica: the first delivery of an event_id is handled, the others only acked. So a
    thread reply delivered twice counts once."""

    # Bolt passes arguments by name: `next` is its name for "go on to the listeners".
    def once_per_event(body: dict[str, Any], next: Any) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id:
            try:
                first = services.replicas.first_delivery(event_id)
            except SQLAlchemyError as error:
                # Better counted twice than lost: without the database, handle it.
                log.warning("could not check event %s: %s", event_id, type(error).__name__)
                first = True
            if not first:
                log.info("event %s was handled already: Slack's retry acked, not redone", event_id)
                return BoltResponse(status=200, body="")
        next()
        return None

    return once_per_event
