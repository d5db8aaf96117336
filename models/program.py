from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.skill import Skill

DEFAULT_PROGRAM_NAME = "Reverse mentoring"


class Program(Base):
    """A cohort. Every workspace gets a default one, so joining needs no setup."""

    __tablename__ = "program"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        # At most one default program per workspace, enforced by the database.
        Index(
            "uq_program_default_per_workspace",
            "workspace_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(32))  # Slack user id of the lead
    # None: not scheduled yet; matching can still be run by hand.
    start_date: Mapped[date | None] = mapped_column(Date)
    length_weeks: Mapped[int] = mapped_column(SmallInteger, default=12, server_default="12")
    prompt_every_weeks: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    session_every_weeks: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")
    checkin_every_weeks: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")
    # Working hours, local to each person, unless they chose a narrower window.
    workday_start_hour: Mapped[int] = mapped_column(SmallInteger, default=9, server_default="9")
    workday_end_hour: Mapped[int] = mapped_column(SmallInteger, default=17, server_default="17")
    # Where recognition shout-outs go at the end; None: thank-you DMs only.
    shoutout_channel_id: Mapped[str | None] = mapped_column(String(32))
    # When the start date's automatic matching round was created (once per program).
    auto_round_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mentor_capacity: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    review_matches: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    # A preset name from bot.shapes.programs.EMPHASES: which preferences weigh most.
    match_emphasis: Mapped[str] = mapped_column(
        String(16), default="balanced", server_default="balanced"
    )

    focus_skills: Mapped[list[Skill]] = relationship(
        secondary="program_focus_skill", order_by="Skill.position", lazy="selectin"
    )


class ProgramFocusSkill(Base):
    """The needs assessment: skills leadership most wants to learn in this program."""

    __tablename__ = "program_focus_skill"

    program_id: Mapped[int] = mapped_column(
        ForeignKey("program.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skill.id", ondelete="CASCADE"), primary_key=True
    )
