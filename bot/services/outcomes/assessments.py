"""Confidence self-assessments, before and after: how confident each person feels (1-5) in
every skill they teach or learn and, for junior mentors, in three leadership behaviours.

When: ``before`` shortly after someone joins (planned by the tick, not in the join
request, once Slack has told us their time zone), at their next working moment; only for
people who joined in the last ``BEFORE_WITHIN``, so a deploy does not ask a running cohort
what it felt like at the start. ``after`` in the program's final week (the week of the final
check-in, see weekly/checkins.py), on its Friday at the start of the person's working
hours, for everyone in a running pair; a slot missed while the bot was down is asked at
their next working moment while that week lasts. ``after`` asks the same areas as
``before`` did, so the two compare.

Exactly once: a row per (person, program, phase), unique in the database, written in the
same transaction as the outbox row, whose key is unique too. Nobody paused or gone is
asked: planning skips them, and the delivery guard drops a DM planned before they paused.
Unlike a check-in, an ``after`` is about the person, not the pair: a partner on pause does
not hold it back.

Answers: only the person asked may answer, once; every area asked needs a score from 1 to
5; skipping is final. An answer after ``closes_at`` (``BEFORE_OPEN`` after a ``before`` was
asked, ``AFTER_OPEN`` after the program ended for an ``after``) is thanked and dropped.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import copy, outbox_keys
from bot.clock import Clock
from bot.db import unit_of_work
from bot.errors import FormErrors, UserFacingError
from bot.ids import assessment_block_id
from bot.services.matching.pairs import pairs_ending_between
from bot.services.outbox.delivery import Outgoing, enqueue
from bot.services.outcomes.asking import (
    Refusals,
    ask_again,
    held_while_away,
    posted,
    require_open,
    settle,
)
from bot.services.programs.lifecycle import program_end
from bot.services.weekly.calendar import first_monday, working_hours
from bot.services.weekly.timing import WorkingHours, next_working_time
from bot.shapes.assessments import (
    LEADERSHIP_BEHAVIOURS,
    MAX_AREAS,
    SCORES,
    AssessmentArea,
    AssessmentAsk,
    AssessmentForm,
    AssessmentSaved,
    AssessmentSubmission,
)
from bot.slack.errors import SlackError
from bot.slack.workspaces import SlackWorkspaces
from bot.views.assessments import assessment_answered_message, assessment_message
from bot.vocabulary import OutboxKind
from models import (
    AssessmentPhase,
    PairStatus,
    Person,
    PersonSkill,
    PersonStatus,
    Program,
    Role,
    SelfAssessment,
    SelfAssessmentScore,
    Skill,
    Workspace,
)

log = logging.getLogger(__name__)

AFTER_JOINING = timedelta(minutes=10)  # the welcome DM lands first
# "Shortly after joining": the first tick after the join plans it (whatever day it is
# then due); this only bounds how late a join may first be seen (a deploy of this feature
# onto a running cohort, an outage) for "before" still to mean before.
BEFORE_WITHIN = timedelta(days=3)
# Slack's time zone is looked up right after the join; without it by then, UTC hours.
TZ_WAIT = timedelta(hours=1)
BEFORE_OPEN = timedelta(days=28)  # a "before" answered later says little about the start
AFTER_WEEKDAY = 4  # Friday of the final week: the final check-in has Thursday
AFTER_OPEN = timedelta(days=14)  # answers taken this long after the program ended
HORIZON = timedelta(days=1)  # planned a day ahead, so one missed tick never makes it late
BATCH = 200  # assessments planned per transaction
_VALID_SCORES = {str(n): n for n in SCORES}
_REFUSALS = Refusals(
    answered=copy.ASSESSMENT_ALREADY_ANSWERED,
    skipped=copy.ASSESSMENT_ALREADY_SKIPPED,
    closed=copy.ASSESSMENT_CLOSED,
)
# The final week, the day ahead of it and a day for zones ahead of the mentor's.
_FINAL_WEEK_AND_MARGIN = timedelta(days=9)


@dataclass(frozen=True)
class _Todo:
    """One assessment to plan, with everything its row and DM need."""

    workspace_id: int
    program_id: int
    program_name: str
    person_id: int
    user_id: str
    phase: AssessmentPhase
    areas: tuple[str, ...]
    due: datetime
    closes_at: datetime


@dataclass(frozen=True)
class _AfterSlot:
    person: Person
    program: Program
    due: datetime
    ends: datetime


class AssessmentService:
    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, slack: SlackWorkspaces | None = None
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._slack = slack

    # --- planning (run_due) -----------------------------------------------------

    def plan(self, now: datetime) -> int:
        """Plan every assessment that has come due by ``now``; returns how many."""
        todo = self._befores_to_plan(now) + self._afters_to_plan(now)
        planned = self._ask_again(now)
        for start in range(0, len(todo), BATCH):
            with unit_of_work(self._sessions) as session:
                for item in todo[start : start + BATCH]:
                    try:
                        with session.begin_nested():
                            _plan_one(session, item, now)
                            planned += 1
                    except IntegrityError:
                        continue  # another run-due planned this one a moment ago
        return planned

    def _ask_again(self, now: datetime) -> int:
        """A DM held back because its person paused after it was planned: asked at their
        next working moment once they are back, while the assessment is open."""
        asked = 0
        with unit_of_work(self._sessions) as session:
            for outbox_id, assessment, person, program in held_while_away(
                session,
                now,
                SelfAssessment,
                kind=OutboxKind.ASSESSMENT,
                key_of=lambda a: outbox_keys.self_assessment(a.program_id, a.person_id, a.phase),
                since=BEFORE_OPEN + HORIZON,
            ):
                due = next_working_time(now, working_hours(person, program))
                if due < assessment.closes_at:
                    asked += ask_again(session, outbox_id, assessment, due)
        return asked

    def _befores_to_plan(self, now: datetime) -> list[_Todo]:
        with self._sessions() as session:
            asked = exists().where(
                SelfAssessment.person_id == Person.id,
                SelfAssessment.program_id == Person.program_id,
                SelfAssessment.phase == AssessmentPhase.BEFORE,
            )
            rows = session.execute(
                select(Person, Program)
                .join(Program, Person.program_id == Program.id)
                .where(
                    Person.status == PersonStatus.ACTIVE,
                    Person.joined_at >= now - BEFORE_WITHIN,
                    Person.joined_at <= now,
                    ~asked,
                )
                .order_by(Person.id)
            ).all()
            waiting = [
                (person, program)
                for person, program in rows
                if person.tz is not None or person.joined_at <= now - TZ_WAIT
            ]
            areas = _areas(session, [person for person, _ in waiting])
        todo: list[_Todo] = []
        for person, program in waiting:
            if not areas.get(person.id):
                continue  # nothing to rate (cannot happen through the join modal)
            hours = working_hours(person, program)
            due = next_working_time(max(now, person.joined_at + AFTER_JOINING), hours)
            phase = AssessmentPhase.BEFORE
            todo.append(
                _todo(
                    person,
                    program,
                    phase,
                    areas=areas[person.id],
                    due=due,
                    closes_at=due + BEFORE_OPEN,
                )
            )
        return todo

    def _afters_to_plan(self, now: datetime) -> list[_Todo]:
        with self._sessions() as session:
            slots: dict[tuple[int, int], _AfterSlot] = {}
            # Only the pairs whose program ends within the final week's margin: reading
            # every running pair on every tick costs seconds at ten thousand pairs.
            ending = pairs_ending_between(session, now, now + _FINAL_WEEK_AND_MARGIN)
            for pair, program, mentor, mentee in ending:
                if pair.status != PairStatus.ACTIVE or pair.channel_id is None:
                    continue  # not running: ended early, or never had its group DM
                monday = first_monday(pair.created_at, mentor.tz)
                ends = program_end(pair.created_at, mentor.tz, program.length_weeks)
                if not ends - _FINAL_WEEK_AND_MARGIN <= now < ends:
                    continue  # most ticks, for most pairs: not their final week
                for person in (mentor, mentee):
                    if person.status != PersonStatus.ACTIVE:
                        continue
                    due = after_slot(monday, program.length_weeks, working_hours(person, program))
                    if not due - HORIZON <= now < ends:
                        continue
                    key = (person.id, program.id)
                    slot = _AfterSlot(person, program, max(due, now), ends)
                    if key not in slots or slot.due < slots[key].due:
                        slots[key] = slot  # a mentor of two pairs: the first to end
            if not slots:
                return []
            earlier = _assessments_of(session, [p for p, _ in slots])
            fresh = [s for k, s in slots.items() if (*k, AssessmentPhase.AFTER) not in earlier]
            current = _areas(session, [s.person for s in fresh])
        todo: list[_Todo] = []
        for slot in fresh:
            before = earlier.get((slot.person.id, slot.program.id, AssessmentPhase.BEFORE))
            areas = tuple(before) if before else current.get(slot.person.id, ())
            if not areas:
                continue
            due = next_working_time(slot.due, working_hours(slot.person, slot.program))
            phase = AssessmentPhase.AFTER
            todo.append(
                _todo(
                    slot.person,
                    slot.program,
                    phase,
                    areas=areas,
                    due=due,
                    closes_at=slot.ends + AFTER_OPEN,
                )
            )
        return todo

    # --- answers -----------------------------------------------------------------

    def open_form(self, team_id: str, user_id: str, assessment_id: int) -> AssessmentForm:
        """What the modal shows; refuses when it is not theirs, answered, skipped or
        closed, so a modal never opens for an answer that would be turned away."""
        now = self._clock.now()
        with self._sessions() as session:
            assessment, person = _own(session, team_id, user_id, assessment_id)
            require_open(assessment, now, _REFUSALS)
            names = _skill_names(session, person.workspace_id, assessment.areas)
            return AssessmentForm(
                assessment_id=assessment.id,
                phase=AssessmentPhase(assessment.phase),
                areas=tuple(AssessmentArea(a, _label(a, names)) for a in assessment.areas),
            )

    def skip(self, team_id: str, user_id: str, assessment_id: int) -> AssessmentPhase | None:
        """Skip for good: the phase skipped, or None when it was skipped already.
        Refuses an answered or closed one (nothing changes)."""
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            assessment, _ = _own(session, team_id, user_id, assessment_id)
            if assessment.skipped_at is not None:
                return None
            require_open(assessment, now, _REFUSALS)
            settle(session, SelfAssessment, assessment.id, _REFUSALS, skipped_at=now)
            return AssessmentPhase(assessment.phase)

    def mark_answered_in_dm(self, saved: AssessmentSaved) -> None:
        """Replace the asking DM's buttons with "saved, thanks", so the conversation
        shows it is done (the modal's thanks is gone once closed). Runs after the ack;
        the answers are stored whatever Slack says."""
        if self._slack is None:
            return
        with self._sessions() as session:
            assessment = session.get_one(SelfAssessment, saved.assessment_id)
            key = outbox_keys.self_assessment(
                assessment.program_id, assessment.person_id, assessment.phase
            )
            where = posted(session, key)
        if where is None:
            return  # answered from a DM we have no record of posting: nothing to edit
        text, blocks = assessment_answered_message(saved.phase)
        try:
            self._slack.for_team(where.team_id).update_message(
                where.channel, where.ts, text, blocks
            )
        except SlackError as error:
            log.warning("could not mark assessment %s answered: %s", saved.assessment_id, error)

    def submit(
        self, team_id: str, user_id: str, assessment_id: int, submission: AssessmentSubmission
    ) -> AssessmentSaved:
        """Store a score for every area asked; only the person asked may, once. Raises
        FormErrors keyed by block_id for a missing or bad score, UserFacingError when the
        assessment is not theirs, answered, skipped or closed."""
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            assessment, _ = _own(session, team_id, user_id, assessment_id)
            require_open(assessment, now, _REFUSALS)
            scores: dict[str, int] = {}
            errors: dict[str, str] = {}
            for area in assessment.areas:
                score = _VALID_SCORES.get(submission.scores.get(area) or "")
                if score is None:
                    errors[assessment_block_id(area)] = copy.ERR_ASSESSMENT_SCORE
                else:
                    scores[area] = score
            if errors:
                raise FormErrors(errors)
            # Whoever sets answered_at stores the scores: a second submit finds it set.
            settle(session, SelfAssessment, assessment.id, _REFUSALS, answered_at=now)
            session.add_all(
                SelfAssessmentScore(assessment_id=assessment.id, area=area, score=score)
                for area, score in scores.items()
            )
            return AssessmentSaved(assessment.id, AssessmentPhase(assessment.phase), scores)


def after_slot(monday: date, length_weeks: int, hours: WorkingHours) -> datetime:
    """When the ``after`` assessment is asked: the start of the person's working hours on
    the Friday of the program's final week (``monday`` starts week 1, their local date),
    or their next working moment after it."""
    friday = monday + timedelta(weeks=length_weeks - 1, days=AFTER_WEEKDAY)
    return next_working_time(datetime.combine(friday, time(0), tzinfo=hours.zone), hours)


def areas_for(role: Role, skills: Iterable[str]) -> tuple[str, ...]:
    """What a person rates: their skills (catalogue order, each once), then for a junior
    mentor the three leadership behaviours."""
    found = list(dict.fromkeys(skills))
    if role == Role.MENTOR:
        found += [str(b) for b in LEADERSHIP_BEHAVIOURS]
    return tuple(found[:MAX_AREAS])


def _todo(
    person: Person,
    program: Program,
    phase: AssessmentPhase,
    *,
    areas: Sequence[str],
    due: datetime,
    closes_at: datetime,
) -> _Todo:
    return _Todo(
        workspace_id=person.workspace_id,
        program_id=program.id,
        program_name=program.name,
        person_id=person.id,
        user_id=person.slack_user_id,
        phase=phase,
        areas=tuple(areas),
        due=due.astimezone(UTC),
        closes_at=closes_at,
    )


def _plan_one(session: Session, item: _Todo, now: datetime) -> None:
    row = SelfAssessment(
        program_id=item.program_id,
        person_id=item.person_id,
        phase=item.phase,
        areas=list(item.areas),
        asked_at=item.due,
        closes_at=item.closes_at,
    )
    session.add(row)
    session.flush()  # the id goes on the buttons; a duplicate fails here
    text, blocks = assessment_message(
        AssessmentAsk(row.id, item.phase, item.program_name, len(item.areas))
    )
    enqueue(
        session,
        item.workspace_id,
        Outgoing(
            key=outbox_keys.self_assessment(item.program_id, item.person_id, item.phase),
            kind=OutboxKind.ASSESSMENT,
            text=text,
            blocks=blocks,
            due_at=item.due,
            user_id=item.user_id,
            # No pair: an "after" may land as the pair ends, and is about the person.
            person_id=item.person_id,
        ),
        now,
    )


def _areas(session: Session, people: Sequence[Person]) -> dict[int, tuple[str, ...]]:
    """Each person's areas, from one query for all of them."""
    if not people:
        return {}
    skills: dict[int, list[str]] = defaultdict(list)
    for person_id, slug in session.execute(
        select(PersonSkill.person_id, Skill.slug)
        .join(Skill, PersonSkill.skill_id == Skill.id)
        .where(PersonSkill.person_id.in_([p.id for p in people]))
        # The catalogue's order: seeded skills first, then the workspace's own.
        .order_by(Skill.workspace_id.is_not(None), Skill.position, Skill.id)
    ):
        skills[person_id].append(slug)
    return {p.id: areas_for(Role(p.role), skills[p.id]) for p in people}


def _assessments_of(
    session: Session, person_ids: Sequence[int]
) -> dict[tuple[int, int, str], list[str]]:
    """(person, program, phase) -> areas asked, for these people's assessments."""
    rows = session.execute(
        select(
            SelfAssessment.person_id,
            SelfAssessment.program_id,
            SelfAssessment.phase,
            SelfAssessment.areas,
        ).where(SelfAssessment.person_id.in_(sorted(set(person_ids))))
    )
    return {(person_id, program_id, phase): areas for person_id, program_id, phase, areas in rows}


def _own(
    session: Session, team_id: str, user_id: str, assessment_id: int
) -> tuple[SelfAssessment, Person]:
    found = session.execute(
        select(SelfAssessment, Person)
        .join(Person, SelfAssessment.person_id == Person.id)
        .join(Workspace, Person.workspace_id == Workspace.id)
        .where(
            SelfAssessment.id == assessment_id,
            Workspace.slack_team_id == team_id,
            Person.slack_user_id == user_id,
        )
    ).one_or_none()
    if found is None:
        # Someone else's, or gone: one answer, so nothing leaks.
        raise UserFacingError(copy.ASSESSMENT_NOT_YOURS)
    assessment, person = found
    return assessment, person


def _skill_names(session: Session, workspace_id: int, slugs: Sequence[str]) -> dict[str, str]:
    rows = session.execute(
        select(Skill.slug, Skill.name)
        .where(
            Skill.slug.in_(list(slugs)),
            or_(Skill.workspace_id.is_(None), Skill.workspace_id == workspace_id),
        )
        # The workspace's own name for a slug wins over the seeded one.
        .order_by(Skill.workspace_id.is_not(None))
    )
    return dict(rows.all())


def _label(area: str, skill_names: dict[str, str]) -> str:
    return copy.ASSESSMENT_BEHAVIOURS_PLAIN.get(area) or skill_names.get(area) or area
