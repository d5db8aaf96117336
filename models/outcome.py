from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text  # a column here is called text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.enums import CommitmentStatus, OutcomeCheckpoint, Role, Signal

_SIGNALS = "('yes', 'unsure', 'no')"


class OutcomeSurvey(Base):
    """The questions one person is asked at one checkpoint after their program: the
    signals (would they take part again, recommend it, and for a junior whether their
    senior has opened a door for them) and, for a senior, their commitments (written at
    the end, followed up at 30 and 60 days). Asked at most once per checkpoint: the
    unique constraint is the exactly-once rule, the outbox key the message's.

    Answers never reach the partner or a lead one by one; the report reads them per
    cohort, and a commitment's text only where its author shared it.
    """

    __tablename__ = "outcome_survey"
    __table_args__ = (
        UniqueConstraint("person_id", "program_id", "checkpoint"),
        CheckConstraint("checkpoint IN ('end', 'day30', 'day60')", name="checkpoint"),
        CheckConstraint(f"would_again IN {_SIGNALS}", name="would_again"),
        CheckConstraint(f"recommend IN {_SIGNALS}", name="recommend"),
        CheckConstraint(f"sponsored IN {_SIGNALS}", name="sponsored"),
        # The outcomes report reads a program's surveys, checkpoint by checkpoint.
        Index("ix_outcome_survey_program_checkpoint", "program_id", "checkpoint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    # The pair it looks back on (a senior's: whose junior sees the commitments).
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pair.id", ondelete="SET NULL"))
    # The role when asked: the report groups by it, whatever the person joins as later.
    role: Mapped[Role] = mapped_column(String(16))
    checkpoint: Mapped[OutcomeCheckpoint] = mapped_column(String(8))
    asks_signals: Mapped[bool] = mapped_column(Boolean)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the DM is due
    # Answers after this are thanked and dropped ("this one has closed").
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    skipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    would_again: Mapped[Signal | None] = mapped_column(String(8))
    recommend: Mapped[Signal | None] = mapped_column(String(8))
    sponsored: Mapped[Signal | None] = mapped_column(String(8))  # junior mentors only


class Commitment(Base):
    """One concrete change a senior commits to at the end of their program (one to
    three). Their junior mentor sees the text in App Home; a lead sees it only when
    ``shared``, and otherwise only counts."""

    __tablename__ = "commitment"
    __table_args__ = (
        UniqueConstraint("person_id", "program_id", "position"),
        CheckConstraint("position BETWEEN 1 AND 3", name="position"),
        Index("ix_commitment_program", "program_id"),
        Index("ix_commitment_pair", "pair_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pair.id", ondelete="SET NULL"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("outcome_survey.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(String(200))
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CommitmentProgress(Base):
    """How a commitment is going at a follow-up (30 or 60 days), with one optional line
    of evidence. One per commitment and checkpoint."""

    __tablename__ = "commitment_progress"
    __table_args__ = (
        CheckConstraint("checkpoint IN ('day30', 'day60')", name="checkpoint"),
        CheckConstraint("status IN ('done', 'in_progress', 'dropped')", name="status"),
    )

    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True
    )
    checkpoint: Mapped[OutcomeCheckpoint] = mapped_column(String(8), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("outcome_survey.id", ondelete="CASCADE"))
    status: Mapped[CommitmentStatus] = mapped_column(String(16))
    evidence: Mapped[str | None] = mapped_column(String(150))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
