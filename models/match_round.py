from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.enums import RoundStatus


class MatchRound(Base):
    """One run of the matcher for a program: a preview until a lead confirms it."""

    __tablename__ = "match_round"
    __table_args__ = (Index("ix_match_round_program_status", "program_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    status: Mapped[RoundStatus] = mapped_column(String(16), default=RoundStatus.PREVIEW)
    seed: Mapped[int] = mapped_column(Integer)
    total_score: Mapped[float] = mapped_column(Float, default=0.0)
    created_by: Mapped[str | None] = mapped_column(String(32))  # None: started by the clock
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_by: Mapped[str | None] = mapped_column(String(32))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Pairs a lead dropped from the preview, as [[mentor_id, mentee_id], ...]; a re-run
    # of the same round keeps them apart.
    dropped: Mapped[list[list[int]]] = mapped_column(JSON, default=list)

    proposals: Mapped[list[MatchProposal]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="MatchProposal.position"
    )
    waiting: Mapped[list[MatchWaiting]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="MatchWaiting.person_id"
    )


class MatchProposal(Base):
    """A pair the matcher proposed, with its score and the reasons it fits."""

    __tablename__ = "match_proposal"
    __table_args__ = (UniqueConstraint("round_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("match_round.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    round: Mapped[MatchRound] = relationship(back_populates="proposals")


class MatchWaiting(Base):
    """Someone the round left unmatched, and why; they get priority next round."""

    __tablename__ = "match_waiting"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("match_round.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))  # bot.shapes.matching.UnmatchedReason
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    round: Mapped[MatchRound] = relationship(back_populates="waiting")
