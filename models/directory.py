from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class DirectoryEntry(Base):
    """One row of the HR export, kept whether or not the person joined.

    Matching walks management chains through these rows, so a manager who never
    joined the program still keeps their reports away from their own managers.
    """

    __tablename__ = "directory_entry"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slack_user_id"),
        Index("ix_directory_entry_workspace_email", "workspace_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))  # stored lower-case
    department: Mapped[str | None] = mapped_column(String(80))
    title: Mapped[str | None] = mapped_column(String(120))
    seniority: Mapped[int | None] = mapped_column(SmallInteger)
    manager_email: Mapped[str | None] = mapped_column(String(254))
    manager_user_id: Mapped[str | None] = mapped_column(String(32))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
