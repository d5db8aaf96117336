"""Events API subscriptions."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.container import Services

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], context: dict[str, Any]) -> None:
        # Slack also sends this event for the Messages tab; only Home needs publishing.
        if event.get("tab", "home") == "home":
            services.home.refresh_home(context["team_id"], event["user"])

    if services.slack.many:
        _register_uninstalls(app, services)
    else:

        @app.event("app_uninstalled")
        @app.event("tokens_revoked")
        def token_gone(event: dict[str, Any]) -> None:
            # Acked (Slack would send it again otherwise); the token is the operator's.
            log.warning(
                "Slack says %s: reinstall the app and set the new SLACK_BOT_TOKEN",
                event.get("type"),
            )


def _register_uninstalls(app: App, services: Services) -> None:
    """Many workspaces only: with one SLACK_BOT_TOKEN the operator owns the token, and a
    reinstall there is a new token in the settings, not an event Upward could undo."""

    # Bolt hands these over without looking for an installation (it may be gone). It
    # reads the org-wide flag from the event's authorizations, as Slack sends it.
    @app.event("app_uninstalled")
    def uninstalled(context: dict[str, Any]) -> None:
        _stop(services, context)

    @app.event("tokens_revoked")
    def tokens_revoked(event: dict[str, Any], context: dict[str, Any]) -> None:
        # Upward holds bot tokens only: a revoked user token changes nothing here.
        if (event.get("tokens") or {}).get("bot"):
            _stop(services, context)
        else:
            log.info(
                "tokens_revoked for user tokens only in %s: nothing to stop", context.get("team_id")
            )


def _stop(services: Services, context: dict[str, Any]) -> None:
    services.installs.uninstalled(
        context.get("team_id"),
        context.get("enterprise_id"),
        org_wide=bool(context.get("is_enterprise_install")),
    )
