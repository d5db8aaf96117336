"""A pair's goals as read-only blocks, shared by status, App Home and the update note."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from bot import copy
from bot.mrkdwn import escape
from bot.shapes.goals import PairGoals


def goals_blocks(goals: PairGoals) -> list[Block]:
    """The goals as read-only text, for status, App Home and the update note."""

    def listed(items: Sequence[str]) -> str:
        return "\n".join(f"• {escape(item)}" for item in items) if items else "_none yet_"

    return [
        SectionBlock(
            fields=[
                MarkdownTextObject(
                    text=copy.GOALS_LEARNING_HEADING.format(mentee=goals.mentee_user)
                    + "\n"
                    + listed(goals.learning)
                ),
                MarkdownTextObject(
                    text=copy.GOALS_GROWTH_HEADING.format(mentor=goals.mentor_user)
                    + "\n"
                    + listed(goals.growth)
                ),
            ]
        )
    ]
