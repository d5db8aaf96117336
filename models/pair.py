from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.enums import PairStatus
from models.person import Person


class Pair(Base):
    """A mentor and a mentee working together in a program, with their group DM."""

    __tablename__ = "pair"
    __table_args__ = (
        # Confirming a round twice must not create its pairs twice.
        UniqueConstraint("round_id", "mentee_id"),
        # A mentee has at most one active pair per program (mentors may have capacity > 1).
        Index(
            "uq_pair_active_mentee",
            "program_id",
            "mentee_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_pair_mentor_status", "mentor_id", "status"),
        # The lead report reads every pair of one program.
        Index("ix_pair_program_status", "program_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("match_round.id", ondelete="SET NULL"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    status: Mapped[PairStatus] = mapped_column(String(16), default=PairStatus.ACTIVE)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The group DM with both people and the bot: opened once, never again (Tier 3).
    channel_id: Mapped[str | None] = mapped_column(String(32))
    intro_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Shared goals, up to three each: what the senior (mentee) wants to learn and
    # what the junior (mentor) wants to grow in as a leader.
    learning_goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    growth_goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    goals_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    goals_updated_by: Mapped[str | None] = mapped_column(String(32))
    # Why the lead should look at this pair: bot.vocabulary.AtRiskReason (an undeliverable
    # one with Slack's error code, "undeliverable:is_archived"; see parse_at_risk_reason).
    at_risk_reason: Mapped[str | None] = mapped_column(String(64))
    at_risk_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The end-of-program thank-you to the junior mentor (and the shout-out) went out.
    recognized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When each reached Slack (the outbox rows that say so are pruned after a while).
    thanks_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shoutout_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last time a lead nudged the pair from App Home (at most once a day).
    lead_nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    mentor: Mapped[Person] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[Person] = relationship(foreign_keys=[mentee_id])
