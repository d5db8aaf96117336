"""Weekly prompts: which program week each pair is in, and its prompt, planned as an
outbox row that lands on the pair's day inside both people's working hours."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import outbox_keys
from bot.db import unit_of_work
from bot.services.matching.pairs import running_pairs, shared_skills
from bot.services.outbox.delivery import Outgoing, enqueue
from bot.services.weekly.calendar import first_monday, working_hours
from bot.services.weekly.prompts import PromptLibrary, choose_prompt, load_library
from bot.services.weekly.timing import next_working_time, prompt_slot
from bot.shapes.prompts import Prompt
from bot.views.prompts import prompt_blocks
from bot.vocabulary import OutboxKind
from models import (
    Pair,
    PairStatus,
    PairWeek,
    Person,
    PersonStatus,
    Program,
)

log = logging.getLogger(__name__)

# Plan a week's prompt a day ahead of its slot, so one missed tick never makes it late.
HORIZON = timedelta(days=1)
BATCH = 200  # pairs planned per transaction


@dataclass(frozen=True)
class PlanReport:
    planned: int
    skipped_paused: int


class WeeklyPrompts:
    def __init__(self, sessions: sessionmaker[Session], library: PromptLibrary | None = None):
        self._sessions = sessions
        self._library = library or load_library()

    def plan(self, now: datetime) -> PlanReport:
        """Plan every active pair's prompt whose slot is within a day of ``now``.

        One read finds the weeks to plan for all pairs; only those get a write, in
        batches, so a tick with nothing to do costs two queries however many pairs run.
        """
        todo, paused = self._weeks_to_plan(now)
        planned = 0
        for start in range(0, len(todo), BATCH):
            with unit_of_work(self._sessions) as session:
                for pair_id, week, due in todo[start : start + BATCH]:
                    try:
                        with session.begin_nested():
                            planned += self._plan_week(session, pair_id, week, due, now)
                    except IntegrityError:
                        continue  # another run-due planned this week a moment ago
        return PlanReport(planned, paused)

    def _weeks_to_plan(self, now: datetime) -> tuple[list[tuple[int, int, datetime]], int]:
        with self._sessions() as session:
            rows = running_pairs(session)
            planned = {
                (pair_id, week)
                for pair_id, week in session.execute(
                    select(PairWeek.pair_id, PairWeek.week)
                    .join(Pair, PairWeek.pair_id == Pair.id)
                    .where(Pair.status == PairStatus.ACTIVE)
                )
            }
        todo: list[tuple[int, int, datetime]] = []
        paused = 0
        for pair, program, mentor_row, mentee_row in rows:
            for week, due in _due_weeks(pair, program, mentor_row, mentee_row, now):
                if (pair.id, week) in planned:
                    continue
                if PersonStatus.PAUSED in (mentor_row.status, mentee_row.status):
                    paused += 1  # nothing is sent to someone paused; the week passes
                    continue
                todo.append((pair.id, week, due))
        return todo, paused

    def _plan_week(
        self, session: Session, pair_id: int, week: int, due: datetime, now: datetime
    ) -> int:
        pair = session.get_one(Pair, pair_id)
        program = session.get_one(Program, pair.program_id)
        used: set[str] = set()
        for prompt_id, replaced in session.execute(
            select(PairWeek.prompt_id, PairWeek.replaced_prompts).where(PairWeek.pair_id == pair.id)
        ):
            used |= {prompt_id, *(replaced or ())}
        try:
            prompt = choose_prompt(
                self._library,
                week,
                program.length_weeks,
                shared_skills(session, pair),
                used,
                pair.id,
            )
        except LookupError:
            log.info("pair %s has had every prompt; week %s passes without one", pair.id, week)
            return 0
        key = outbox_keys.prompt(pair.id, week)
        row = PairWeek(
            pair_id=pair.id,
            week=week,
            prompt_id=prompt.id,
            slot_at=due,
            outbox_key=key,
            prompt_changes=0,
            replaced_prompts=[],
        )
        session.add(row)
        session.flush()  # the id goes on the buttons
        enqueue_prompt(session, pair, program, row, prompt, key=key, due=due, now=now)
        return 1


def enqueue_prompt(
    session: Session,
    pair: Pair,
    program: Program,
    week: PairWeek,
    prompt: Prompt,
    *,
    key: str,
    due: datetime,
    now: datetime,
) -> None:
    """Put a week's prompt, with its buttons, in the pair's group DM via the outbox."""
    assert pair.channel_id is not None
    text, blocks = prompt_blocks(
        prompt,
        week=week.week,
        length_weeks=program.length_weeks,
        pair_week_id=week.id,
        mentor=pair.mentor.slack_user_id,
        mentee=pair.mentee.slack_user_id,
    )
    enqueue(
        session,
        pair.mentor.workspace_id,
        Outgoing(
            key=key,
            kind=OutboxKind.PROMPT,
            text=text,
            blocks=blocks,
            due_at=due,
            channel_id=pair.channel_id,
            pair_id=pair.id,
        ),
        now,
    )


def _due_weeks(
    pair: Pair, program: Program, mentor: Person, mentee: Person, now: datetime
) -> list[tuple[int, datetime]]:
    """The pair's program weeks (this one and the next) whose prompt slot is within the
    planning horizon of ``now``, with when each should land."""
    mentor_hours = working_hours(mentor, program)
    mentee_hours = working_hours(mentee, program)
    monday = first_monday(pair.created_at, mentor.tz)
    today = now.astimezone(mentor_hours.zone).date()
    current = (today - monday).days // 7 + 1
    weekday = mentor.preferred_weekday
    if weekday is None:
        weekday = mentee.preferred_weekday
    due = []
    for week in (current, current + 1):
        if not 1 <= week <= program.length_weeks or (week - 1) % program.prompt_every_weeks:
            continue
        slot = prompt_slot(monday + timedelta(weeks=week - 1), weekday, mentor_hours, mentee_hours)
        if slot - HORIZON <= now:
            # Late (the bot was down)? Then the next moment the mentor is working.
            due.append((week, slot if slot >= now else next_working_time(now, mentor_hours)))
    return due
