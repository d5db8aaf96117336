"""What the app's replicas share through the database, besides the data itself.

Several processes serve one workspace: they must post at one pace between them, honour
a 429 any of them received, count an event Slack retried once, and show that the clock
ticks (any replica's). Each is a small row here; the logic is in ``bot.replicas``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class PostPace(Base):
    """The workspace's chat.postMessage pace: the next free slot (a GCRA's theoretical
    arrival time), moved forward by every sender on every replica."""

    __tablename__ = "post_pace"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)  # the workspace
    next_slot_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SlackPause(Base):
    """Slack answered 429 for a method: nobody calls it before ``until``."""

    __tablename__ = "slack_pause"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    method: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime())


class SeenEvent(Base):
    """An Events API event already handled: Slack retries with the same event_id when
    an ack is slow, and any replica may receive the retry."""

    __tablename__ = "seen_event"
    __table_args__ = (Index("ix_seen_event_seen_at", "seen_at"),)

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Heartbeat(Base):
    """The last time a recurring job finished, on whichever replica ran it."""

    __tablename__ = "heartbeat"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replica: Mapped[str] = mapped_column(String(64))
