"""The questions after a program: what their DM and modal show and what the modal sends
back. The service validates against the same values the modal offers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from models.enums import CommitmentStatus, OutcomeCheckpoint, Signal

# How long after the pair's last program week each checkpoint is asked. The end's
# questions come as the pair wraps up, with the junior's thank-you (the lifecycle's
# RECOGNITION_DELAY, which a test keeps equal): not while the pair is still open and the
# last check-in may yet be answered.
CHECKPOINT_AFTER = {
    OutcomeCheckpoint.END: timedelta(days=2),
    OutcomeCheckpoint.DAY_30: timedelta(days=30),
    OutcomeCheckpoint.DAY_60: timedelta(days=60),
}
MAX_COMMITMENTS = 3
COMMITMENT_CHARS = 200
EVIDENCE_CHARS = 150
SIGNAL_VALUES = tuple(Signal)
STATUS_VALUES = tuple(CommitmentStatus)


class Question:
    """The signals' block ids, which are also the survey's column names."""

    WOULD_AGAIN = "would_again"
    RECOMMEND = "recommend"
    SPONSORED = "sponsored"  # junior mentors only


@dataclass(frozen=True)
class SurveyAsk:
    """What the DM says."""

    survey_id: int
    checkpoint: OutcomeCheckpoint
    program_name: str  # raw: the view escapes it
    asks_signals: bool
    writes_commitments: bool  # a senior at the end
    follows_up: int  # commitments to say how they are going


@dataclass(frozen=True)
class CommitmentItem:
    commitment_id: int
    text: str  # raw, as typed: the view shows it as plain text
    # At 60 days, what the senior said at 30 (None when not asked or not answered).
    last_status: str | None = None
    last_evidence: str | None = None


@dataclass(frozen=True)
class SurveyForm:
    """What the modal shows."""

    survey_id: int
    checkpoint: OutcomeCheckpoint
    questions: tuple[str, ...]  # Question values, in order
    writes_commitments: bool
    partner_user: str | None  # the junior who will see a senior's commitments
    senior_user: str | None  # whom a junior's sponsorship question is about
    follow_up: tuple[CommitmentItem, ...] = ()


@dataclass(frozen=True)
class ProgressAnswer:
    status: str | None
    evidence: str | None


@dataclass(frozen=True)
class SurveySubmission:
    """The modal's state as plain values, unvalidated."""

    signals: Mapping[str, str | None]
    commitments: tuple[str | None, ...]
    share: bool
    progress: Mapping[int, ProgressAnswer]


@dataclass(frozen=True)
class SurveySaved:
    survey_id: int
    checkpoint: OutcomeCheckpoint
    commitments: int  # written now (at the end) or followed up
    partner_user: str | None  # whose App Home shows the commitments


@dataclass(frozen=True)
class PartnerCommitments:
    """App Home: a senior's commitments, shown to the senior and to their junior mentor.
    The text only; how each is going stays the senior's."""

    senior_user: str
    program_name: str
    texts: tuple[str, ...]
    mine: bool  # the reader is the senior
