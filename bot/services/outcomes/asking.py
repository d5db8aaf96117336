"""What every outcome question shares: it is asked once in a DM with "Answer" and
"Skip", answered or skipped once by its own person, closed after a while, and its DM
is edited to say so once settled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.errors import UserFacingError
from models import OutboundMessage, OutboxStatus, OutcomeSurvey, SelfAssessment


class Asked(Protocol):
    answered_at: datetime | None
    skipped_at: datetime | None
    closes_at: datetime


@dataclass(frozen=True)
class Refusals:
    """The words for an answer that is turned away, per kind of question."""

    answered: str
    skipped: str
    closed: str


def require_open(row: Asked, now: datetime, refusals: Refusals) -> None:
    if row.answered_at is not None:
        raise UserFacingError(refusals.answered)
    if now >= row.closes_at:
        raise UserFacingError(refusals.closed)
    if row.skipped_at is not None:
        raise UserFacingError(refusals.skipped)


def settle(
    session: Session,
    model: type[SelfAssessment] | type[OutcomeSurvey],
    row_id: int,
    refusals: Refusals,
    **values: object,
) -> None:
    """Mark it answered or skipped (with any answers kept on the row), only if it is
    neither yet: of two clicks or submits at once, one wins and the other is told it was
    answered already."""
    claimed = session.execute(
        update(model)
        .where(model.id == row_id, model.answered_at.is_(None), model.skipped_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise UserFacingError(refusals.answered)


def posted(session: Session, key: str) -> tuple[str, str] | None:
    """Where the asking DM went (channel, ts), if the outbox knows it reached Slack;
    the row is gone after the retention period, and then nothing is edited."""
    sent = session.execute(
        select(OutboundMessage.posted_channel_id, OutboundMessage.ts).where(
            OutboundMessage.key == key, OutboundMessage.status == OutboxStatus.SENT
        )
    ).one_or_none()
    if sent is None or not sent.posted_channel_id or not sent.ts:
        return None
    return sent.posted_channel_id, sent.ts
