"""The outbox: every outbound message is a row, sent exactly once.

Planning inserts rows with a unique key (what, for whom, which period). Senders claim
due rows (``FOR UPDATE SKIP LOCKED`` on Postgres; on SQLite the conditional update
below is the lock), mark them ``sending``, post with the key in the message metadata,
and record the answer. A row that may already have reached Slack (the sender died, or
Slack answered 5xx or not at all) is marked ``uncertain``; before posting it again the
sender looks for its key in the channel's recent history. So neither a crash, a second
replica nor a retry sends a message twice, and nothing is dropped.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from bot import metrics
from bot.db import unit_of_work
from bot.services.outbox.dm_channels import DmChannels
from bot.services.outbox.pacing import PostPacer
from bot.slack.errors import (
    PAUSED,
    NotDeliverableError,
    RateLimitedError,
    SlackError,
    SlackUnavailableError,
    WorkspaceGoneError,
)
from bot.slack.workspaces import SlackWorkspaces
from models import OutboundMessage, OutboxStatus, Workspace

log = logging.getLogger(__name__)

METADATA_EVENT = "upward_outbox"
LEASE = timedelta(minutes=2)  # a sender that holds a row longer is presumed dead
MAX_ATTEMPTS = 10
HISTORY_PAGES = 5  # 1,000 recent messages; an outbox row is never older than that
POST = "chat.postMessage"
# A pause after a 429 longer than this sends the row back to the outbox instead of
# holding a sender thread (shorter ones are waited out: Slack's usual Retry-After is 1 s).
LONG_PAUSE_SECONDS = 5.0


@dataclass(frozen=True)
class Outgoing:
    """A message to plan. Exactly one of channel_id / user_id says where it goes."""

    key: str
    kind: str
    text: str
    due_at: datetime
    blocks: Sequence[dict[str, Any]] | None = None
    channel_id: str | None = None
    user_id: str | None = None
    pair_id: int | None = None
    person_id: int | None = None


@dataclass
class DeliveryReport:
    sent: int = 0
    found_already_sent: int = 0  # an uncertain row whose key was in the history
    rescheduled: int = 0  # 429, 5xx, timeouts: tried again later
    failed: int = 0
    cancelled: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.found_already_sent += other.found_already_sent
        self.rescheduled += other.rescheduled
        self.failed += other.failed
        self.cancelled += other.cancelled
        for code, n in other.errors.items():
            self.errors[code] = self.errors.get(code, 0) + n


def enqueue(session: Session, workspace_id: int, message: Outgoing, now: datetime) -> bool:
    """Plan a message; False when one with this key exists already (planned twice)."""
    return enqueue_many(session, [(workspace_id, message)], now) == 1


def enqueue_many(session: Session, messages: Sequence[tuple[int, Outgoing]], now: datetime) -> int:
    """Plan many messages, each with its workspace id, in one statement: a week's fan-out
    plans thousands, and a round trip each was most of its time. Returns how many were
    new; those whose key exists already are left as they are."""
    if not messages:
        return 0
    rows = [_row(workspace_id, message, now) for workspace_id, message in messages]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    inserted = session.execute(
        insert(OutboundMessage.__table__)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(OutboundMessage.id),  # rowcount is not reliable here on psycopg
        rows,
    ).all()
    return len(inserted)


def _row(workspace_id: int, message: Outgoing, now: datetime) -> dict[str, Any]:
    if (message.channel_id is None) == (message.user_id is None):
        raise ValueError("give exactly one of channel_id and user_id")
    return {
        "workspace_id": workspace_id,
        "key": message.key,
        "kind": message.kind,
        "channel_id": message.channel_id,
        "user_id": message.user_id,
        "pair_id": message.pair_id,
        "person_id": message.person_id,
        "text": message.text,
        "blocks": list(message.blocks) if message.blocks is not None else None,
        "due_at": message.due_at,
        "next_attempt_at": message.due_at,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "uncertain": False,
        "created_at": now,
    }


@dataclass(frozen=True)
class _Claimed:
    id: int
    key: str
    kind: str
    channel_id: str | None
    user_id: str | None
    pair_id: int | None
    person_id: int | None
    text: str
    blocks: list[dict[str, Any]] | None
    attempts: int
    uncertain: bool
    created_at: datetime
    team_id: str = ""  # the workspace whose token sends it


# Says which claimed messages should no longer go out (a pair ended, someone paused):
# message id -> reason. Called once per batch, in the claiming transaction.
Guard = Callable[[Session, Sequence["_Claimed"]], dict[int, str]]
# Called in the same transaction that marks a message failed for good.
OnFailure = Callable[[Session, "_Claimed", str, datetime], None]
# Called in the transaction that marks a batch's messages sent: facts the app keeps
# beyond the outbox's retention period (a prompt was delivered) are written there.
OnSent = Callable[[Session, Sequence["_Claimed"], datetime], None]


@dataclass(frozen=True)
class _Outcome:
    """What happened to one claimed message; written with the rest of its batch."""

    row: _Claimed
    status: OutboxStatus
    ts: str | None = None
    channel: str | None = None
    error: str | None = None
    retry_at: datetime | None = None
    uncertain: bool = False
    called_slack: bool = True  # False: sent back before any call (a long pause)


class DeliveryService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        slack: SlackWorkspaces,
        dms: DmChannels,
        pacer: PostPacer | Callable[[str], PostPacer],
        *,
        guard: Guard | None = None,
        on_failure: OnFailure | None = None,
        on_sent: OnSent | None = None,
        batch_size: int = 200,
        workers: int = 4,
    ) -> None:
        # The gateway never retries a post by itself: a blind retry after a 5xx could
        # post twice. This class retries, after a look at the history.
        self._sessions = sessions
        self._slack = slack
        self._dms = dms
        # One pace per workspace: Slack's limits are per workspace per app.
        self._pacer_for = pacer if not isinstance(pacer, PostPacer) else lambda team: pacer
        self._guard = guard
        self._on_failure = on_failure
        self._on_sent = on_sent
        self._batch_size = batch_size
        self._workers = workers

    def deliver_due(
        self,
        now: datetime,
        max_batches: int | None = None,
        keys: Sequence[str] | None = None,
        progress: Callable[[], None] | None = None,
    ) -> DeliveryReport:
        """Send every message due at ``now``, batch by batch, until none is left; with
        ``keys``, only those (a lead's confirm sends its intros at once). ``progress`` is
        called after each batch (the tick's heartbeat: a long fan-out is alive)."""
        report = DeliveryReport()
        batches = 0
        with ThreadPoolExecutor(self._workers, thread_name_prefix="outbox") as pool:
            while max_batches is None or batches < max_batches:
                claimed, cancelled = self._claim(now, keys)
                report.cancelled += cancelled
                if not claimed:
                    if cancelled:
                        continue
                    break
                batches += 1
                outcomes = list(pool.map(lambda row: self._deliver(row, now), claimed))
                # One transaction per batch. A crash before it commits leaves these rows
                # "sending": the next sender finds the posted ones in the history.
                self._record(outcomes, now, report)
                if progress is not None:
                    progress()
        return report

    # --- claiming ----------------------------------------------------------------

    def _claim(
        self, now: datetime, keys: Sequence[str] | None = None
    ) -> tuple[list[_Claimed], int]:
        """Claim a batch of due rows; returns those to send and how many the guard
        cancelled."""
        token = uuid.uuid4().hex
        stale = now - LEASE
        claimable = or_(
            and_(
                OutboundMessage.status == OutboxStatus.PENDING,
                OutboundMessage.next_attempt_at <= now,
            ),
            and_(
                OutboundMessage.status == OutboxStatus.SENDING,
                OutboundMessage.claimed_at < stale,
            ),
        )
        if keys is not None:
            claimable = and_(claimable, OutboundMessage.key.in_(list(keys)))
        with unit_of_work(self._sessions) as session:
            ids = session.scalars(
                select(OutboundMessage.id)
                .where(claimable)
                .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
                .limit(self._batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not ids:
                return [], 0
            # The condition is checked again: on SQLite (no row locks) a concurrent
            # sender may have claimed some of these since the select; it keeps them.
            session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id.in_(ids), claimable)
                .values(
                    status=OutboxStatus.SENDING,
                    claim_token=token,
                    claimed_at=now,
                    attempts=OutboundMessage.attempts + 1,
                    # Found in "sending": its sender died mid-call, Slack may have it.
                    uncertain=case(
                        (OutboundMessage.status == OutboxStatus.SENDING, True),
                        else_=OutboundMessage.uncertain,
                    ),
                )
                .execution_options(synchronize_session=False)
            )
            rows = session.execute(
                select(OutboundMessage, Workspace.slack_team_id, Workspace.uninstalled_at)
                .join(Workspace, OutboundMessage.workspace_id == Workspace.id)
                .where(OutboundMessage.claim_token == token)
            ).all()
            claimed = [
                _Claimed(
                    id=r.id,
                    key=r.key,
                    kind=r.kind,
                    channel_id=r.channel_id,
                    user_id=r.user_id,
                    pair_id=r.pair_id,
                    person_id=r.person_id,
                    text=r.text,
                    blocks=r.blocks,
                    attempts=r.attempts,
                    uncertain=r.uncertain,
                    created_at=r.created_at,
                    team_id=team_id,
                )
                for r, team_id, _ in rows
            ]
            unwanted = self._guard(session, claimed) if self._guard is not None else {}
            # Nothing goes to a workspace that uninstalled the app, whatever else holds.
            unwanted |= {r.id: "uninstalled" for r, _, gone in rows if gone is not None}
            for row in claimed:
                if row.id in unwanted:
                    self._mark(session, row, OutboxStatus.CANCELLED, error=unwanted[row.id])
                    _log_delivery(row, "cancelled", reason=unwanted[row.id])
            return [row for row in claimed if row.id not in unwanted], len(unwanted)

    # --- sending -----------------------------------------------------------------

    def _deliver(self, row: _Claimed, now: datetime) -> _Outcome:
        """Post one message; no database writes here but the DM channel id."""
        try:
            if row.channel_id is not None:
                return self._post(row.channel_id, row)
            assert row.user_id is not None
            return self._dms.using(
                row.user_id,
                lambda channel: self._post(channel, row),
                person_id=row.person_id,
                team_id=row.team_id,
            )
        except SlackError as error:
            return self._failed_call(row, error, now)

    def _post(self, channel: str, row: _Claimed) -> _Outcome:
        if row.uncertain:
            ts = self._find_in_history(channel, row)
            if ts is not None:
                return _Outcome(row, OutboxStatus.SENT, ts=ts, channel=channel, error="found")
        gateway = self._slack.for_team(row.team_id)  # before the pace: gone is gone
        paused = gateway.limits.remaining(POST)
        if paused > LONG_PAUSE_SECONDS:
            # This workspace must wait a while after a 429: the row waits in the outbox,
            # not in one of the few sender threads every workspace shares.
            raise RateLimitedError(POST, paused, PAUSED)
        self._pacer_for(row.team_id).acquire(channel)
        ts = gateway.post_message(
            channel,
            row.text,
            row.blocks,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"key": row.key}},
        )
        return _Outcome(row, OutboxStatus.SENT, ts=ts, channel=channel)

    def _failed_call(self, row: _Claimed, error: SlackError, now: datetime) -> _Outcome:
        if isinstance(error, WorkspaceGoneError):
            # Uninstalled or its token revoked: nothing more goes to this workspace, and a
            # reinstall starts afresh rather than sending what was due weeks ago.
            return _Outcome(row, OutboxStatus.CANCELLED, error=error.code)
        if isinstance(error, RateLimitedError):
            # Not accepted: no need to look in the history next time.
            return _Outcome(
                row,
                OutboxStatus.PENDING,
                error=error.code,
                retry_at=now + timedelta(seconds=max(1, int(error.retry_after))),
                called_slack=error.code != PAUSED,
            )
        if isinstance(error, SlackUnavailableError):
            # A 5xx, a timeout or a dropped connection: Slack may have the message.
            log.warning("outbox %s: %s; will check history and retry", row.key, error.describe())
            return _Outcome(
                row,
                OutboxStatus.PENDING,
                error=error.code,
                retry_at=now + _backoff(row),
                uncertain=True,
            )
        if isinstance(error, NotDeliverableError) or row.attempts >= MAX_ATTEMPTS:
            log.warning("outbox %s failed for good: %s", row.key, error.code)
            return _Outcome(row, OutboxStatus.FAILED, error=error.code)
        # Anything else (invalid_blocks, ...) is a bug of ours: keep the row, back off,
        # and let the attempts run out rather than lose it silently.
        log.error("outbox %s: %s", row.key, error.describe())
        return _Outcome(row, OutboxStatus.PENDING, error=error.code, retry_at=now + _backoff(row))

    def _record(self, outcomes: Sequence[_Outcome], now: datetime, report: DeliveryReport) -> None:
        with unit_of_work(self._sessions) as session:
            for outcome in outcomes:
                row = outcome.row
                _log_delivery(row, _outcome_name(outcome), outcome)
                if outcome.status == OutboxStatus.SENT:
                    self._mark(
                        session,
                        row,
                        OutboxStatus.SENT,
                        ts=outcome.ts,
                        channel=outcome.channel,
                        now=now,
                    )
                    if outcome.error == "found":
                        report.found_already_sent += 1
                    else:
                        report.sent += 1
                    continue
                report.errors[outcome.error or "?"] = report.errors.get(outcome.error or "?", 0) + 1
                if outcome.status == OutboxStatus.CANCELLED:
                    self._mark(session, row, OutboxStatus.CANCELLED, error=outcome.error)
                    report.cancelled += 1
                elif outcome.status == OutboxStatus.FAILED:
                    self._mark(session, row, OutboxStatus.FAILED, error=outcome.error)
                    if self._on_failure is not None:
                        self._on_failure(session, row, outcome.error or "?", now)
                    report.failed += 1
                else:
                    values: dict[str, Any] = {
                        "status": OutboxStatus.PENDING,
                        "next_attempt_at": outcome.retry_at,
                        "claim_token": None,
                        "last_error": outcome.error,
                    }
                    if outcome.uncertain:
                        values["uncertain"] = True
                    if not outcome.called_slack:  # a try that never reached Slack
                        values["attempts"] = OutboundMessage.attempts - 1
                    session.execute(
                        update(OutboundMessage)
                        .where(OutboundMessage.id == row.id)
                        .values(values)
                        .execution_options(synchronize_session=False)
                    )
                    report.rescheduled += 1
            sent = [o.row for o in outcomes if o.status == OutboxStatus.SENT]
            if sent and self._on_sent is not None:
                self._on_sent(session, sent, now)

    def _find_in_history(self, channel: str, row: _Claimed) -> str | None:
        """The ts of this row's message if an earlier attempt did reach Slack."""
        # No `oldest`: `run-due --at` may run on a clock other than Slack's, and a
        # pair's channel holds about one message a week, so recent pages suffice.
        cursor = None
        for _ in range(HISTORY_PAGES):
            page = self._slack.for_team(row.team_id).history(channel, cursor)
            for message in page.messages:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == METADATA_EVENT and payload.get("key") == row.key:
                    return str(message["ts"])
            cursor = page.next_cursor
            if not cursor:
                return None
        return None

    # --- recording -----------------------------------------------------------------

    @staticmethod
    def _mark(
        session: Session,
        row: _Claimed,
        status: OutboxStatus,
        *,
        ts: str | None = None,
        channel: str | None = None,
        now: datetime | None = None,
        error: str | None = None,
    ) -> None:
        session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id == row.id)
            .values(
                status=status,
                ts=ts,
                posted_channel_id=channel,
                sent_at=now if status == OutboxStatus.SENT else None,
                last_error=error,
                claim_token=None,
            )
            .execution_options(synchronize_session=False)
        )


def _outcome_name(outcome: _Outcome) -> str:
    if outcome.status == OutboxStatus.SENT:
        return "found_sent" if outcome.error == "found" else "sent"
    if outcome.status == OutboxStatus.CANCELLED:
        return "cancelled"
    return "failed" if outcome.status == OutboxStatus.FAILED else "retried"


def _log_delivery(
    row: _Claimed, name: str, outcome: _Outcome | None = None, reason: str = ""
) -> None:
    """One line and one count per message handled: ids and codes, never its text."""
    if outcome is not None and name != "found_sent":
        reason = outcome.error or ""
    metrics.count_deliveries(name, reason)
    log.info(
        "delivery %s %s %s%s",
        row.key,
        row.kind,
        name,
        f" ({reason})" if reason else "",
        extra={
            "key": row.key,
            "kind": row.kind,
            "outcome": name,
            "reason": reason,
            "attempt": row.attempts,
            "channel": outcome.channel if outcome is not None else None,
            "ts": outcome.ts if outcome is not None else None,
        },
    )


def _backoff(row: _Claimed) -> timedelta:
    """30 s, 1 min, 2 min, ... at most an hour."""
    return min(timedelta(seconds=30 * 2 ** max(0, row.attempts - 1)), timedelta(hours=1))
