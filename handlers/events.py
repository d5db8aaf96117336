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
