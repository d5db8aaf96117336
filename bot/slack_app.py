"""The Bolt app over the services of bot/container.py."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from sqlalchemy.exc import SQLAlchemyError

import handlers
from bot import copy
from bot.background import request_executor
from bot.config import Settings
from bot.container import Services
from bot.slack.gateway import SlackGateway
from bot.slack.oauth import build_oauth_flow

LISTENER_THREADS = 16  # gunicorn serves 8 requests at once; each listener is short

log = logging.getLogger(__name__)


def build_app(services: Services, settings: Settings) -> App:
    """One workspace (SLACK_BOT_TOKEN): Bolt uses that token. Many (SLACK_CLIENT_ID):
    Bolt's OAuth flow installs the app, and each request is authorised with its
    workspace's installation; a request from a workspace without one is refused."""
    common: dict[str, Any] = {
        # Listener threads are request threads: they never wait on Slack's pace (the
        # rate-limit gate refuses instead), and there are more of them than gunicorn's
        # request threads, so an ack never waits for a free listener.
        "listener_executor": request_executor(LISTENER_THREADS),
        "signing_secret": settings.signing_secret or "",  # unused in Socket Mode
        "logger": logging.getLogger("slack_bolt"),
    }
    if settings.many_workspaces:
        assert settings.client_id is not None
        assert settings.client_secret is not None
        flow = build_oauth_flow(
            engine=services.engine,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            gateway=SlackGateway("", settings.api_url),  # oauth.v2.access takes no token
            on_installed=lambda i: services.installs.installed(
                i.team_id, i.enterprise_id, org_wide=bool(i.is_enterprise_install)
            ),
        )
        app = App(
            oauth_flow=flow,
            client=flow.client,
            user_facing_authorize_error_message=copy.NOT_INSTALLED,
            **common,
        )
        app.middleware(_remember_enterprise(services))
    else:
        app = App(
            client=services.slack.for_team("").bolt_client,
            # app.py already called auth.test with a clear message on failure; Bolt then
            # calls it lazily once on the first request instead of a second time at start.
            token_verification_enabled=False,
            **common,
        )
    app.middleware(_once_per_event(services))
    handlers.register(app, services)
    return app


def _remember_enterprise(services: Services) -> Any:
    """Grid: note each workspace's org the first time it is seen under an org-wide
    installation, so the scheduler's sends find that installation's token for it."""
    seen: set[tuple[str, str]] = set()

    def remember_enterprise(context: dict[str, Any], next: Any) -> None:
        team, enterprise = context.get("team_id"), context.get("enterprise_id")
        # Only an org-wide installation's requests: a workspace's own install records
        # its org when it is stored, and a request's team and org may come from
        # different fields of its payload (a Slack Connect user's home team).
        org_wide = bool(context.get("is_enterprise_install"))
        if org_wide and team and enterprise and (team, enterprise) not in seen:
            try:
                services.installs.remember_enterprise(team, enterprise)
                seen.add((team, enterprise))
            except SQLAlchemyError as error:
                log.warning("could not note team %s's org: %s", team, type(error).__name__)
        next()

    return remember_enterprise


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
