"""Slack's Block Kit limits, checked once, on the way out, before the call.

At most 50 blocks in a message and 100 in a modal or Home tab (slack_sdk counts
neither), and every block's own limits (3,000 characters in a section, 150 in a header,
2,000 in a button's value, 150 in an option's value...), which slack_sdk's models encode.
Slack would refuse such a call with ``invalid_blocks``; failing here says which limit,
and never spends a rate-limited call on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack.errors import SlackRejectedError

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000  # chat.postMessage truncates longer text


def check_message(text: str, blocks: Sequence[Block | dict[str, Any]] | None) -> None:
    if len(text) > MESSAGE_TEXT:
        raise SlackRejectedError("chat.postMessage", "msg_too_long", f"{len(text)} characters")
    _check_blocks("chat.postMessage", blocks or (), MESSAGE_BLOCKS)


def check_view(view: View | dict[str, Any]) -> None:
    try:
        # to_dict validates the view's own fields (title, private_metadata...) and its blocks.
        data = (view if isinstance(view, View) else View(**view)).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as error:
        raise SlackRejectedError("views", "invalid_arguments", str(error)) from None
    _check_blocks("views", data.get("blocks") or (), VIEW_BLOCKS)


def _check_blocks(method: str, blocks: Sequence[Block | dict[str, Any]], most: int) -> None:
    if len(blocks) > most:
        raise SlackRejectedError(method, "invalid_blocks", f"{len(blocks)} blocks; at most {most}")
    for i, block in enumerate(blocks):
        try:
            model = block if isinstance(block, Block) else Block.parse(block)
            if model is None:
                raise ValueError("not a block")
            model.to_dict()  # validates the block and everything nested in it
        except (SlackObjectFormationError, TypeError, ValueError, KeyError) as error:
            raise SlackRejectedError(method, "invalid_blocks", f"block {i}: {error}") from None
