"""What a pair sees: the intro in their group DM, the goals modal, goal updates; and the
note for someone a round left waiting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import copy
from bot.ids import Action, Callback, GoalField
from bot.mrkdwn import escape
from bot.shapes.goals import MAX_GOAL_CHARS, MAX_GOALS_EACH, PairGoals, goal_block_id
from bot.shapes.matching import Reason, ReasonCode, UnmatchedReason
from bot.shapes.programs import ProgramSettings
from bot.views.goals_text import goals_blocks
from bot.views.messages import Message
from bot.words import counted


@dataclass(frozen=True)
class IntroDetails:
    pair_id: int
    mentor_user: str
    mentee_user: str
    reasons: tuple[Reason, ...]
    skill_names: Mapping[str, str]
    program: ProgramSettings


def reason_text(reason: Reason, skill_names: Mapping[str, str]) -> str:
    skills = ", ".join(escape(skill_names.get(s, s)) for s in reason.skills)
    texts = {
        ReasonCode.FOCUS_SKILLS: lambda: copy.REASON_FOCUS_SKILLS.format(skills=skills),
        ReasonCode.SKILLS: lambda: copy.REASON_SKILLS.format(skills=skills),
        ReasonCode.SENIORITY: lambda: copy.REASON_SENIORITY.format(
            gap=counted(reason.gap, "career level")
        ),
        ReasonCode.CROSS_DEPARTMENT: lambda: copy.REASON_CROSS_DEPARTMENT,
        ReasonCode.HOURS_OVERLAP: lambda: copy.REASON_HOURS_OVERLAP.format(
            hours=round(reason.hours, 1)
        ),
        ReasonCode.BOTH_ASYNC: lambda: copy.REASON_BOTH_ASYNC,
        ReasonCode.WAITED: lambda: copy.REASON_WAITED,
    }
    return texts[reason.code]()


def reasons_text(reasons: Sequence[Reason], skill_names: Mapping[str, str]) -> str:
    return "; ".join(reason_text(r, skill_names) for r in reasons) or "—"


def intro_message(details: IntroDetails) -> Message:
    program = details.program
    who = {"mentor": details.mentor_user, "mentee": details.mentee_user}
    blocks: list[Block] = [
        HeaderBlock(text=copy.INTRO_HEADER_PLAIN),
        SectionBlock(text=copy.INTRO_WHO.format(**who)),
        SectionBlock(
            text=copy.INTRO_WHY.format(reasons=reasons_text(details.reasons, details.skill_names))
        ),
        SectionBlock(
            text=copy.INTRO_HOW.format(
                length=program.length_weeks,
                prompts=copy.EVERY_WEEKS_LOWER[program.prompt_every_weeks],
                sessions=copy.EVERY_WEEKS_LOWER[program.session_every_weeks],
                checkins=copy.EVERY_WEEKS_LOWER[program.checkin_every_weeks],
            )
        ),
        SectionBlock(text=copy.INTRO_FIRST_STEP.format(**who)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=copy.INTRO_GOALS_PLAIN,
                    action_id=Action.OPEN_GOALS,
                    value=str(details.pair_id),
                    style="primary",
                )
            ]
        ),
    ]
    return Message(copy.INTRO_FALLBACK.format(**who), blocks)


def waiting_message(reason: UnmatchedReason) -> Message:
    blocks: list[Block] = [
        SectionBlock(text=copy.WAITING_INTRO),
        SectionBlock(text=copy.WAITING_REASONS[reason.value]),
        ContextBlock(elements=[MarkdownTextObject(text=copy.WAITING_NEXT)]),
    ]
    return Message(copy.WAITING_FALLBACK, blocks)


def goals_updated_message(goals: PairGoals, user_id: str) -> Message:
    blocks: list[Block] = [
        SectionBlock(text=copy.GOALS_UPDATED.format(user=user_id)),
        *goals_blocks(goals),
    ]
    return Message(copy.GOALS_UPDATED_FALLBACK, blocks)


def goals_modal(goals: PairGoals, user_id: str) -> View:
    partner = goals.mentee_user if user_id == goals.mentor_user else goals.mentor_user
    blocks: list[Block] = [SectionBlock(text=copy.GOALS_INTRO.format(partner=partner))]
    for kind, current, label, placeholder, heading in (
        (
            GoalField.LEARNING,
            goals.learning,
            copy.GOALS_LEARNING_LABEL_PLAIN,
            copy.GOALS_LEARNING_PLACEHOLDER_PLAIN,
            copy.GOALS_LEARNING_HEADING.format(mentee=goals.mentee_user),
        ),
        (
            GoalField.GROWTH,
            goals.growth,
            copy.GOALS_GROWTH_LABEL_PLAIN,
            copy.GOALS_GROWTH_PLACEHOLDER_PLAIN,
            copy.GOALS_GROWTH_HEADING.format(mentor=goals.mentor_user),
        ),
    ):
        blocks.append(SectionBlock(text=heading))
        for n in range(1, MAX_GOALS_EACH + 1):
            blocks.append(
                InputBlock(
                    block_id=goal_block_id(kind, n),
                    label=label.format(n=n),
                    optional=True,
                    element=PlainTextInputElement(
                        action_id=Action.FIELD,
                        placeholder=placeholder if n == 1 else None,
                        initial_value=current[n - 1] if n <= len(current) else None,
                        max_length=MAX_GOAL_CHARS,
                    ),
                )
            )
    return View(
        type="modal",
        callback_id=Callback.GOALS_MODAL,
        private_metadata=str(goals.pair_id),
        title=PlainTextObject(text=copy.GOALS_TITLE_PLAIN),
        submit=PlainTextObject(text=copy.GOALS_SUBMIT_PLAIN),
        close=PlainTextObject(text=copy.CANCEL_PLAIN),
        blocks=blocks,
    )


def read_goals(state_values: Mapping[str, Any]) -> tuple[list[str | None], list[str | None]]:
    """The six inputs as two lists, in order; missing or odd fields read as empty."""

    def text(block_id: str) -> str | None:
        block = state_values.get(block_id)
        element = block.get(Action.FIELD.value) if isinstance(block, Mapping) else None
        value = element.get("value") if isinstance(element, Mapping) else None
        return value if isinstance(value, str) else None

    def kind(k: GoalField) -> list[str | None]:
        return [text(goal_block_id(k, n)) for n in range(1, MAX_GOALS_EACH + 1)]

    return kind(GoalField.LEARNING), kind(GoalField.GROWTH)


def pick_pair_message(pairs: Sequence[PairGoals], user_id: str) -> Message:
    """For a mentor with several mentees: which pair's goals to edit."""
    buttons = []
    for goals in pairs[:25]:
        partner = goals.mentee_user if user_id == goals.mentor_user else goals.mentor_user
        buttons.append(
            SectionBlock(
                text=f"<@{partner}>",
                accessory=ButtonElement(
                    text=copy.INTRO_GOALS_PLAIN,
                    action_id=Action.OPEN_GOALS,
                    value=str(goals.pair_id),
                ),
            )
        )
    return Message(copy.GOALS_PICK_PAIR, [SectionBlock(text=copy.GOALS_PICK_PAIR), *buttons])
