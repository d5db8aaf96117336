from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.enums import AssessmentPhase


class SelfAssessment(Base):
    """One person's confidence self-assessment in one program: ``before`` (right after
    joining) or ``after`` (in the program's last week). Asked at most once per phase: the
    unique constraint is the exactly-once rule, the outbox key the message's.

    Individual answers never reach anyone else; the report reads them per cohort only.
    """

    __tablename__ = "self_assessment"
    __table_args__ = (
        UniqueConstraint("person_id", "program_id", "phase"),
        CheckConstraint("phase IN ('before', 'after')", name="phase"),
        # The outcomes report reads a program's assessments, phase by phase.
        Index("ix_self_assessment_program_phase", "program_id", "phase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    phase: Mapped[AssessmentPhase] = mapped_column(String(8))
    # The areas asked, in the order asked (skill slugs, then leadership behaviours), fixed
    # when asked: an answer must rate exactly these, whatever the person edits meanwhile.
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the DM is due
    # Answers after this are thanked and dropped ("this one has closed").
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    skipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SelfAssessmentScore(Base):
    """Confidence 1-5 in one area: a skill slug of the catalogue, or a
    ``models.enums.LeadershipBehaviour`` (juniors only)."""

    __tablename__ = "self_assessment_score"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("self_assessment.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(40), primary_key=True)
    score: Mapped[int] = mapped_column(SmallInteger)
