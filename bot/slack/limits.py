"""Slack's Block Kit limits, checked once, on the way out, before the call.

At most 50 blocks in a message and 100 in a modal or Home tab (slack_sdk counts
neither), and every block's own limits (3,000 characters in a section, 150 in a header,
2,000 in a button's value, 150 in an option's value...), which slack_sdk's models encode.
Slack would refuse such a call with ``invalid_blocks``; failing here says which limit,
and never spends a rate-limited call on it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
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


def check_view(view: View | dict[str, Any]) -> dict[str, Any]:
    """The view as Slack receives it, or SlackRejectedError. Serialized here once and
    sent as is: to_dict validates the view's own fields (title, private_metadata...) and
    every block in it, and a View handed to slack_sdk would be validated all over again."""
    try:
        data = (view if isinstance(view, View) else View(**view)).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as error:
        raise SlackRejectedError("views", "invalid_arguments", str(error)) from None
    blocks = data.get("blocks") or ()
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):  # slack_sdk parses a block it does not know to None
            raise SlackRejectedError("views", "invalid_blocks", f"block {i}: not a block")
    if len(blocks) > VIEW_BLOCKS:
        raise SlackRejectedError(
            "views", "invalid_blocks", f"{len(blocks)} blocks; at most {VIEW_BLOCKS}"
        )
    return data


def _check_blocks(method: str, blocks: Sequence[Block | dict[str, Any]], most: int) -> None:
    if len(blocks) > most:
        raise SlackRejectedError(method, "invalid_blocks", f"{len(blocks)} blocks; at most {most}")
    for i, block in enumerate(blocks):
        problem = (
            _model_problem(block)
            if isinstance(block, Block)
            else _dict_problem(json.dumps(block, sort_keys=True))
        )
        if problem:
            raise SlackRejectedError(method, "invalid_blocks", f"block {i}: {problem}")


def _model_problem(block: Block) -> str | None:
    try:
        block.to_dict()  # validates the block and everything nested in it
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as error:
        return str(error)
    return None


# Building slack_sdk's models is most of a post's CPU time, and a fan-out sends the same
# blocks (headers, the week's prompt, dividers) to thousands of pairs: each distinct
# block is checked once.
@lru_cache(maxsize=4096)
def _dict_problem(block_json: str) -> str | None:
    try:
        model = Block.parse(json.loads(block_json))
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as error:
        return str(error)
    return "not a block" if model is None else _model_problem(model)
