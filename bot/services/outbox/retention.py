"""The outbox does not grow forever: sent (and cancelled) rows past the retention period
are deleted by the tick, a small batch at a time.

Nothing still needs them: a key is only looked up while its message may be in flight
(minutes), and the facts the report reads (a prompt was delivered, a thank-you went out)
are written to the pair week and the pair when the row is marked sent. Failed rows stay:
they are what an operator investigates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import unit_of_work
from models import OutboundMessage, OutboxStatus

BATCH = 500  # rows per transaction: short locks, whatever the backlog
MAX_BATCHES_PER_TICK = 20  # a first run on a big old outbox catches up over a few ticks


@dataclass(frozen=True)
class OutboxRetention:
    sessions: sessionmaker[Session]
    keep: timedelta

    def prune(self, now: datetime) -> int:
        """Delete what is older than the retention period; returns how many rows."""
        cutoff = now - self.keep
        old = or_(
            and_(OutboundMessage.status == OutboxStatus.SENT, OutboundMessage.sent_at < cutoff),
            and_(
                OutboundMessage.status == OutboxStatus.CANCELLED,
                OutboundMessage.created_at < cutoff,
            ),
        )
        pruned = 0
        for _ in range(MAX_BATCHES_PER_TICK):
            with unit_of_work(self.sessions) as session:
                ids = session.scalars(select(OutboundMessage.id).where(old).limit(BATCH)).all()
                if ids:
                    session.execute(
                        delete(OutboundMessage)
                        .where(OutboundMessage.id.in_(ids))
                        .execution_options(synchronize_session=False)
                    )
            pruned += len(ids)
            if len(ids) < BATCH:
                break
        return pruned
