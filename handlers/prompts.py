"""Weekly prompt buttons, and replies in a prompt's thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, Respond

from bot.container import Services
from bot.ids import Action
from handlers.buttons import button_int
from handlers.replies import acked

OUTCOME_BUTTONS = {
    Action.PROMPT_MET: "met",
    Action.PROMPT_ASYNC: "async",
    Action.PROMPT_SKIP: "skipped",
}


def register(app: App, services: Services) -> None:
    engagement = services.engagement

    def tell(respond: Respond, message: str) -> None:
        respond(text=message, response_type="ephemeral", replace_original=False)

    def outcome_button(outcome: str) -> Callable[..., None]:
        def record(respond: Respond, action: dict[str, Any], context: dict[str, Any]) -> None:
            week_id = button_int(action.get("value"))
            tell(
                respond,
                engagement.record(context["team_id"], context["user_id"], week_id, outcome).message,
            )

        record.__name__ = f"prompt_{outcome}"
        return acked(record)

    for action_id, outcome in OUTCOME_BUTTONS.items():
        app.action(action_id)(outcome_button(outcome))

    @app.action(Action.PROMPT_SNOOZE)
    @acked
    def snooze(respond: Respond, action: dict[str, Any], context: dict[str, Any]) -> None:
        week_id = button_int(action.get("value"))
        tell(respond, engagement.snooze(context["team_id"], context["user_id"], week_id).message)

    @app.action(Action.PROMPT_DIFFERENT)
    @acked
    def different(respond: Respond, action: dict[str, Any], context: dict[str, Any]) -> None:
        week_id = button_int(action.get("value"))
        logged = engagement.different(context["team_id"], context["user_id"], week_id)
        tell(respond, logged.message)

    # A human reply in a thread of a group DM: if the thread is a prompt, it counts as
    # an async session. Bot messages and edits are not replies.
    @app.event({"type": "message", "channel_type": "mpim"})
    def thread_reply(event: dict[str, Any], context: dict[str, Any]) -> None:
        if event.get("subtype") or event.get("bot_id") or not event.get("thread_ts"):
            return
        if event.get("thread_ts") == event.get("ts"):
            return
        engagement.thread_reply(
            context["team_id"], event["channel"], event["thread_ts"], event.get("user", "")
        )
