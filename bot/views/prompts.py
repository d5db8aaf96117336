"""The weekly prompt in a pair's group DM."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot import copy
from bot.ids import Action
from bot.shapes.prompts import Prompt

# Stand-ins for what differs between pairs, in blocks built once per prompt and week. NUL
# never occurs in a Slack user id, a prompt or our copy, so a marker can't be mistaken.
_MENTOR = "\x00mentor\x00"
_MENTEE = "\x00mentee\x00"
_VALUE = "\x00pair-week\x00"


def prompt_blocks(
    prompt: Prompt, *, week: int, length_weeks: int, pair_week_id: int, mentor: str, mentee: str
) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks (as dicts: the outbox stores them as JSON)."""
    text = copy.PROMPT_FALLBACK.format(week=week, title=prompt.title)
    filling = {_MENTOR: mentor, _MENTEE: mentee, _VALUE: str(pair_week_id)}
    return text, [_filled(block, filling) for block in _marked_blocks(prompt, week, length_weeks)]


# Slack's models check every field as they turn into dicts, and that was most of the
# time of planning a week: a fan-out sends each prompt to thousands of pairs that differ
# only in two user ids and the buttons' value. So the blocks are built (and checked) once
# per prompt and week, with markers in those places, and each pair gets a filled-in copy.
@lru_cache(maxsize=1024)
def _marked_blocks(prompt: Prompt, week: int, length_weeks: int) -> tuple[dict[str, Any], ...]:
    blocks: list[Block] = [
        HeaderBlock(text=copy.PROMPT_HEADER_PLAIN.format(week=week, weeks=length_weeks)[:150]),
        SectionBlock(text=f"*{prompt.title}*\n{prompt.question}"),
        SectionBlock(
            fields=[
                MarkdownTextObject(
                    text=copy.PROMPT_PREP.format(mentor=_MENTOR, tip=prompt.prep_tip)
                ),
                MarkdownTextObject(text=copy.PROMPT_TRY.format(mentee=_MENTEE, task=prompt.try_it)),
            ]
        ),
        ContextBlock(elements=[MarkdownTextObject(text=copy.PROMPT_ASYNC)]),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=copy.PROMPT_MET_PLAIN,
                    action_id=Action.PROMPT_MET,
                    value=_VALUE,
                    style="primary",
                ),
                ButtonElement(
                    text=copy.PROMPT_ASYNC_PLAIN, action_id=Action.PROMPT_ASYNC, value=_VALUE
                ),
                ButtonElement(
                    text=copy.PROMPT_SKIP_PLAIN, action_id=Action.PROMPT_SKIP, value=_VALUE
                ),
                ButtonElement(
                    text=copy.PROMPT_SNOOZE_PLAIN, action_id=Action.PROMPT_SNOOZE, value=_VALUE
                ),
                ButtonElement(
                    text=copy.PROMPT_DIFFERENT_PLAIN,
                    action_id=Action.PROMPT_DIFFERENT,
                    value=_VALUE,
                ),
            ]
        ),
    ]
    return tuple(b.to_dict() for b in blocks)


def _filled(node: Any, filling: dict[str, str]) -> Any:
    """A deep copy of ``node`` with each marker replaced: the cached blocks stay as they
    are, and no two pairs' messages share a dict."""
    if isinstance(node, dict):
        return {key: _filled(value, filling) for key, value in node.items()}
    if isinstance(node, list):
        return [_filled(item, filling) for item in node]
    if isinstance(node, str) and "\x00" in node:
        for marker, value in filling.items():
            node = node.replace(marker, value)
    return node
