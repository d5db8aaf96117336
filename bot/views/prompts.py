"""The weekly prompt in a pair's group DM."""

from __future__ import annotations

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


def prompt_blocks(
    prompt: Prompt, *, week: int, length_weeks: int, pair_week_id: int, mentor: str, mentee: str
) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks (as dicts: the outbox stores them as JSON)."""
    value = str(pair_week_id)
    blocks: list[Block] = [
        HeaderBlock(text=copy.PROMPT_HEADER_PLAIN.format(week=week, weeks=length_weeks)[:150]),
        SectionBlock(text=f"*{prompt.title}*\n{prompt.question}"),
        SectionBlock(
            fields=[
                MarkdownTextObject(
                    text=copy.PROMPT_PREP.format(mentor=mentor, tip=prompt.prep_tip)
                ),
                MarkdownTextObject(text=copy.PROMPT_TRY.format(mentee=mentee, task=prompt.try_it)),
            ]
        ),
        ContextBlock(elements=[MarkdownTextObject(text=copy.PROMPT_ASYNC)]),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=copy.PROMPT_MET_PLAIN,
                    action_id=Action.PROMPT_MET,
                    value=value,
                    style="primary",
                ),
                ButtonElement(
                    text=copy.PROMPT_ASYNC_PLAIN, action_id=Action.PROMPT_ASYNC, value=value
                ),
                ButtonElement(
                    text=copy.PROMPT_SKIP_PLAIN, action_id=Action.PROMPT_SKIP, value=value
                ),
                ButtonElement(
                    text=copy.PROMPT_SNOOZE_PLAIN, action_id=Action.PROMPT_SNOOZE, value=value
                ),
                ButtonElement(
                    text=copy.PROMPT_DIFFERENT_PLAIN, action_id=Action.PROMPT_DIFFERENT, value=value
                ),
            ]
        ),
    ]
    text = copy.PROMPT_FALLBACK.format(week=week, title=prompt.title)
    return text, [b.to_dict() for b in blocks]
