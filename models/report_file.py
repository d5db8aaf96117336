from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class ReportFileRecord(Base):
    """A report file (CSV or chart) Upward uploaded to a lead's DM, so App Home can link
    to the latest ones without asking Slack (files.list is Tier 3)."""

    __tablename__ = "report_file"
    __table_args__ = (Index("ix_report_file_lead", "workspace_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))  # the lead it was sent to
    kind: Mapped[str] = mapped_column(String(16))  # bot.shapes.report.FileKind
    file_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    permalink: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
