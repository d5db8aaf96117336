"""What every outcome question shares: it is asked once in a DM with "Answer" and
"Skip", answered or skipped once by its own person, closed after a while, and its DM
is edited to say so once settled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.errors import UserFacingError
from models import (
    OutboundMessage,
    OutboxStatus,
    OutcomeSurvey,
    Person,
    PersonStatus,
    Program,
    SelfAssessment,
    Workspace,
)


class Asked(Protocol):
    asked_at: datetime
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


@dataclass(frozen=True)
class Posted:
    """Where a message went: its workspace (whose token edits it), channel and ts."""

    team_id: str
    channel: str
    ts: str


def posted(session: Session, key: str) -> Posted | None:
    """Where the asking DM went, if the outbox knows it reached Slack; the row is gone
    after the retention period, and then nothing is edited."""
    sent = session.execute(
        select(Workspace.slack_team_id, OutboundMessage.posted_channel_id, OutboundMessage.ts)
        .join(Workspace, OutboundMessage.workspace_id == Workspace.id)
        .where(OutboundMessage.key == key, OutboundMessage.status == OutboxStatus.SENT)
    ).one_or_none()
    if sent is None or not sent.posted_channel_id or not sent.ts:
        return None
    return Posted(sent.slack_team_id, sent.posted_channel_id, sent.ts)


def held_while_away(
    session: Session,
    now: datetime,
    model: type[SelfAssessment] | type[OutcomeSurvey],
    *,
    kind: str,
    key_of: Callable[[Any], str],
    since: timedelta,
) -> list[tuple[int, Any, Person, Program]]:
    """Questions whose DM the delivery guard held back (the person paused between
    planning and sending) and that can still be asked: still open, neither answered nor
    skipped, the person active again. As (outbox row id, question, person, program).
    Only rows planned within ``since`` are looked at, so this stays a small read."""
    held = session.execute(
        select(OutboundMessage.id, OutboundMessage.key, OutboundMessage.person_id).where(
            OutboundMessage.kind == kind,
            OutboundMessage.status == OutboxStatus.CANCELLED,
            OutboundMessage.created_at >= now - since,
            OutboundMessage.person_id.is_not(None),
        )
    ).all()
    if not held:
        return []
    by_key = {key: outbox_id for outbox_id, key, _ in held}
    rows = session.execute(
        select(model, Person, Program)
        .join(Person, model.person_id == Person.id)
        .join(Program, model.program_id == Program.id)
        .where(
            model.person_id.in_(sorted({person_id for _, _, person_id in held})),
            model.answered_at.is_(None),
            model.skipped_at.is_(None),
            model.closes_at > now,
            Person.status == PersonStatus.ACTIVE,
        )
    ).all()
    return [
        (by_key[key_of(row)], row, person, program)
        for row, person, program in rows
        if key_of(row) in by_key
    ]


def ask_again(session: Session, outbox_id: int, row: Asked, due: datetime) -> bool:
    """Put a held-back DM back in the outbox for ``due``. It never reached Slack (the
    guard cancels before posting), so sending it now cannot send it twice; of two
    planners at once, one revives it."""
    revived = session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == outbox_id, OutboundMessage.status == OutboxStatus.CANCELLED)
        .values(
            status=OutboxStatus.PENDING,
            due_at=due,
            next_attempt_at=due,
            attempts=0,
            last_error=None,
            claim_token=None,
            claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if revived.rowcount != 1:
        return False
    row.asked_at = due
    return True
