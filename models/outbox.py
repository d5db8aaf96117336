from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.enums import OutboxStatus


class OutboundMessage(Base):
    """One message Upward will post, exactly once: the outbox.

    ``key`` says what, for whom and for which period (``prompt:7:3``: pair 7's week 3;
    every format is in ``bot.outbox_keys``) and is unique, so planning the same message
    twice is a no-op. A sender marks the row ``sending`` before calling Slack and puts the
    key in the message metadata; if it dies before recording the answer, the next sender
    finds the key in the channel history instead of posting again.
    """

    __tablename__ = "outbound_message"
    __table_args__ = (
        Index("ix_outbound_message_status_next", "status", "next_attempt_at"),
        # The guard, the report and pair clean-up look rows up by pair.
        Index("ix_outbound_message_pair_id", "pair_id"),
        # Retention prunes sent rows by age.
        Index("ix_outbound_message_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # bot.vocabulary.OutboxKind
    # Where it goes: a channel (a pair's group DM), or a person, whose DM is opened once.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(32))
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[OutboxStatus] = mapped_column(String(16), default=OutboxStatus.PENDING)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # True when an earlier attempt may have reached Slack (a crash while sending, a 5xx,
    # a timeout): the history is checked for the key before posting again.
    uncertain: Mapped[bool] = mapped_column(default=False)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ts: Mapped[str | None] = mapped_column(String(32))  # Slack's id of the posted message
    posted_channel_id: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
