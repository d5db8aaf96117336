"""The body of an HTTP answer to Slack that carries a message: for a slash command or a
button an ephemeral reply, for a modal submission the modal itself, updated to say it."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from bot import copy


def ack_body(payload_type: object, message: str) -> dict[str, Any]:
    if payload_type == "view_submission":
        view = View(
            type="modal",
            title=copy.APP_NAME,
            close=copy.CLOSE_PLAIN,  # nothing is left to cancel: the modal only says why
            blocks=[SectionBlock(text=message)],
        )
        return {"response_action": "update", "view": view.to_dict()}
    return {"response_type": "ephemeral", "text": message}


def ack_json(payload_type: object, message: str) -> str:
    return json.dumps(ack_body(payload_type, message))
