"""What a matching round looks like to a lead: the matcher's weights and reasons, a
round's preview, the result of confirming it and of introducing its pairs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from models.enums import Role, RoundStatus


@dataclass(frozen=True)
class Weights:
    """How much each preference is worth; all >= 0."""

    skill: float = 10.0  # per skill the mentor teaches that the mentee wants
    focus_skill: float = 5.0  # extra per such skill that is a program focus skill
    seniority_gap: float = 3.0  # mentee more senior than mentor, scaled by gap (capped at 3)
    wrong_direction: float = 3.0  # penalty: mentor more senior than mentee
    cross_department: float = 4.0  # both departments known and different
    hours_overlap: float = 4.0  # scaled by overlap / 3 h, capped at 1
    waited: float = 6.0  # per person in the pair who was left unmatched last round

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"weight {name} must be a finite number >= 0")


class ReasonCode(StrEnum):
    FOCUS_SKILLS = "focus_skills"
    SKILLS = "skills"
    SENIORITY = "seniority"
    CROSS_DEPARTMENT = "cross_department"
    HOURS_OVERLAP = "hours_overlap"
    BOTH_ASYNC = "both_async"
    WAITED = "waited"


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    skills: tuple[str, ...] = ()  # SKILLS: every shared skill; FOCUS_SKILLS: the focus ones
    hours: float = 0.0  # HOURS_OVERLAP: shared working hours
    gap: int = 0  # SENIORITY: levels the mentee is above the mentor


class UnmatchedReason(StrEnum):
    PAUSED = "paused"
    LEFT = "left"
    NO_SKILL_FIT = "no_skill_fit"  # nobody on the other side shares a skill with them
    ONLY_BLOCKED = "only_blocked"  # every fitting person is in their chain or a recent partner
    NO_CAPACITY = "no_capacity"  # partners exist, but their places went to others
    NOT_ENOUGH_PEOPLE = "not_enough_people"  # nobody active on the other side
    MENTOR_FULL = "mentor_full"  # a mentor whose capacity is already 0


@dataclass(frozen=True)
class PreviewPair:
    mentor_id: int
    mentee_id: int
    mentor_user: str
    mentee_user: str
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class WaitingPerson:
    person_id: int
    user_id: str
    role: Role
    reason: UnmatchedReason


@dataclass(frozen=True)
class RoundPreview:
    round_id: int
    program_name: str
    status: RoundStatus
    seed: int
    pairs: tuple[PreviewPair, ...]
    waiting: tuple[WaitingPerson, ...]
    paused: int  # paused people left out of the round
    dropped: int  # pairs the lead dropped from this preview
    total_score: float
    skill_names: dict[str, str]
    review: bool  # the program wants a lead to confirm before intros go out


@dataclass(frozen=True)
class ConfirmResult:
    round_id: int
    program_name: str
    pairs_created: int
    skipped: int  # proposals whose people paused, left or were paired since the preview
    waiting: int


@dataclass(frozen=True)
class Undelivered:
    user_ids: tuple[str, ...]
    error: str  # Slack's error code, e.g. account_inactive


# Not frozen: the intro service counts into it as it sends.
@dataclass
class IntroReport:
    pairs_introduced: int = 0
    people_told_to_wait: int = 0
    retrying: int = 0  # Slack pushed back (429, 5xx): the clock sends them shortly
    undelivered: list[Undelivered] = field(default_factory=list)
