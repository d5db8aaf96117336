"""The report's outcomes section: what changed for juniors and seniors after a program.

Four statements whatever the cohort's size, each grouped in the database: who was asked
what and how many said yes (one UNION over surveys and self-assessments), confidence
before and after (per area and role, and all areas together), the commitments' counts
and the shared commitments. The CSV's per-person columns add one more.

Each person counts once per moment: a survey and a self-assessment are unique per
(person, program, checkpoint or phase), and nothing here joins them to pairs (a mentor
of two pairs would count twice). A person who left after answering keeps their answer,
once. Surveys are grouped by the role recorded when asked; self-assessments carry none,
so they take the person's role (joining again edits the person, never adds one).

Privacy is the shapes' (bot.shapes.report): means and rates over fewer than MIN_GROUP
people are dropped when the shapes are built, and a commitment's text is read only where
its author shared it. How a commitment goes, and its evidence, are never read here: the
senior was told they stay private.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from bot import copy
from bot.shapes.report import (
    ALL_AREAS,
    MIN_GROUP,
    SHARED_COMMITMENTS,
    CommitmentCounts,
    ConfidenceChange,
    Moment,
    Outcomes,
    Participation,
    RoleOutcomes,
    SharedCommitment,
    SignalRates,
    aggregate,
    commitment_counts,
    confidence_change,
)
from models import (
    AssessmentPhase,
    Commitment,
    CommitmentProgress,
    CommitmentStatus,
    OutcomeCheckpoint,
    OutcomeSurvey,
    Person,
    Role,
    SelfAssessment,
    SelfAssessmentScore,
    Signal,
)

ROLES = (Role.MENTOR, Role.MENTEE)  # juniors first, as the funnel
SIGNAL_CHECKPOINTS = (Moment.END, Moment.DAY_60)  # the checkpoints that ask the signals


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _yes(column: ColumnElement[str | None]) -> ColumnElement[int]:
    return _count_if(column == Signal.YES)


def read_outcomes(
    session: Session, program_id: int, now: datetime, skill_names: Mapping[str, str]
) -> Outcomes:
    """The outcomes of ``program_id`` as of ``now``; ``skill_names`` names skill slugs."""
    moments = _moments(session, program_id, now)
    confidence = _confidence(session, program_id, skill_names)
    roles = []
    for role in ROLES:
        rows = moments.get(role, {})
        participation = tuple(
            Participation(moment, role, *rows[moment][:3]) for moment in Moment if moment in rows
        )
        signals = tuple(
            _signal_rates(moment, role, rows[moment][3:])
            for moment in SIGNAL_CHECKPOINTS
            if moment in rows and rows[moment][0]
        )
        found = confidence.get(role, {})
        overall = found.pop(
            ALL_AREAS, confidence_change(ALL_AREAS, copy.OUTCOMES_ALL_AREAS, role, people=0)
        )
        areas = sorted(
            found.values(),
            key=lambda c: (c.change is None, -(c.change or 0), c.name.lower(), c.area),
        )
        roles.append(RoleOutcomes(role, participation, overall, tuple(areas), signals))
    commitments = _commitments(session, program_id)
    return Outcomes(
        roles=tuple(roles),
        commitments=commitments,
        shared_commitments=_shared_commitments(session, program_id),
    )


def _moments(
    session: Session, program_id: int, now: datetime
) -> dict[str, dict[Moment, tuple[int, ...]]]:
    """role -> moment -> (asked, answered, skipped, would_again n, yes, recommend n, yes,
    sponsored n, yes), from one statement over surveys and self-assessments."""
    s = OutcomeSurvey
    surveys = (
        select(
            s.checkpoint.label("moment"),
            s.role.label("role"),
            func.count().label("asked"),
            func.count(s.answered_at),
            func.count(s.skipped_at),
            func.count(s.would_again),
            _yes(s.would_again),
            func.count(s.recommend),
            _yes(s.recommend),
            func.count(s.sponsored),
            _yes(s.sponsored),
        )
        .where(s.program_id == program_id, s.asked_at <= now)
        .group_by(s.checkpoint, s.role)
    )
    a = SelfAssessment
    zero = literal(0)
    assessments = (
        select(
            a.phase,
            Person.role,
            func.count(),
            func.count(a.answered_at),
            func.count(a.skipped_at),
            *(zero,) * 6,
        )
        .join(Person, a.person_id == Person.id)
        .where(a.program_id == program_id, a.asked_at <= now)
        .group_by(a.phase, Person.role)
    )
    found: dict[str, dict[Moment, tuple[int, ...]]] = defaultdict(dict)
    for moment, role, *numbers in session.execute(union_all(surveys, assessments)):
        found[role][Moment(moment)] = tuple(int(n or 0) for n in numbers)
    return found


def _signal_rates(moment: Moment, role: str, numbers: tuple[int, ...]) -> SignalRates:
    again_n, again_yes, recommend_n, recommend_yes, sponsored_n, sponsored_yes = numbers

    def rate(yes: int, n: int):
        return aggregate(yes / n if n else None, n)

    return SignalRates(
        checkpoint=moment,
        role=role,
        would_again=rate(again_yes, again_n),
        recommend=rate(recommend_yes, recommend_n),
        sponsored=rate(sponsored_yes, sponsored_n) if role == Role.MENTOR else None,
    )


def _confidence(
    session: Session, program_id: int, skill_names: Mapping[str, str]
) -> dict[str, dict[str, ConfidenceChange]]:
    """role -> area -> change, over the people who rated the area before and after; the
    area ALL_AREAS is every shown area together (a mean over every rating in them)."""
    before, after = aliased(SelfAssessment), aliased(SelfAssessment)
    score_before, score_after = aliased(SelfAssessmentScore), aliased(SelfAssessmentScore)
    both = (
        select(
            score_before.area.label("area"),
            Person.role.label("role"),
            before.person_id.label("person_id"),
            score_before.score.label("before"),
            score_after.score.label("after"),
        )
        .select_from(before)
        .join(score_before, score_before.assessment_id == before.id)
        .join(
            after,
            and_(
                after.person_id == before.person_id,
                after.program_id == before.program_id,
                after.phase == AssessmentPhase.AFTER,
                after.answered_at.is_not(None),
            ),
        )
        .join(
            score_after,
            and_(score_after.assessment_id == after.id, score_after.area == score_before.area),
        )
        .join(Person, before.person_id == Person.id)
        .where(
            before.program_id == program_id,
            before.phase == AssessmentPhase.BEFORE,
            before.answered_at.is_not(None),
        )
        .cte("both_phases")
    )
    per_area = select(
        both.c.area,
        both.c.role,
        func.count(func.distinct(both.c.person_id)),
        func.avg(both.c.before),
        func.avg(both.c.after),
    ).group_by(both.c.area, both.c.role)
    # Every area together, but only the areas shown on their own: with a hidden area in
    # it, the total minus the areas shown would give the hidden area's mean away.
    shown = (
        select(both.c.area, both.c.role)
        .group_by(both.c.area, both.c.role)
        .having(func.count(func.distinct(both.c.person_id)) >= MIN_GROUP)
        .cte("shown_areas")
    )
    all_areas = (
        select(
            literal(ALL_AREAS),
            both.c.role,
            func.count(func.distinct(both.c.person_id)),
            func.avg(both.c.before),
            func.avg(both.c.after),
        )
        .join(shown, and_(shown.c.area == both.c.area, shown.c.role == both.c.role))
        .group_by(both.c.role)
    )
    found: dict[str, dict[str, ConfidenceChange]] = defaultdict(dict)
    for area, role, people, mean_before, mean_after in session.execute(
        union_all(per_area, all_areas)
    ):
        name = (
            copy.OUTCOMES_ALL_AREAS
            if area == ALL_AREAS
            else copy.ASSESSMENT_BEHAVIOURS_PLAIN.get(area) or skill_names.get(area) or area
        )
        found[role][area] = confidence_change(
            area,
            name,
            role,
            people=int(people),
            before=None if mean_before is None else float(mean_before),
            after=None if mean_after is None else float(mean_after),
        )
    return found


def _commitments(session: Session, program_id: int) -> CommitmentCounts:
    """Counted at each commitment's latest follow-up: 60 days, else 30, else none yet."""
    day30, day60 = aliased(CommitmentProgress), aliased(CommitmentProgress)
    latest = func.coalesce(day60.status, day30.status)
    row = session.execute(
        select(
            func.count(func.distinct(Commitment.person_id)),
            func.count(),
            _count_if(latest == CommitmentStatus.DONE),
            _count_if(latest == CommitmentStatus.IN_PROGRESS),
            _count_if(latest == CommitmentStatus.DROPPED),
            _count_if(latest.is_(None)),
            _count_if(Commitment.shared.is_(True)),
        )
        .select_from(Commitment)
        .outerjoin(
            day30,
            and_(
                day30.commitment_id == Commitment.id,
                day30.checkpoint == OutcomeCheckpoint.DAY_30,
            ),
        )
        .outerjoin(
            day60,
            and_(
                day60.commitment_id == Commitment.id,
                day60.checkpoint == OutcomeCheckpoint.DAY_60,
            ),
        )
        .where(Commitment.program_id == program_id)
    ).one()
    seniors, made, kept, in_progress, dropped, no_answer, shared = (int(n or 0) for n in row)
    return commitment_counts(
        seniors,
        made=made,
        kept=kept,
        in_progress=in_progress,
        dropped=dropped,
        no_answer=no_answer,
        shared=shared,
    )


def _shared_commitments(session: Session, program_id: int) -> tuple[SharedCommitment, ...]:
    rows = session.execute(
        select(Person.slack_user_id, Commitment.text, Commitment.created_at)
        .join(Person, Commitment.person_id == Person.id)
        .where(
            Commitment.program_id == program_id,
            # Only what its author chose to share: every other text stays with the pair.
            Commitment.shared.is_(True),
        )
        .order_by(Commitment.created_at.desc(), Commitment.person_id, Commitment.position)
        .limit(SHARED_COMMITMENTS)
    ).all()
    return tuple(SharedCommitment(*row) for row in rows)


def read_commitments_shared(session: Session, program_id: int) -> dict[int, int]:
    """person id -> how many commitments they shared with the lead, for the CSV: one
    statement. Whether someone answered or skipped is not there: people are told leads
    see only totals over at least three people."""
    rows = session.execute(
        select(Commitment.person_id, func.count())
        .where(Commitment.program_id == program_id, Commitment.shared.is_(True))
        .group_by(Commitment.person_id)
    )
    return {person_id: count for person_id, count in rows}  # noqa: C416 (rows are Rows)


__all__ = ["read_commitments_shared", "read_outcomes"]
