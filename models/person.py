from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.enums import PersonStatus, Role, SkillDirection
from models.skill import Skill

# A forgotten person's slack_user_id (bot.services.people.forgetting): never a Slack id,
# which is upper-case letters and digits, so nothing from Slack can find them again.
FORGOTTEN_PREFIX = "forgotten-"


class Person(Base):
    """Someone who joined the program. Joining again edits this row, never a second one."""

    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slack_user_id"),
        # The lead report counts a program's people.
        Index("ix_person_program_status", "program_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[Role] = mapped_column(String(16))
    status: Mapped[PersonStatus] = mapped_column(String(16), default=PersonStatus.ACTIVE)
    department: Mapped[str | None] = mapped_column(String(80))
    title: Mapped[str | None] = mapped_column(String(120))  # from the HR import
    email: Mapped[str | None] = mapped_column(String(254))
    # Slack id of their manager when known (HR import); the chain is walked through
    # directory_entry so managers who never joined still count.
    manager_user_id: Mapped[str | None] = mapped_column(String(32))
    seniority: Mapped[int | None] = mapped_column(SmallInteger)  # models.enums.Seniority
    goals: Mapped[str | None] = mapped_column(Text)
    # Local time comes from Slack (users.info → tz); None until we have asked.
    tz: Mapped[str | None] = mapped_column(String(64))
    preferred_weekday: Mapped[int | None] = mapped_column(SmallInteger)  # 0 = Monday; None = any
    window_start_hour: Mapped[int | None] = mapped_column(SmallInteger)  # local, inclusive
    window_end_hour: Mapped[int | None] = mapped_column(SmallInteger)  # local, exclusive
    # "Any time, I prefer async": hours overlap with a partner then does not matter.
    prefers_async: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    # Opened once with conversations.open and kept: that method is Tier 3.
    dm_channel_id: Mapped[str | None] = mapped_column(String(32))
    welcomed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when Slack refuses to deliver to them for good (account_inactive, ...).
    unreachable_reason: Mapped[str | None] = mapped_column(String(64))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    skills: Mapped[list[PersonSkill]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonSkill.id"
    )


class PersonSkill(Base):
    """What a person offers to teach or wants to learn."""

    __tablename__ = "person_skill"
    __table_args__ = (
        UniqueConstraint("person_id", "skill_id", "direction"),
        Index("ix_person_skill_skill_direction", "skill_id", "direction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id", ondelete="CASCADE"))
    direction: Mapped[SkillDirection] = mapped_column(String(8))

    person: Mapped[Person] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship(lazy="joined")


# A pair's two people, for the joins that need both. Built once: the ORM's work per
# statement is cached per entity, and a fresh alias is a new entity every call (a
# prompt-button lookup took 1.4 ms with fresh aliases, 0.46 ms with these). Being
# shared, they must not appear both in a subquery and in the statement around it (the
# subquery would silently correlate): use a local aliased(Person) there.
MENTOR = aliased(Person, name="mentor")
MENTEE = aliased(Person, name="mentee")
