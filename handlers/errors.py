"""The one place errors become words: typed UserFacingErrors verbatim, anything else an
apology (and a log line with the traceback)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse, Respond

from bot import copy
from bot.container import Services
from bot.errors import UserFacingError
from bot.views.acks import ack_json


def register(app: App, services: Services) -> None:
    @app.error
    def on_error(
        error: Exception,
        body: dict[str, Any],
        response: BoltResponse | None,
        respond: Respond | None,
        logger: logging.Logger,
    ) -> BoltResponse | None:
        if isinstance(error, UserFacingError):
            message = error.message
        else:
            logger.exception("listener failed", exc_info=error)
            message = copy.SOMETHING_WENT_WRONG
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
