"""Feedback check-ins: every N program weeks each person of a pair is asked privately
"Did you meet?", then a short form. The partner never sees a check-in; a comment reaches
a lead only when its author ticks "share".

When: check-in k belongs to program week ``k * checkin_every_weeks``, except the last,
which is always in the program's final week (so it doubles as end-of-program feedback:
``final``); none is ever past the program's length. Each is asked on its week's Thursday,
at the start of each person's own working hours on their own Thursday. Thursday leaves
the pair most of the week to meet after Monday's prompt, and "not yet, ask again in two
days" still lands inside the same working week or on the Monday after. Weeks count from
``first_monday(pair.created_at, mentor.tz)``, exactly as the weekly prompts do.

A pair on hold (either person paused) gets no check-in: the question is about meeting,
and the prompts stop for both as well. A check-in whose week ends while the pair is on
hold is skipped for good; one whose slot passed while the bot was down is asked at the
person's next working moment, as long as its week has not ended.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import copy, outbox_keys
from bot.clock import Clock
from bot.db import unit_of_work
from bot.errors import FormErrors, UserFacingError
from bot.ids import CheckInField
from bot.mrkdwn import unreadable
from bot.services.matching.pairs import running_pairs
from bot.services.outbox.delivery import Outgoing, enqueue
from bot.services.weekly.calendar import first_monday, working_hours
from bot.services.weekly.timing import WorkingHours, next_working_time
from bot.shapes.checkins import (
    CANDID_CHOICES,
    MAX_TEXT_CHARS,
    RATINGS,
    CheckInForm,
    CheckInSubmission,
)
from bot.views.checkins import checkin_message
from bot.vocabulary import OutboxKind
from models import (
    CheckIn,
    OutboundMessage,
    OutboxStatus,
    Pair,
    PairStatus,
    Person,
    PersonStatus,
    Program,
    Workspace,
)

log = logging.getLogger(__name__)

HORIZON = timedelta(days=1)  # planned a day ahead, so one missed tick never makes it late
ASK_AGAIN_AFTER = timedelta(days=2)
CHECKIN_WEEKDAY = 3  # Thursday, in each person's own calendar
BATCH = 200  # check-ins planned per transaction
# Check-ins considered by a tick are for weeks current-1 .. current+1, so their asked_at
# is never older than about two weeks; older rows need not be read.
_LOOKBACK = timedelta(days=21)
MET_CHOICES = ("met", "not_yet", "couldnt")


@dataclass(frozen=True)
class MetAnswer:
    """What "Did you meet?" led to: a form to open (met, couldn't) or, for "not yet",
    when we will ask again (None: we already did once and won't again)."""

    checkin_id: int
    choice: str
    form: CheckInForm | None = None
    again_at: datetime | None = None


@dataclass(frozen=True)
class CheckInSaved:
    checkin_id: int
    number: int
    rating: int
    share_with_lead: bool


@dataclass(frozen=True)
class _Todo:
    """One check-in to plan, with everything its DM needs (read in the tick's one query)."""

    workspace_id: int
    pair_id: int
    person_id: int
    user_id: str
    partner_user: str
    number: int
    week: int
    total: int
    every_weeks: int
    due: datetime


class CheckInService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    # --- planning (run_due) -----------------------------------------------------

    def plan(self, now: datetime) -> int:
        """Plan every check-in whose slot is within a day of ``now``; returns how many.

        One read for all pairs (and one for the check-ins they already have), then writes
        in batches, only for what is new: a tick with nothing to do costs two queries.
        """
        todo = self._checkins_to_plan(now)
        planned = 0
        for start in range(0, len(todo), BATCH):
            with unit_of_work(self._sessions) as session:
                for item in todo[start : start + BATCH]:
                    try:
                        with session.begin_nested():
                            self._plan_one(session, item, now)
                            planned += 1
                    except IntegrityError:
                        continue  # another run-due planned this one a moment ago
        return planned

    def _checkins_to_plan(self, now: datetime) -> list[_Todo]:
        with self._sessions() as session:
            rows = running_pairs(session)
            planned = {
                (pair_id, person_id, number)
                for pair_id, person_id, number in session.execute(
                    select(CheckIn.pair_id, CheckIn.person_id, CheckIn.number)
                    .join(Pair, CheckIn.pair_id == Pair.id)
                    .where(Pair.status == PairStatus.ACTIVE, CheckIn.asked_at >= now - _LOOKBACK)
                )
            }
        todo: list[_Todo] = []
        for pair, program, mentor_row, mentee_row in rows:
            if {mentor_row.status, mentee_row.status} != {PersonStatus.ACTIVE}:
                continue  # on hold: nothing is sent to someone paused, nor about them
            every = program.checkin_every_weeks
            if every < 1:
                continue
            monday = first_monday(pair.created_at, mentor_row.tz)
            for person, partner in ((mentor_row, mentee_row), (mentee_row, mentor_row)):
                hours = working_hours(person, program)
                for number, week, due in due_checkins(
                    monday, every, program.length_weeks, hours, now
                ):
                    if (pair.id, person.id, number) in planned:
                        continue
                    todo.append(
                        _Todo(
                            workspace_id=person.workspace_id,
                            pair_id=pair.id,
                            person_id=person.id,
                            user_id=person.slack_user_id,
                            partner_user=partner.slack_user_id,
                            number=number,
                            week=week,
                            total=len(checkin_weeks(every, program.length_weeks)),
                            every_weeks=every,
                            due=due,
                        )
                    )
        return todo

    @staticmethod
    def _plan_one(session: Session, item: _Todo, now: datetime) -> None:
        row = CheckIn(
            pair_id=item.pair_id,
            person_id=item.person_id,
            number=item.number,
            week=item.week,
            asked_at=item.due,
            share_with_lead=False,
            final=item.number == item.total,  # in the program's last week
        )
        session.add(row)
        session.flush()  # the id goes on the buttons; a duplicate fails here
        text, blocks = checkin_message(
            checkin_id=row.id,
            number=item.number,
            total=item.total,
            every_weeks=item.every_weeks,
            partner_user=item.partner_user,
        )
        enqueue(
            session,
            item.workspace_id,
            Outgoing(
                key=outbox_keys.checkin(item.pair_id, item.person_id, item.number),
                kind=OutboxKind.CHECKIN,
                text=text,
                blocks=blocks,
                due_at=item.due,
                user_id=item.user_id,
                pair_id=item.pair_id,
                person_id=item.person_id,
            ),
            now,
        )

    # --- answers -----------------------------------------------------------------

    def answer_met(self, team_id: str, user_id: str, checkin_id: int, choice: str) -> MetAnswer:
        """Did you meet? ``met`` and ``couldnt`` lead to the form; ``not_yet`` asks the
        same question again two days later, in the person's working hours, once."""
        if choice not in MET_CHOICES:
            raise ValueError(choice)
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            checkin, pair, program, person = _own_checkin(session, team_id, user_id, checkin_id)
            partner = pair.mentee if person.id == pair.mentor_id else pair.mentor
            if choice != "not_yet":
                checkin.met = choice
                _cancel_ask_again(session, checkin)  # answered: no need to ask again
                return MetAnswer(checkin.id, choice, form=_form(checkin, pair, person, partner))
            if checkin.met is None:
                checkin.met = "not_yet"  # an earlier "met" or "couldn't" stands
            if checkin.asked_again_at is not None:
                return MetAnswer(checkin.id, choice)
            again = next_working_time(now + ASK_AGAIN_AFTER, working_hours(person, program))
            checkin.asked_again_at = again
            text, blocks = checkin_message(
                checkin_id=checkin.id,
                number=checkin.number,
                total=len(checkin_weeks(program.checkin_every_weeks, program.length_weeks)),
                every_weeks=program.checkin_every_weeks,
                partner_user=partner.slack_user_id,
                again=True,
            )
            enqueue(
                session,
                person.workspace_id,
                Outgoing(
                    key=outbox_keys.checkin_again(pair.id, person.id, checkin.number),
                    kind=OutboxKind.CHECKIN,
                    text=text,
                    blocks=blocks,
                    due_at=again,
                    user_id=person.slack_user_id,
                    pair_id=pair.id,
                    person_id=person.id,
                ),
                now,
            )
            return MetAnswer(checkin.id, choice, again_at=again)

    def submit(
        self, team_id: str, user_id: str, checkin_id: int, submission: CheckInSubmission
    ) -> CheckInSaved:
        """Store the form; only the check-in's own person may. Raises FormErrors keyed by
        block_id. Answering again replaces the earlier answers."""
        with unit_of_work(self._sessions) as session:
            checkin, pair, _, person = _own_checkin(session, team_id, user_id, checkin_id)
            is_mentor = person.id == pair.mentor_id
            errors: dict[str, str] = {}
            rating = _rating(submission.rating, errors)
            learned = _text(CheckInField.LEARNED, submission.learned, errors)
            blockers = _text(CheckInField.BLOCKERS, submission.blockers, errors)
            candid = None
            if is_mentor and submission.candid is not None:
                if submission.candid in CANDID_CHOICES:
                    candid = submission.candid
                else:
                    errors[CheckInField.CANDID] = copy.ERR_CHOOSE_FROM_LIST
            # A mentee is never asked about candour: whatever arrives for it is dropped.
            if errors:
                raise FormErrors(errors)
            assert rating is not None
            checkin.rating = rating
            checkin.learned = learned
            checkin.blockers = blockers
            checkin.share_with_lead = bool(submission.share_with_lead)
            checkin.candid = candid
            checkin.answered_at = self._clock.now()
            _cancel_ask_again(session, checkin)
            return CheckInSaved(checkin.id, checkin.number, rating, checkin.share_with_lead)


def due_checkins(
    monday: date, every: int, length_weeks: int, hours: WorkingHours, now: datetime
) -> list[tuple[int, int, datetime]]:
    """(number, week, when) of one person's check-ins to plan at ``now``.

    ``monday`` starts program week 1. A check-in is open from a day before its slot until
    its week ends in the person's zone; a late one is asked at their next working moment.
    """
    today = now.astimezone(UTC).date()
    current = (today - monday).days // 7 + 1
    due = []
    for number, week in enumerate(checkin_weeks(every, length_weeks), start=1):
        # One week either side of today's (UTC) week covers every time zone's calendar.
        if not current - 1 <= week <= current + 1:
            continue
        start = monday + timedelta(weeks=week - 1)
        slot = checkin_slot(start, hours)
        ends = _local_midnight(start + timedelta(weeks=1), hours)
        if slot - HORIZON <= now < ends:
            due.append((number, week, slot if slot >= now else next_working_time(now, hours)))
    return due


def checkin_weeks(every: int, length_weeks: int) -> list[int]:
    """The program weeks with a check-in: every ``every`` weeks, the last one moved to the
    final week (12 weeks every 2: 2, 4, ... 12; 10 weeks every 4: 4, 10)."""
    count = max(1, length_weeks // every)
    return [every * k for k in range(1, count)] + [length_weeks]


def checkin_slot(week_start: date, hours: WorkingHours) -> datetime:
    """The start of the person's working hours on the Thursday of the week starting on
    Monday ``week_start`` (their local date), or their next working moment after it."""
    thursday = week_start + timedelta(days=CHECKIN_WEEKDAY)
    return next_working_time(_local_midnight(thursday, hours), hours)


def _local_midnight(day: date, hours: WorkingHours) -> datetime:
    return datetime.combine(day, time(0), tzinfo=hours.zone)


def _own_checkin(
    session: Session, team_id: str, user_id: str, checkin_id: int
) -> tuple[CheckIn, Pair, Program, Person]:
    found = session.execute(
        select(CheckIn, Pair, Program, Person)
        .join(Pair, CheckIn.pair_id == Pair.id)
        .join(Program, Pair.program_id == Program.id)
        .join(Person, CheckIn.person_id == Person.id)
        .join(Workspace, Person.workspace_id == Workspace.id)
        .where(
            CheckIn.id == checkin_id,
            Workspace.slack_team_id == team_id,
            Person.slack_user_id == user_id,
        )
    ).one_or_none()
    if found is None:
        # Someone else's (the partner's, say) or gone: one answer, so nothing leaks.
        raise UserFacingError(copy.CHECKIN_NOT_YOURS)
    checkin, pair, program, person = found
    return checkin, pair, program, person


def _form(checkin: CheckIn, pair: Pair, person: Person, partner: Person) -> CheckInForm:
    return CheckInForm(
        checkin_id=checkin.id,
        met=checkin.met or "met",
        is_mentor=person.id == pair.mentor_id,
        partner_user=partner.slack_user_id,
        rating=checkin.rating,
        learned=checkin.learned,
        blockers=checkin.blockers,
        share_with_lead=checkin.share_with_lead,
        candid=checkin.candid,
    )


def _cancel_ask_again(session: Session, checkin: CheckIn) -> None:
    """An answer makes a pending "asking again" message pointless."""
    session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.key
            == outbox_keys.checkin_again(checkin.pair_id, checkin.person_id, checkin.number),
            OutboundMessage.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.CANCELLED, last_error="answered")
        .execution_options(synchronize_session=False)
    )


def _rating(value: str | None, errors: dict[str, str]) -> int | None:
    try:
        rating = int(value or "")
    except ValueError:
        rating = None
    if rating not in RATINGS:
        errors[CheckInField.RATING] = copy.ERR_CHECKIN_RATING
        return None
    return rating


def _text(field: CheckInField, value: str | None, errors: dict[str, str]) -> str | None:
    text = (value or "").strip()
    if unreadable(text):
        errors[field] = copy.ERR_UNREADABLE_TEXT
        return None
    if len(text) > MAX_TEXT_CHARS:
        errors[field] = copy.ERR_TOO_LONG.format(n=MAX_TEXT_CHARS)
        return None
    return text or None
