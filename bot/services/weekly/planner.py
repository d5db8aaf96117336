"""Weekly prompts: which program week each pair is in, and its prompt, planned as an
outbox row that lands on the pair's day inside both people's working hours."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Bundle, Session, sessionmaker

from bot import outbox_keys
from bot.db import unit_of_work
from bot.services.matching.pairs import of_running_pairs
from bot.services.outbox.delivery import Outgoing, enqueue, enqueue_many
from bot.services.weekly.calendar import first_monday, working_hours
from bot.services.weekly.prompts import PromptLibrary, choose_prompt, load_library
from bot.services.weekly.timing import next_working_time, prompt_slot
from bot.shapes.prompts import Prompt
from bot.views.prompts import prompt_blocks
from bot.vocabulary import OutboxKind
from models import (
    MENTEE,
    MENTOR,
    Pair,
    PairStatus,
    PairWeek,
    Person,
    PersonSkill,
    PersonStatus,
    Program,
    Skill,
    SkillDirection,
)

log = logging.getLogger(__name__)

# Plan a week's prompt a day ahead of its slot, so one missed tick never makes it late.
HORIZON = timedelta(days=1)
# Pairs planned per transaction, in a few statements whatever the size: big enough that
# the round trips cost little, small enough that SQLite's one writer (whom a join waits
# for) is never held for more than a moment.
BATCH = 500


@dataclass(frozen=True)
class PlanReport:
    planned: int
    skipped_paused: int


@dataclass(frozen=True)
class PromptPair:
    """What a pair's prompt message needs to know of the pair: where it goes, whom it
    names, and how long the program is."""

    pair_id: int
    workspace_id: int
    channel_id: str
    mentor_user: str
    mentee_user: str
    length_weeks: int

    @classmethod
    def of(cls, pair: Any, program: Any, mentor: Any, mentee: Any) -> PromptPair:
        """From the rows (or the planner's columns of them) of the pair, its program and
        its two people."""
        assert pair.channel_id is not None
        return cls(
            pair_id=pair.id,
            workspace_id=mentor.workspace_id,
            channel_id=pair.channel_id,
            mentor_user=mentor.slack_user_id,
            mentee_user=mentee.slack_user_id,
            length_weeks=program.length_weeks,
        )


@dataclass(frozen=True)
class _WeekToPlan:
    """A pair week whose prompt is due, with all that planning it needs of the pair, read
    with every running pair at once, so that a batch of them costs a few statements."""

    pair: PromptPair
    mentor_id: int
    mentee_id: int
    week: int
    due: datetime


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
                planned += self._plan_batch(session, todo[start : start + BATCH], now)
        return PlanReport(planned, paused)

    def _weeks_to_plan(self, now: datetime) -> tuple[list[_WeekToPlan], int]:
        with self._sessions() as session:
            rows = session.execute(_running_pairs_read()).all()
            planned = {
                (pair_id, week)
                for pair_id, week in session.execute(
                    select(PairWeek.pair_id, PairWeek.week)
                    .join(Pair, PairWeek.pair_id == Pair.id)
                    .where(Pair.status == PairStatus.ACTIVE)
                )
            }
        todo: list[_WeekToPlan] = []
        paused = 0
        for pair, program, mentor_row, mentee_row in rows:
            for week, due in _due_weeks(pair, program, mentor_row, mentee_row, now):
                if (pair.id, week) in planned:
                    continue
                if PersonStatus.PAUSED in (mentor_row.status, mentee_row.status):
                    paused += 1  # nothing is sent to someone paused; the week passes
                    continue
                todo.append(
                    _WeekToPlan(
                        PromptPair.of(pair, program, mentor_row, mentee_row),
                        pair.mentor_id,
                        pair.mentee_id,
                        week,
                        due,
                    )
                )
        return todo, paused

    def _plan_batch(self, session: Session, batch: Sequence[_WeekToPlan], now: datetime) -> int:
        try:
            with session.begin_nested():
                return self._plan_weeks(session, batch, now)
        except IntegrityError:
            # Another run-due planned some of these weeks a moment ago: plan the batch
            # again a week at a time, leaving out the ones it has.
            return sum(self._plan_alone(session, week, now) for week in batch)

    def _plan_alone(self, session: Session, week: _WeekToPlan, now: datetime) -> int:
        try:
            with session.begin_nested():
                return self._plan_weeks(session, [week], now)
        except IntegrityError:
            return 0  # another run-due planned this week a moment ago

    def _plan_weeks(self, session: Session, weeks: Sequence[_WeekToPlan], now: datetime) -> int:
        """Choose each week's prompt, then write every pair week and outbox row of the
        batch in one statement each; returns how many weeks were planned."""
        used = _used_prompts(session, {w.pair.pair_id for w in weeks})
        skills = _shared_skills(session, weeks)
        chosen: list[tuple[_WeekToPlan, Prompt]] = []
        for week in weeks:
            prompt = self._choose(week, skills[week.pair.pair_id], used[week.pair.pair_id])
            if prompt is None:
                continue
            # A pair with two weeks due (the bot was down) must not get the same prompt
            # twice: the second choice sees the first, as if it were already stored.
            used[week.pair.pair_id].add(prompt.id)
            chosen.append((week, prompt))
        ids = _insert_pair_weeks(session, chosen)
        enqueue_many(
            session,
            [
                (
                    week.pair.workspace_id,
                    prompt_message(
                        week.pair,
                        week.week,
                        ids[week.pair.pair_id, week.week],
                        prompt,
                        key=outbox_keys.prompt(week.pair.pair_id, week.week),
                        due=week.due,
                    ),
                )
                for week, prompt in chosen
            ],
            now,
        )
        return len(chosen)

    def _choose(self, week: _WeekToPlan, skills: list[str], used: set[str]) -> Prompt | None:
        pair_id = week.pair.pair_id
        try:
            return choose_prompt(
                self._library, week.week, week.pair.length_weeks, skills, used, pair_id
            )
        except LookupError:
            log.info("pair %s has had every prompt; week %s passes without one", pair_id, week.week)
            return None


def _running_pairs_read() -> Select[tuple[Row[Any], Row[Any], Row[Any], Row[Any]]]:
    """The running pairs, as ``running_pairs`` has them, but only the columns planning
    reads, in four bundles named like the ORM rows: loading 10,000 pairs, their program
    and 20,000 people as ORM objects took a second and a half of every tick's planning."""
    return of_running_pairs(
        select(
            Bundle(
                "pair", Pair.id, Pair.created_at, Pair.mentor_id, Pair.mentee_id, Pair.channel_id
            ),
            Bundle(
                "program",
                Program.length_weeks,
                Program.prompt_every_weeks,
                Program.workday_start_hour,
                Program.workday_end_hour,
            ),
            _person_columns("mentor", MENTOR),
            _person_columns("mentee", MENTEE),
        )
    )


def _person_columns(name: str, person: type[Person]) -> Bundle[Any]:
    return Bundle(
        name,
        person.workspace_id,
        person.slack_user_id,
        person.status,
        person.tz,
        person.preferred_weekday,
        person.window_start_hour,
        person.window_end_hour,
    )


def _used_prompts(session: Session, pair_ids: Collection[int]) -> defaultdict[int, set[str]]:
    """Each pair's prompts so far, those swapped away included: never offered again."""
    used: defaultdict[int, set[str]] = defaultdict(set)
    for pair_id, prompt_id, replaced in session.execute(
        select(PairWeek.pair_id, PairWeek.prompt_id, PairWeek.replaced_prompts).where(
            PairWeek.pair_id.in_(pair_ids)
        )
    ):
        used[pair_id] |= {prompt_id, *(replaced or ())}
    return used


def _shared_skills(session: Session, weeks: Sequence[_WeekToPlan]) -> dict[int, list[str]]:
    """Each pair's ``shared_skills`` (what the mentor teaches that the mentee wants, in
    catalogue order), for a whole batch in one query rather than one per pair."""
    people = {w.mentor_id for w in weeks} | {w.mentee_id for w in weeks}
    positions: defaultdict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for person_id, direction, slug, position in session.execute(
        select(PersonSkill.person_id, PersonSkill.direction, Skill.slug, Skill.position)
        .join(Skill, PersonSkill.skill_id == Skill.id)
        .where(PersonSkill.person_id.in_(people))
    ):
        positions[person_id, direction][slug] = position
    shared = {}
    for week in weeks:
        teaches = positions[week.mentor_id, SkillDirection.TEACH]
        learns = positions[week.mentee_id, SkillDirection.LEARN]
        shared[week.pair.pair_id] = sorted(
            teaches.keys() & learns.keys(), key=lambda s: (teaches[s], s)
        )
    return shared


def _insert_pair_weeks(
    session: Session, chosen: Sequence[tuple[_WeekToPlan, Prompt]]
) -> dict[tuple[int, int], int]:
    """Store the planned weeks; (pair id, week) -> the row's id, which goes on the buttons."""
    if not chosen:
        return {}
    rows = session.execute(
        insert(PairWeek.__table__).returning(PairWeek.pair_id, PairWeek.week, PairWeek.id),
        [
            {
                "pair_id": week.pair.pair_id,
                "week": week.week,
                "prompt_id": prompt.id,
                "slot_at": week.due,
                "outbox_key": outbox_keys.prompt(week.pair.pair_id, week.week),
                "prompt_changes": 0,
                "replaced_prompts": [],
            }
            for week, prompt in chosen
        ],
    )
    return {(pair_id, week): row_id for pair_id, week, row_id in rows}


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
    target = PromptPair.of(pair, program, pair.mentor, pair.mentee)
    message = prompt_message(target, week.week, week.id, prompt, key=key, due=due)
    enqueue(session, target.workspace_id, message, now)


def prompt_message(
    pair: PromptPair, week: int, pair_week_id: int, prompt: Prompt, *, key: str, due: datetime
) -> Outgoing:
    """A week's prompt, with its buttons, for the pair's group DM."""
    text, blocks = prompt_blocks(
        prompt,
        week=week,
        length_weeks=pair.length_weeks,
        pair_week_id=pair_week_id,
        mentor=pair.mentor_user,
        mentee=pair.mentee_user,
    )
    return Outgoing(
        key=key,
        kind=OutboxKind.PROMPT,
        text=text,
        blocks=blocks,
        due_at=due,
        channel_id=pair.channel_id,
        pair_id=pair.pair_id,
    )


def _due_weeks(
    pair: Row[Any], program: Row[Any], mentor: Row[Any], mentee: Row[Any], now: datetime
) -> list[tuple[int, datetime]]:
    """The pair's program weeks (this one and the next) whose prompt slot is within the
    planning horizon of ``now``, with when each should land. Takes the bundles of
    ``_running_pairs_read``."""
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
