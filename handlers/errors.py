"""The one place errors become words: typed UserFacingErrors verbatim, anything else an
apology (and a log line with the traceback)."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, BoltResponse, Respond
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from bot import copy
from bot.container import Services
from bot.errors import UserFacingError


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
                body=json.dumps(_ack_body(body, message)),
                headers={"content-type": "application/json;charset=utf-8"},
            )
        if respond is not None:
            respond(text=message, response_type="ephemeral", replace_original=False)
        return None


def _ack_body(body: dict[str, Any], message: str) -> dict[str, Any]:
    if body.get("type") == "view_submission":
        view = View(
            type="modal",
            title=copy.APP_NAME,
            close=copy.CANCEL_PLAIN,
            blocks=[SectionBlock(text=message)],
        )
        return {"response_action": "update", "view": view.to_dict()}
    return {"response_type": "ephemeral", "text": message}
