"""A program's settings as the program modal edits them, and the choices it offers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.shapes.matching import Weights

MAX_NAME_CHARS = 80
LENGTH_WEEKS = range(1, 53)
MENTOR_CAPACITY = range(1, 6)
PROMPT_EVERY_WEEKS = (1, 2)
SESSION_EVERY_WEEKS = (1, 2, 3, 4)
CHECKIN_EVERY_WEEKS = (1, 2, 3, 4)

# What a lead can ask the matcher to care about most. Skill fit always counts: the
# junior must be able to teach what the senior wants to learn.
EMPHASES: dict[str, Weights] = {
    "balanced": Weights(),
    "skills": Weights(skill=16.0, focus_skill=8.0, cross_department=2.0, hours_overlap=2.0),
    "cross_team": Weights(cross_department=12.0),
    "same_hours": Weights(hours_overlap=12.0),
}


@dataclass(frozen=True)
class ProgramSettings:
    id: int | None  # None: a program not created yet (the "new program" form)
    name: str
    is_default: bool
    start_date: date | None
    length_weeks: int
    prompt_every_weeks: int
    session_every_weeks: int
    checkin_every_weeks: int
    mentor_capacity: int
    review_matches: bool
    focus_skills: tuple[str, ...]  # slugs
    match_emphasis: str
    shoutout_channel_id: str | None = None  # where end-of-program shout-outs go

    @property
    def weights(self) -> Weights:
        return EMPHASES.get(self.match_emphasis, EMPHASES["balanced"])


NEW_PROGRAM = ProgramSettings(
    id=None,
    name="",
    is_default=False,
    start_date=None,
    length_weeks=12,
    prompt_every_weeks=1,
    session_every_weeks=2,
    checkin_every_weeks=2,
    mentor_capacity=1,
    review_matches=True,
    focus_skills=(),
    match_emphasis="balanced",
)


@dataclass(frozen=True)
class ProgramSubmission:
    """What the program modal sent, as plain strings; nothing checked yet."""

    name: str | None
    start_date: str | None  # YYYY-MM-DD from the date picker
    length_weeks: str | None
    prompt_every_weeks: str | None
    session_every_weeks: str | None
    checkin_every_weeks: str | None
    focus_skills: Sequence[str]
    mentor_capacity: str | None
    review_matches: bool
    match_emphasis: str | None
    make_default: bool
    shoutout_channel_id: str | None = None
