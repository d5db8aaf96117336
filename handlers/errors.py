"""The one place errors become words: typed UserFacingErrors verbatim, Slack's own
failures a "Slack is busy" note (and one WARNING line), anything else an apology (and a
log line with the traceback)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltResponse, Respond

from bot.container import Services
from bot.errors import UserFacingError
from bot.views.acks import ack_json
from handlers.replies import apology


def register(app: App, services: Services) -> None:
    @app.error
    def on_error(
        error: Exception,
        body: dict[str, Any],
        response: BoltResponse | None,
        respond: Respond | None,
    ) -> BoltResponse | None:
        message = error.message if isinstance(error, UserFacingError) else apology(error)
        if response is not None:
            # Not acknowledged yet: the answer can travel in the HTTP response itself.
            return BoltResponse(
                status=200,
                body=ack_json(body.get("type"), message),
                headers={"content-type": "application/json;charset=utf-8"},
            )
        if respond is not None:
            respond(text=message, response_type="ephemeral", replace_original=False)
        return None
