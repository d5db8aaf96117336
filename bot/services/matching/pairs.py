"""Questions about pairs that several planners ask: which are running, what they share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from models import (
    MENTEE,
    MENTOR,
    Pair,
    PairStatus,
    Person,
    PersonSkill,
    Program,
    Skill,
    SkillDirection,
)

S = TypeVar("S", bound=Select[Any])


def running_pairs(session: Session) -> Sequence[Row[tuple[Pair, Program, Person, Person]]]:
    """Active, introduced pairs with their program, mentor and mentee, in one query: what
    every planner of run_due starts from."""
    return session.execute(of_running_pairs(select(Pair, Program, MENTOR, MENTEE))).all()


def of_running_pairs(statement: S) -> S:
    """``statement`` (columns of Pair, Program, MENTOR and MENTEE) over the running
    pairs: active, introduced, with a group DM. The one definition for every reader,
    whether it loads ORM rows or only the columns it needs."""
    return (
        statement.join(Program, Pair.program_id == Program.id)
        .join(MENTOR, Pair.mentor_id == MENTOR.id)
        .join(MENTEE, Pair.mentee_id == MENTEE.id)
        .where(
            Pair.status == PairStatus.ACTIVE,
            Pair.channel_id.is_not(None),
            Pair.intro_sent_at.is_not(None),  # nothing before the intro
        )
    )


# A pair's program ends at midnight on the Monday after its first Monday plus its weeks,
# in the mentor's zone: 1 to 8 days after created_at + weeks, a day's margin for zones.
_END_AFTER_CREATED = (timedelta(days=-1), timedelta(days=9))


def pairs_ending_between(
    session: Session, earliest: datetime, latest: datetime
) -> Sequence[Row[tuple[Pair, Program, Person, Person]]]:
    """Introduced pairs (running or ended) whose program may end between ``earliest``
    and ``latest``, with their program, mentor and mentee: the planners that work from a
    program's end read these few instead of every pair. A superset, filtered in SQL by
    ``created_at`` over the shortest and longest program; the caller works out each
    pair's own end (``lifecycle.program_end``)."""
    shortest, longest = session.execute(
        select(func.min(Program.length_weeks), func.max(Program.length_weeks))
    ).one()
    if shortest is None:
        return []
    return session.execute(
        select(Pair, Program, MENTOR, MENTEE)
        .join(Program, Pair.program_id == Program.id)
        .join(MENTOR, Pair.mentor_id == MENTOR.id)
        .join(MENTEE, Pair.mentee_id == MENTEE.id)
        .where(
            Pair.created_at >= earliest - timedelta(weeks=longest) - _END_AFTER_CREATED[1],
            Pair.created_at <= latest - timedelta(weeks=shortest) - _END_AFTER_CREATED[0],
            Pair.intro_sent_at.is_not(None),
        )
        .order_by(Pair.id)
    ).all()


def shared_skills(session: Session, pair: Pair) -> list[str]:
    """What the mentor teaches that the mentee wants, in catalogue order."""
    rows = session.execute(
        select(PersonSkill.person_id, PersonSkill.direction, Skill.slug, Skill.position)
        .join(Skill, PersonSkill.skill_id == Skill.id)
        .where(PersonSkill.person_id.in_((pair.mentor_id, pair.mentee_id)))
    ).all()
    by: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for person_id, direction, slug, position in rows:
        by[(person_id, direction)][slug] = position
    teaches = by[(pair.mentor_id, SkillDirection.TEACH)]
    learns = by[(pair.mentee_id, SkillDirection.LEARN)]
    return sorted(set(teaches) & set(learns), key=lambda s: (teaches[s], s))
