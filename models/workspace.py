from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class Workspace(Base):
    """A Slack team that installed Upward."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_team_id: Mapped[str] = mapped_column(String(32), unique=True)
    # Enterprise Grid: the org, so the scheduler finds an org-wide installation's token.
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when the app is uninstalled or its token revoked: nothing more is sent, and the
    # data is deleted a grace period later (a reinstall before then clears it).
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
