"""Events API subscriptions."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.container import Services


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], context: dict[str, Any]) -> None:
        # Slack also sends this event for the Messages tab; only Home needs publishing.
        if event.get("tab", "home") == "home":
            services.home.refresh_home(context["team_id"], event["user"])

    # Bolt answers these without looking for an installation (it may be gone already).
    @app.event("app_uninstalled")
    def uninstalled(body: dict[str, Any], context: dict[str, Any]) -> None:
        services.installs.uninstalled(
            context.get("team_id"),
            context.get("enterprise_id"),
            org_wide=bool(body.get("is_enterprise_install")),
        )

    @app.event("tokens_revoked")
    def tokens_revoked(
        event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]
    ) -> None:
        # Upward holds bot tokens only: a revoked user token changes nothing here.
        if (event.get("tokens") or {}).get("bot"):
            services.installs.uninstalled(
                context.get("team_id"),
                context.get("enterprise_id"),
                org_wide=bool(body.get("is_enterprise_install")),
            )
