"""Small closed vocabularies, stored as strings so migrations stay simple."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Role(StrEnum):
    MENTOR = "mentor"  # shares what they know (usually the junior)
    MENTEE = "mentee"  # wants to learn (usually the senior leader)


class PersonStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class SkillDirection(StrEnum):
    TEACH = "teach"
    LEARN = "learn"


class Seniority(IntEnum):
    """Ordered, so matching can reason about the gap between two people."""

    EARLY_CAREER = 1
    ESTABLISHED = 2
    SENIOR = 3
    DIRECTOR = 4
    EXECUTIVE = 5


class RoundStatus(StrEnum):
    PREVIEW = "preview"  # waiting for a lead
    CONFIRMED = "confirmed"  # pairs created
    DISCARDED = "discarded"  # replaced by a newer preview or cancelled


class PairStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for due_at / next_attempt_at
    SENDING = "sending"  # claimed by a sender; Slack may or may not have it yet
    SENT = "sent"
    FAILED = "failed"  # a permanent error; the lead was told
    CANCELLED = "cancelled"  # no longer wanted (pair ended, person paused)


class AssessmentPhase(StrEnum):
    """When a self-assessment is asked: right after joining, or in the program's last week."""

    BEFORE = "before"
    AFTER = "after"


class LeadershipBehaviour(StrEnum):
    """What a junior mentor rates besides their skills (``self_assessment_score.area``).
    Underscores, so they never collide with a skill slug (those use hyphens)."""

    FEEDBACK_TO_SENIOR = "feedback_to_senior"
    RUNNING_A_SESSION = "running_a_session"
    INFLUENCING_A_DECISION = "influencing_a_decision"


class OutcomeCheckpoint(StrEnum):
    """When the after-program questions are asked, counted from the pair's program end:
    at the end (the signals, and a senior's commitments), after 30 days (a senior's
    commitments only) and after 60 days (the signals again, and the commitments)."""

    END = "end"
    DAY_30 = "day30"
    DAY_60 = "day60"


class Signal(StrEnum):
    """An answer to "would you take part again", "would you recommend it" and, for a
    junior mentor, "has your senior mentored, sponsored or opened a door for you?"."""

    YES = "yes"
    UNSURE = "unsure"
    NO = "no"


class CommitmentStatus(StrEnum):
    DONE = "done"
    IN_PROGRESS = "in_progress"
    DROPPED = "dropped"
