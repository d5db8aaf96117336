"""A confidence self-assessment: its vocabulary (scores, the leadership behaviours a junior
rates), what its DM and modal show and what the modal sends back. The service validates
against the same values the modal offers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from models.enums import AssessmentPhase, LeadershipBehaviour

SCORES = (1, 2, 3, 4, 5)
# What a junior mentor rates after their skills, in this order.
LEADERSHIP_BEHAVIOURS = (
    LeadershipBehaviour.FEEDBACK_TO_SENIOR,
    LeadershipBehaviour.RUNNING_A_SESSION,
    LeadershipBehaviour.INFLUENCING_A_DECISION,
)
# Joining allows five skills each way; a margin, and far below a modal's 100 blocks.
MAX_AREAS = 20


@dataclass(frozen=True)
class AssessmentArea:
    """One area to rate: a skill slug or a behaviour, and the words shown for it."""

    area: str
    label: str


@dataclass(frozen=True)
class AssessmentAsk:
    """What the DM says: which assessment, which phase, in which program."""

    assessment_id: int
    phase: AssessmentPhase
    program_name: str  # raw: the view escapes it
    areas: int  # how many areas, so the DM can say how long it takes


@dataclass(frozen=True)
class AssessmentForm:
    """What the modal shows: every area asked, none pre-filled."""

    assessment_id: int
    phase: AssessmentPhase
    areas: tuple[AssessmentArea, ...]


@dataclass(frozen=True)
class AssessmentSubmission:
    """The modal's state as plain values, unvalidated: area -> chosen value (None when
    nothing was chosen). Areas the modal never showed may be in it; they are ignored."""

    scores: Mapping[str, str | None]


@dataclass(frozen=True)
class AssessmentSaved:
    assessment_id: int
    phase: AssessmentPhase
    scores: Mapping[str, int]
