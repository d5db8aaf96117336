"""Gentle, async-friendly reminders.

- A pair that has not touched its prompt (no button, no thread reply) three working days
  after it landed gets one nudge in its group DM, when both people are working (or the
  mentor is, if their hours never meet).
- A senior (the mentee) who skipped or snoozed two prompt weeks in a row gets a private
  word, and the pair is flagged for the lead (``senior_skipping``).

At most one reminder per pair per program week (``PairWeek.nudged_at``); nothing while
either person is paused or a prompt of the pair is snoozed.

Reminders are planned at the moment they may go out, not ahead of it like prompts: a
click, a thread reply, a snooze or a pause up to that moment still stops them. The tick
runs every minute, so "the moment" is never more than a minute late.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import copy, outbox_keys
from bot.clock import Clock
from bot.db import unit_of_work
from bot.services.matching.pairs import running_pairs
from bot.services.outbox.delivery import Outgoing, enqueue
from bot.services.weekly.calendar import working_hours
from bot.services.weekly.timing import (
    WorkingHours,
    add_working_days,
    next_shared_working_time,
    next_working_time,
)
from bot.vocabulary import AtRiskReason, OutboxKind
from models import (
    OutboundMessage,
    OutboxStatus,
    Pair,
    PairStatus,
    PairWeek,
    PersonStatus,
)

log = logging.getLogger(__name__)

NUDGE_AFTER_WORKING_DAYS = 3
SKIPPING_OUTCOMES = frozenset({"skipped", "snoozed"})
BATCH = 200  # reminders planned per transaction
# Only the pair's latest prompt can earn a nudge, and it is due within a week of landing;
# older sent prompts need not be read.
_LOOKBACK = timedelta(days=21)


@dataclass(frozen=True)
class _Pair:
    """What planning a reminder needs to know about a pair, read once per tick."""

    id: int
    workspace_id: int
    channel_id: str
    mentor_user: str
    mentee_user: str
    mentee_id: int


@dataclass(frozen=True)
class _Nudge:
    pair: _Pair
    week_id: int
    week: int


@dataclass(frozen=True)
class _SeniorNudge:
    pair: _Pair
    week_id: int
    week: int
    flag: bool  # mark the pair at risk (nothing else flagged it)
    message: bool  # the private word to the senior, now (inside their hours)


@dataclass(frozen=True)
class _Week:
    id: int
    week: int
    outcome: str | None
    engaged_by: str | None
    snoozed_until: datetime | None
    nudged_at: datetime | None


class ReminderService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def plan(self, now: datetime | None = None) -> int:
        """Plan every reminder due at ``now``; returns how many messages were planned.

        Three reads find them for all pairs; only those get a write, in batches. The
        writes are conditional (``nudged_at IS NULL``) and the keys unique, so two
        run-dues at once, or the same tick twice, plan each reminder once.
        """
        now = now or self._clock.now()
        nudges, seniors = self._due(now)
        planned = 0
        for start in range(0, len(nudges), BATCH):
            with unit_of_work(self._sessions) as session:
                for nudge in nudges[start : start + BATCH]:
                    planned += _plan_nudge(session, nudge, now)
        for start in range(0, len(seniors), BATCH):
            with unit_of_work(self._sessions) as session:
                for senior in seniors[start : start + BATCH]:
                    planned += _plan_senior_nudge(session, senior, now)
        if planned or seniors:
            log.info("reminders: %d planned, %d pairs skipping", planned, len(seniors))
        return planned

    def _due(self, now: datetime) -> tuple[list[_Nudge], list[_SeniorNudge]]:
        with self._sessions() as session:
            rows = running_pairs(session)
            weeks: dict[int, list[_Week]] = defaultdict(list)
            for pair_id, *fields in session.execute(
                select(
                    PairWeek.pair_id,
                    PairWeek.id,
                    PairWeek.week,
                    PairWeek.outcome,
                    PairWeek.engaged_by,
                    PairWeek.snoozed_until,
                    PairWeek.nudged_at,
                )
                .join(Pair, PairWeek.pair_id == Pair.id)
                .where(Pair.status == PairStatus.ACTIVE)
                .order_by(PairWeek.pair_id, PairWeek.week)
            ):
                weeks[pair_id].append(_Week(*fields))
            # When each week's prompt last reached the pair (a "different prompt" is a
            # repost with a key of its own: prompt:<pair>:<week>:<variant>).
            landed: dict[int, dict[int, datetime]] = defaultdict(dict)
            for pair_id, key, sent_at in session.execute(
                select(OutboundMessage.pair_id, OutboundMessage.key, OutboundMessage.sent_at)
                .join(Pair, OutboundMessage.pair_id == Pair.id)
                .where(
                    Pair.status == PairStatus.ACTIVE,
                    OutboundMessage.kind == OutboxKind.PROMPT,
                    OutboundMessage.status == OutboxStatus.SENT,
                    OutboundMessage.sent_at >= now - _LOOKBACK,
                )
            ):
                _, week = outbox_keys.parse_prompt(key)
                by_week = landed[pair_id]
                by_week[week] = max(sent_at, by_week.get(week, sent_at))
        nudges: list[_Nudge] = []
        seniors: list[_SeniorNudge] = []
        for pair, program, mentor_row, mentee_row in rows:
            if mentor_row.status != PersonStatus.ACTIVE or mentee_row.status != PersonStatus.ACTIVE:
                continue  # on hold: no reminders at all
            pair_weeks = weeks.get(pair.id, [])
            if any(w.snoozed_until is not None and w.snoozed_until > now for w in pair_weeks):
                continue  # they asked for time: a snooze is not a reason to nudge
            info = _Pair(
                id=pair.id,
                workspace_id=mentor_row.workspace_id,
                channel_id=pair.channel_id,
                mentor_user=mentor_row.slack_user_id,
                mentee_user=mentee_row.slack_user_id,
                mentee_id=mentee_row.id,
            )
            mentor_hours = working_hours(mentor_row, program)
            mentee_hours = working_hours(mentee_row, program)
            nudge = _quiet_week(info, pair_weeks, landed.get(pair.id, {}), now, mentor_hours)
            if nudge is not None and _both_working(now, mentor_hours, mentee_hours):
                nudges.append(nudge)
            senior = _senior_skipping(info, pair_weeks, pair.at_risk_reason, now, mentee_hours)
            if senior is not None:
                seniors.append(senior)
        return nudges, seniors


def _quiet_week(
    pair: _Pair,
    weeks: list[_Week],
    landed: dict[int, datetime],
    now: datetime,
    mentor_hours: WorkingHours,
) -> _Nudge | None:
    """The pair's latest prompt, when nobody has touched it for three working days."""
    if not landed:
        return None
    latest = max(landed)  # an older prompt left alone is not worth a word any more
    week = next((w for w in weeks if w.week == latest), None)
    if week is None or week.outcome is not None or week.nudged_at is not None:
        return None
    if add_working_days(landed[latest], NUDGE_AFTER_WORKING_DAYS, mentor_hours) > now:
        return None
    return _Nudge(pair, week.id, week.week)


