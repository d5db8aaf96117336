"""A pair's shared goals as the goals form and the pair's messages show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.ids import GoalField

MAX_GOALS_EACH = 3
MAX_GOAL_CHARS = 150


@dataclass(frozen=True)
class PairGoals:
    pair_id: int
    mentor_user: str
    mentee_user: str
    channel_id: str | None
    learning: tuple[str, ...]  # the mentee's (senior's) learning goals
    growth: tuple[str, ...]  # the mentor's (junior's) leadership growth goals
    updated_by: str | None
    updated_at: datetime | None


def goal_block_id(kind: GoalField, number: int) -> str:
    """block_id of the number-th (1-based) goal input of a kind."""
    return f"{kind.value}_{number}"
