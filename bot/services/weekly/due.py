"""run_due(now): everything that is due at an instant, as the scheduler tick and
`python -m bot run-due --at` both run it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import copy, outbox_keys
from bot.replicas import Replicas
from bot.services.outbox.delivery import DeliveryReport, DeliveryService, Outgoing, enqueue
from bot.services.outbox.retention import OutboxRetention
from bot.services.people.forgetting import UninstallPurge
from bot.services.programs.lifecycle import LifecycleService
from bot.services.weekly.checkins import CheckInService
from bot.services.weekly.planner import PlanReport, WeeklyPrompts
from bot.services.weekly.reminders import ReminderService
from bot.vocabulary import OutboxKind, undeliverable_reason
from models import MENTEE, MENTOR, OutboundMessage, Pair, PairStatus, PairWeek, Person, PersonStatus

log = logging.getLogger(__name__)

# Messages for leads go out whatever the state of the pair they are about.
LEAD_KINDS = frozenset({OutboxKind.ALERT})
SEEN_EVENTS_KEPT = timedelta(days=1)  # Slack retries an event for minutes, not days


@dataclass(frozen=True)
class DueReport:
    prompts: PlanReport
    delivery: DeliveryReport
    checkins: int = 0  # check-ins planned
    reminders: int = 0  # nudges planned
    lifecycle: int = 0  # round notices, thank-yous and shout-outs planned
    pruned: int = 0  # sent outbox rows past the retention period, deleted
    planned_here: bool = True  # False: another replica was planning; this one only sent
    assessments: int = 0  # outcome questions planned: self-assessments, surveys after
    # Workspaces uninstalled longer ago than the grace period, whose data was deleted.
    workspaces_deleted: tuple[str, ...] = ()


class DueService:
    def __init__(
        self,
        weekly: WeeklyPrompts,
        delivery: DeliveryService,
        checkins: CheckInService | None = None,
        reminders: ReminderService | None = None,
        lifecycle: LifecycleService | None = None,
        *,
        replicas: Replicas | None = None,
        retention: OutboxRetention | None = None,
        outcomes: Sequence[Planner] = (),
        purge: UninstallPurge | None = None,
    ) -> None:
        self._weekly = weekly
        self._delivery = delivery
        self._checkins = checkins
        self._reminders = reminders
        self._lifecycle = lifecycle
        self._replicas = replicas
        self._retention = retention
        self._outcomes = outcomes
        self._purge = purge

    @property
    def delivery(self) -> DeliveryService:
        return self._delivery

    def plan(self, now: datetime) -> PlanReport:
        """Only the planning half of run_due: rows in the outbox, nothing sent."""
        return self._plan(now)[0]

    def _plan(self, now: datetime) -> tuple[PlanReport, int, int, int, int]:
        prompts = self._weekly.plan(now)
        checkins = self._checkins.plan(now) if self._checkins is not None else 0
        reminders = _isolated("reminders", self._reminders, now)
        lifecycle = _isolated("lifecycle", self._lifecycle, now)
        assessments = sum(_isolated("outcomes", planner, now) for planner in self._outcomes)
        return prompts, checkins, reminders, lifecycle, assessments

    def run_due(self, now: datetime) -> DueReport:
        """Plan what has become due, then deliver every due message, then prune.

        Every replica runs this on its own tick. Planning and pruning are idempotent, but
        run by one replica at a time (the others skip them that tick); delivery runs on
        all of them, sharing the due rows (the claim's SKIP LOCKED) and one pace."""
        with self._exclusive("plan") as mine:
            if mine:
                prompts, checkins, reminders, lifecycle, assessments = self._plan(now)
            else:
                prompts, checkins, reminders, lifecycle, assessments = PlanReport(0, 0), 0, 0, 0, 0
        self._beat()
        delivery = self._delivery.deliver_due(now, progress=self._beat)
        pruned = self._prune(now)
        deleted = self._purge_uninstalled(now)
        self._beat()
        log.info(
            "run_due %s: %d prompts planned, %d check-ins planned, %d sent, %d found sent, "
            "%d retrying, %d failed, %d cancelled",
            now.isoformat(),
            prompts.planned,
            checkins,
            delivery.sent,
            delivery.found_already_sent,
            delivery.rescheduled,
            delivery.failed,
            delivery.cancelled,
        )
        if reminders or lifecycle or assessments:
            log.info(
                "run_due %s: %d reminders, %d lifecycle messages, %d outcome questions planned",
                now.isoformat(),
                reminders,
                lifecycle,
                assessments,
            )
        return DueReport(
            prompts,
            delivery,
            checkins,
            reminders,
            lifecycle,
            pruned=pruned,
            planned_here=mine,
            assessments=assessments,
            workspaces_deleted=deleted,
        )

    def _exclusive(self, job: str) -> AbstractContextManager[bool]:
        return self._replicas.exclusive(job) if self._replicas is not None else nullcontext(True)

    def _beat(self) -> None:
        """The tick is alive (read by /readyz and /metrics); never fails the tick."""
        if self._replicas is None:
            return
        try:
            self._replicas.beat()
        except SQLAlchemyError as error:
            log.warning("could not record the tick's heartbeat: %s", type(error).__name__)

    def _prune(self, now: datetime) -> int:
        """The outbox's old sent rows, and the Events API ids Slack can no longer retry."""
        if self._retention is None:
            return 0
        with self._exclusive("prune") as mine:
            if not mine:
                return 0
            try:
                pruned = self._retention.prune(now)
                if self._replicas is not None:
                    self._replicas.forget_events(SEEN_EVENTS_KEPT)
            except SQLAlchemyError:
                log.exception("run_due %s: pruning failed; the next tick tries again", now)
                return 0
        if pruned:
            log.info("run_due %s: pruned %d old outbox rows", now.isoformat(), pruned)
        return pruned

    def _purge_uninstalled(self, now: datetime) -> tuple[str, ...]:
        """The data of workspaces uninstalled longer ago than the grace period: at most
        once an hour, by one replica at a time, and never failing the tick."""
        if self._purge is None or not self._purge.due(now):
            return ()
        with self._exclusive("purge") as mine:
            if not mine:
                return ()
            try:
                teams = self._purge.purge(now)
            except SQLAlchemyError:
                log.exception("run_due %s: deleting uninstalled workspaces failed", now)
                return ()
        if teams:
            log.info(
                "run_due %s: deleted the data of %d uninstalled workspaces: %s",
                now.isoformat(),
                len(teams),
                ", ".join(teams),
            )
        return tuple(teams)


class Planner(Protocol):
    """What run_due asks of a planner besides the prompts: plan what is due at ``now``,
    say how many messages that made."""

    def plan(self, now: datetime) -> int: ...


def _isolated(name: str, planner: Planner | None, now: datetime) -> int:
    """A failing reminder, lifecycle or outcomes planner must not hold up the
    prompts and the outbox: it is logged, and the next tick tries again."""
    if planner is None:
        return 0
    try:
        return planner.plan(now)
    except Exception:
        log.exception("run_due %s: the %s planner failed", now.isoformat(), name)
        return 0


def still_wanted(session: Session, rows: Sequence[Any]) -> dict[int, str]:
    """The delivery guard: nothing goes to a paused person or an ended pair. Two
    queries per batch, however big."""
    pair_ids = {r.pair_id for r in rows if r.pair_id is not None and r.kind not in LEAD_KINDS}
    person_ids = {r.person_id for r in rows if r.person_id is not None and r.kind not in LEAD_KINDS}
    mentor, mentee = MENTOR, MENTEE
    pairs = {
        pair_id: (status, mentor_status, mentee_status)
        for pair_id, status, mentor_status, mentee_status in session.execute(
            select(Pair.id, Pair.status, mentor.status, mentee.status)
            .join(mentor, Pair.mentor_id == mentor.id)
            .join(mentee, Pair.mentee_id == mentee.id)
            .where(Pair.id.in_(pair_ids))
        )
    }
    people = dict(
        session.execute(select(Person.id, Person.status).where(Person.id.in_(person_ids))).all()
    )
    unwanted: dict[int, str] = {}
    for row in rows:
        if row.kind in LEAD_KINDS:
            continue
        if row.pair_id is not None:
            found = pairs.get(row.pair_id)
            if found is None or found[0] != PairStatus.ACTIVE:
                unwanted[row.id] = "pair_ended"
            elif {PersonStatus.PAUSED, PersonStatus.LEFT} & {found[1], found[2]}:
                unwanted[row.id] = "paused"
        if row.person_id is not None and people.get(row.person_id) != PersonStatus.ACTIVE:
            unwanted[row.id] = "paused"
    return unwanted


def record_delivery_facts(session: Session, rows: Sequence[Any], now: datetime) -> None:
    """What the report needs to know about sent messages, kept off the outbox (whose sent
    rows are pruned after the retention period): a week's prompt, a pair's thank-you and
    shout-out reached Slack. One statement each per batch."""
    keys = [row.key for row in rows if row.kind == OutboxKind.PROMPT]
    if keys:
        session.execute(
            update(PairWeek)
            .where(PairWeek.outbox_key.in_(keys), PairWeek.delivered_at.is_(None))
            .values(delivered_at=now)
            .execution_options(synchronize_session=False)
        )
    recognised: dict[str, list[int]] = {"thanks": [], "shoutout": []}
    for row in rows:
        found = outbox_keys.parse_recognition(row.key)
        if row.kind == OutboxKind.RECOGNITION and found is not None:
            recognised[found[0]].append(found[1])
    for which, column in (("thanks", Pair.thanks_sent_at), ("shoutout", Pair.shoutout_sent_at)):
        if recognised[which]:
            session.execute(
                update(Pair)
                .where(Pair.id.in_(recognised[which]), column.is_(None))
                .values({column: now})
                .execution_options(synchronize_session=False)
            )


class FailureAlerts:
    """What happens when Slack refuses a message for good: mark who could not be
    reached, flag the pair for the lead, and tell the leads (once per message)."""

    def __init__(self, lead_ids: frozenset[str]) -> None:
        self._leads = sorted(lead_ids)

    def __call__(self, session: Session, row: object, code: str, now: datetime) -> None:
        kind = getattr(row, "kind", "")
        if kind in LEAD_KINDS:
            return  # never alert about an alert
        pair_id = getattr(row, "pair_id", None)
        person_id = getattr(row, "person_id", None)
        who = ""
        if person_id is not None:
            person = session.get(Person, person_id)
            if person is not None:
                person.unreachable_reason = code
                who = f"<@{person.slack_user_id}>"
        if pair_id is not None:
            pair = session.get(Pair, pair_id)
            if pair is not None:
                pair.at_risk_reason = undeliverable_reason(code)
                pair.at_risk_since = pair.at_risk_since or now
                who = who or f"<@{pair.mentor.slack_user_id}> and <@{pair.mentee.slack_user_id}>"
        key = getattr(row, "key", "?")
        record = session.get(OutboundMessage, getattr(row, "id", 0))
        workspace_id = record.workspace_id if record is not None else None
        if workspace_id is None:
            return
        text = copy.DELIVERY_FAILED_ALERT.format(kind=kind, who=who or "someone", error=code)
        for lead in self._leads:
            enqueue(
                session,
                workspace_id,
                Outgoing(
                    key=outbox_keys.failure_alert(key, lead),
                    kind=OutboxKind.ALERT,
                    text=text,
                    due_at=now,
                    user_id=lead,
                ),
                now,
            )
