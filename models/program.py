from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime

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