def _both_working(now: datetime, mentor: WorkingHours, mentee: WorkingHours) -> bool:
    """Whether ``now`` is a good moment for the pair: inside both people's hours when
    those ever meet, else inside the mentor's."""
    shared = next_shared_working_time(now, (mentor, mentee))
    if shared is not None:
        return shared <= now
    return next_working_time(now, mentor) <= now


def _senior_skipping(
    pair: _Pair,
    weeks: list[_Week],
    at_risk_reason: str | None,
    now: datetime,
    mentee_hours: WorkingHours,
) -> _SeniorNudge | None:
    """The mentee skipped or snoozed the last two prompt weeks the pair answered (exactly
    two: a third skip does not repeat the word), and that is not dealt with yet."""
    answered = [i for i, w in enumerate(weeks) if w.outcome is not None]
    if not answered:
        return None
    last = answered[-1]

    def skipped_by_senior(i: int) -> bool:
        return (
            i >= 0
            and weeks[i].outcome in SKIPPING_OUTCOMES
            and weeks[i].engaged_by == pair.mentee_user
        )

    if not (skipped_by_senior(last) and skipped_by_senior(last - 1)):
        return None
    if skipped_by_senior(last - 2):
        return None  # the streak started earlier and was dealt with then
    week = weeks[last]
    flag = at_risk_reason is None
    # The week's one reminder may have gone already (the quiet-week nudge, before the
    # skip): then the lead is told, and the senior is not messaged again this week.
    message = week.nudged_at is None and next_working_time(now, mentee_hours) <= now
    if not (flag or message):
        return None
    return _SeniorNudge(pair, week.id, week.week, flag, message)


def _claim_week(session: Session, week_id: int, now: datetime, *, untouched: bool) -> bool:
    """Mark the week as reminded, unless a reminder (or, for a nudge, a click) beat us."""
    query = update(PairWeek).where(PairWeek.id == week_id, PairWeek.nudged_at.is_(None))
    if untouched:
        query = query.where(PairWeek.outcome.is_(None))
    claimed = session.execute(
        query.values(nudged_at=now).execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def _plan_nudge(session: Session, nudge: _Nudge, now: datetime) -> int:
    if not _claim_week(session, nudge.week_id, now, untouched=True):
        return 0
    pair = nudge.pair
    enqueue(
        session,
        pair.workspace_id,
        Outgoing(
            key=outbox_keys.nudge(pair.id, nudge.week),
            kind=OutboxKind.REMINDER,
            text=copy.NUDGE.format(mentor=pair.mentor_user, mentee=pair.mentee_user),
            due_at=now,
            channel_id=pair.channel_id,
            pair_id=pair.id,
        ),
        now,
    )
    return 1


def _plan_senior_nudge(session: Session, senior: _SeniorNudge, now: datetime) -> int:
    pair = senior.pair
    if senior.flag:
        session.execute(
            update(Pair)
            .where(Pair.id == pair.id, Pair.at_risk_reason.is_(None))
            .values(at_risk_reason=AtRiskReason.SENIOR_SKIPPING, at_risk_since=now)
            .execution_options(synchronize_session=False)
        )
    if not senior.message or not _claim_week(session, senior.week_id, now, untouched=False):
        return 0
    enqueue(
        session,
        pair.workspace_id,
        Outgoing(
            key=outbox_keys.senior_nudge(pair.id, senior.week),
            kind=OutboxKind.REMINDER,
            text=copy.SENIOR_NUDGE.format(mentee=pair.mentee_user, mentor=pair.mentor_user),
            due_at=now,
            user_id=pair.mentee_user,
            pair_id=pair.id,
            person_id=pair.mentee_id,
        ),
        now,
    )
    return 1
