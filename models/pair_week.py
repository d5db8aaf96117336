from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class PairWeek(Base):
    """One program week of a pair: the prompt planned for it and what the pair did."""

    __tablename__ = "pair_week"
    __table_args__ = (UniqueConstraint("pair_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"))
    week: Mapped[int] = mapped_column(SmallInteger)  # 1-based program week of the pair
    prompt_id: Mapped[str] = mapped_column(String(80))
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the prompt lands
    outbox_key: Mapped[str] = mapped_column(String(200))
    # met | async | skipped | snoozed; None until someone clicks or replies in the thread.
    outcome: Mapped[str | None] = mapped_column(String(16))
    engaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    engaged_by: Mapped[str | None] = mapped_column(String(32))
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    prompt_changes: Mapped[int] = mapped_column(Integer, default=0)
    # Prompts swapped away with "Different prompt": never offered to the pair again.
    replaced_prompts: Mapped[list[str]] = mapped_column(JSON, default=list)
    # When the week's prompt reached Slack: kept here because the outbox row is pruned
    # after the retention period, and the report counts delivered prompts.
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Reminders sent about this week: at most one per pair per week.
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
