"""A person's enrolment as the join modal, App Home and the welcome show it, and the
limits the modal offers and the service enforces."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.shapes.goals import PairGoals
from models.enums import PersonStatus, Role, Seniority

MAX_SKILLS_PER_DIRECTION = 5
MAX_DEPARTMENT_CHARS = 80
MAX_GOALS_CHARS = 500


@dataclass(frozen=True)
class SkillOption:
    slug: str
    name: str


@dataclass(frozen=True)
class JoinSubmission:
    """What the join modal sent, as plain values; nothing checked yet."""

    role: str | None
    teach: Sequence[str]
    learn: Sequence[str]
    department: str | None
    seniority: str | None
    weekday: str | None
    window: str | None
    goals: str | None


@dataclass(frozen=True)
class Profile:
    person_id: int
    team_id: str
    user_id: str
    role: Role
    status: PersonStatus
    teach: tuple[str, ...]
    learn: tuple[str, ...]
    teach_slugs: tuple[str, ...]
    learn_slugs: tuple[str, ...]
    department: str | None
    seniority: Seniority | None
    preferred_weekday: int | None
    window: str
    goals: str | None
    tz: str | None
    dm_channel_id: str | None
    program_name: str
    joined_at: datetime
    pairs: tuple[PairGoals, ...] = ()  # active pairs, newest first
    # Partners (user ids) of pairs that ran to the program's end, newest first: shown
    # instead of "not matched yet" once a program is over.
    finished_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgramCounts:
    mentors: int
    mentees: int
    paused: int
    left: int
    active_pairs: int = 0
