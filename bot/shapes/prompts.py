"""One weekly conversation prompt, checked as it is built, and the stages and skills a
prompt can belong to. The library and its loader stay in bot.services.weekly.prompts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    KICKOFF = "kickoff"  # week 1: get to know each other, goals, rhythm
    TOPIC = "topic"  # a skill the pair shares
    MIDPOINT = "midpoint"  # the middle week: reflect, revisit goals
    WRAPUP = "wrapup"  # the last week: look back, flip the roles
    GENERAL = "general"  # no skill needed: fills weeks when the skill prompts run out


# The seeded skill catalogue (migrations/versions/..._0001). Skills a workspace adds itself
# have no prompts: choose_prompt ignores them and falls back to general prompts.
SKILLS: tuple[str, ...] = (
    "ai-tools",
    "social-media",
    "data-analytics",
    "design-thinking",
    "ways-of-working",
    "culture-inclusion",
)

# Kept well inside Slack's limits (3000 chars per section text, 150 per header) so a view can
# show a whole prompt in one section; the id fits pair_week.prompt_id (String(80)).
MAX_ID = 80
MAX_TITLE = 80
MAX_QUESTION = 500
MAX_PREP_TIP = 400
MAX_TRY_IT = 400

# Public because the loader reads the same fields out of the YAML.
TEXT_LIMITS = {
    "title": MAX_TITLE,
    "question": MAX_QUESTION,
    "prep_tip": MAX_PREP_TIP,
    "try_it": MAX_TRY_IT,
}
_ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Prompt:
    """One conversation prompt. The question goes to both; prep_tip to the mentor (the
    junior who teaches); try_it to the mentee (the senior who learns)."""

    id: str
    stage: str  # a Stage value
    skill: str | None  # a SKILLS slug for topic prompts, else None
    title: str
    question: str
    prep_tip: str
    try_it: str

    def __post_init__(self) -> None:
        name = f"prompt {self.id!r}"
        if not isinstance(self.id, str) or not _ID_PATTERN.fullmatch(self.id):
            raise ValueError(f"{name}: id must be a lowercase slug like 'ai-tools-draft-email'")
        if len(self.id) > MAX_ID:
            raise ValueError(f"{name}: id is longer than {MAX_ID} characters")
        if self.stage not in set(Stage):
            stages = ", ".join(Stage)
            raise ValueError(f"{name}: stage {self.stage!r} is not one of {stages}")
        if self.stage == Stage.TOPIC:
            if self.skill not in SKILLS:
                raise ValueError(
                    f"{name}: skill {self.skill!r} must be one of {', '.join(SKILLS)} "
                    "for a topic prompt"
                )
        elif self.skill is not None:
            raise ValueError(f"{name}: skill is only for topic prompts, not {self.stage}")
        for field_name, limit in TEXT_LIMITS.items():
            text = getattr(self, field_name)
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"{name}: {field_name} must be non-empty text")
            if len(text) > limit:
                raise ValueError(
                    f"{name}: {field_name} is {len(text)} characters, the limit is {limit}"
                )
