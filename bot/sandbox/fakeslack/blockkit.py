"""Block Kit checks: Slack rejects what slack_sdk's model validators and documented limits reject.

The spec only says blocks are "an array of objects with a `type`", so the fake leans on slack_sdk's
models (slack_sdk.models.blocks / views), which encode Slack's per-field limits.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.sandbox.fakeslack.spec import SlackError

MESSAGE_BLOCKS_MAX = 50  # "up to 50 blocks in each message"; slack_sdk does not count them
VIEW_BLOCKS_MAX = 100  # "and 100 blocks in modals or Home tabs"

# What slack_sdk's model constructors raise on shapes they cannot model (a str for a dict...).
_MODEL_ERRORS = (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError)


def check_message_blocks(blocks: Any) -> SlackError | None:
    """The error chat.postMessage / postEphemeral / update would answer for these blocks, if any."""
    problem = _format_problem(blocks, "/blocks")
    if problem:
        return SlackError("invalid_blocks_format", (problem,))
    problems = _count_problems(blocks, "/blocks", MESSAGE_BLOCKS_MAX) or _block_problems(
        blocks, "/blocks"
    )
    return SlackError("invalid_blocks", problems) if problems else None


def check_view(view: Any, *, view_type: str | None) -> SlackError | None:
    """The error a views.* method would answer for this view, if any.

    view_type is the type the method insists on (views.publish: "home"), or None.
    """
    problems = _view_shape_problems(view, view_type)
    if not problems:
        blocks = view["blocks"]
        problems = (
            _count_problems(blocks, "/view/blocks", VIEW_BLOCKS_MAX)
            or _block_problems(blocks, "/view/blocks")
            or _view_model_problems(view)
        )
    return SlackError("invalid_arguments", problems) if problems else None


def _view_shape_problems(view: Any, view_type: str | None) -> tuple[str, ...]:
    if not isinstance(view, dict):
        problem = "[ERROR] view must be an object [json-pointer:/view]"
    elif view_type and view.get("type") != view_type:
        problem = f"[ERROR] view type must be {view_type} [json-pointer:/view/type]"
    elif view.get("type") == "modal" and not view.get("title"):
        problem = "[ERROR] missing required field: title [json-pointer:/view]"
    else:
        problem = _format_problem(view.get("blocks"), "/view/blocks")
    return (problem,) if problem else ()


def _view_model_problems(view: dict[str, Any]) -> tuple[str, ...]:
    try:
        # Validates the view's own fields (title length, home tab without submit/close...).
        View(**view).to_dict()
    except _MODEL_ERRORS as e:
        return (f"[ERROR] {e} [json-pointer:/view]",)
    return ()


def _format_problem(blocks: Any, pointer: str) -> str | None:
    if not isinstance(blocks, list):
        return f"[ERROR] blocks must be an array [json-pointer:{pointer}]"
    for i, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            return f"[ERROR] block must be an object with a type [json-pointer:{pointer}/{i}]"
    return None


def _count_problems(blocks: list[Any], pointer: str, maximum: int) -> tuple[str, ...]:
    if len(blocks) > maximum:
        return (f"[ERROR] no more than {maximum} items allowed [json-pointer:{pointer}]",)
    return ()


def _block_problems(blocks: list[dict[str, Any]], pointer: str) -> tuple[str, ...]:
    problems = []
    for i, block in enumerate(blocks):
        where = f"[json-pointer:{pointer}/{i}]"
        try:
            model = Block.parse(block)
            if model is None:  # slack_sdk knows every block type Slack accepts
                problems.append(f"[ERROR] unsupported type: {block['type']} {where}")
            else:
                model.to_dict()  # validates the block and everything nested in it
        except _MODEL_ERRORS as e:
            problems.append(f"[ERROR] {e} {where}")
    return tuple(problems)
