"""Confidence self-assessments: the private DM with its two buttons, the modal with one
1-5 select per area, and its thank-you.

The vocabulary (scores, behaviours, how many areas at most) lives in
:mod:`bot.shapes.assessments`, where the service validates against the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot import copy
from bot.ids import ASSESSMENT_AREA_PREFIX, Action, Callback, assessment_block_id, row_id
from bot.mrkdwn import escape
from bot.shapes.assessments import (
    LEADERSHIP_BEHAVIOURS,
    SCORES,
    AssessmentAsk,
    AssessmentForm,
    AssessmentSubmission,
)
from models.enums import AssessmentPhase

LABEL_CHARS = 2000  # an input block's label


def assessment_message(ask: AssessmentAsk) -> tuple[str, list[dict[str, Any]]]:
    """The DM: fallback text and blocks (as dicts: the outbox stores them as JSON)."""
    value = str(ask.assessment_id)
    areas = copy.ASSESSMENT_AREA_COUNT.get(ask.areas, f"{ask.areas} areas")
    intro = copy.ASSESSMENT_INTRO[ask.phase].format(program=escape(ask.program_name), areas=areas)
    blocks: list[Block] = [
        HeaderBlock(text=copy.ASSESSMENT_HEADER_PLAIN[ask.phase]),
        SectionBlock(text=intro),
        ContextBlock(elements=[MarkdownTextObject(text=copy.ASSESSMENT_PRIVATE)]),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=copy.ASSESSMENT_OPEN_PLAIN,
                    action_id=Action.ASSESSMENT_OPEN,
                    value=value,
                    style="primary",
                ),
                ButtonElement(
                    text=copy.ASSESSMENT_SKIP_PLAIN,
                    action_id=Action.ASSESSMENT_SKIP,
                    value=value,
                    # Skipping is for good: one slip of the mouse must not do it.
                    confirm=ConfirmObject(
                        title=copy.ASSESSMENT_SKIP_CONFIRM_TITLE_PLAIN,
                        text=copy.ASSESSMENT_SKIP_CONFIRM_PLAIN,
                        confirm=copy.ASSESSMENT_SKIP_CONFIRM_YES_PLAIN,
                        deny=copy.CANCEL_PLAIN,
                    ),
                ),
            ]
        ),
    ]
    return copy.ASSESSMENT_FALLBACK, [b.to_dict() for b in blocks]


def assessment_modal(form: AssessmentForm) -> View:
    """One required 1-5 select per area, in the order asked."""
    scores = [Option(value=str(n), label=copy.ASSESSMENT_SCORES_PLAIN[n]) for n in SCORES]
    blocks: list[Block] = [
        SectionBlock(text=copy.ASSESSMENT_MODAL_INTRO),
        ContextBlock(elements=[MarkdownTextObject(text=copy.ASSESSMENT_PRIVATE)]),
    ]
    leading = [area for area in form.areas if area.area in LEADERSHIP_BEHAVIOURS]
    for area in form.areas:
        # Headings only where both kinds are asked (a junior mentor's form), so the
        # behaviours do not look like skills they forgot choosing.
        if leading and area is form.areas[0]:
            blocks.append(SectionBlock(text=copy.ASSESSMENT_SKILLS_HEADING))
        if leading and area is leading[0]:
            blocks.append(DividerBlock())
            blocks.append(SectionBlock(text=copy.ASSESSMENT_LEADERSHIP_HEADING))
        blocks.append(
            InputBlock(
                block_id=assessment_block_id(area.area),
                # plain_text: a skill's name is shown as written, never read as mrkdwn
                label=PlainTextObject(text=area.label[:LABEL_CHARS], emoji=True),
                element=StaticSelectElement(
                    action_id=Action.FIELD,
                    placeholder=copy.ASSESSMENT_PLACEHOLDER_PLAIN,
                    options=scores,
                ),
            )
        )
    return View(
        type="modal",
        callback_id=Callback.ASSESSMENT_MODAL,
        private_metadata=str(form.assessment_id),
        title=PlainTextObject(text=copy.ASSESSMENT_TITLE_PLAIN),
        submit=PlainTextObject(text=copy.ASSESSMENT_SUBMIT_PLAIN),
        close=PlainTextObject(text=copy.CANCEL_PLAIN),
        blocks=blocks,
    )


def assessment_id_of(private_metadata: str | None) -> int:
    """The self-assessment a submitted modal is about; ValueError when it is not ours."""
    return row_id(private_metadata)


def read_assessment(state_values: Mapping[str, Any]) -> AssessmentSubmission:
    """view.state.values as plain values: every area block's chosen value (None when
    nothing, or something odd, was chosen). The service says what is missing or wrong."""
    scores: dict[str, str | None] = {}
    for block_id, block in state_values.items():
        if not isinstance(block_id, str) or not block_id.startswith(ASSESSMENT_AREA_PREFIX):
            continue
        element = block.get(Action.FIELD.value) if isinstance(block, Mapping) else None
        option = element.get("selected_option") if isinstance(element, Mapping) else None
        value = option.get("value") if isinstance(option, Mapping) else None
        scores[block_id.removeprefix(ASSESSMENT_AREA_PREFIX)] = (
            value if isinstance(value, str) else None
        )
    return AssessmentSubmission(scores=scores)


def assessment_answered_message(phase: AssessmentPhase) -> tuple[str, list[dict[str, Any]]]:
    """The asking DM once answered: its buttons give way to "saved, thanks"."""
    return _settled(phase, copy.ASSESSMENT_ANSWERED_IN_DM[phase])


def assessment_skipped_message(phase: AssessmentPhase) -> tuple[str, list[dict[str, Any]]]:
    """The asking DM once skipped, in the same shape as once answered."""
    return _settled(phase, copy.ASSESSMENT_SKIPPED[phase])


def _settled(phase: AssessmentPhase, outcome: str) -> tuple[str, list[dict[str, Any]]]:
    blocks: list[Block] = [
        HeaderBlock(text=copy.ASSESSMENT_HEADER_PLAIN[phase]),
        SectionBlock(text=outcome),
        ContextBlock(elements=[MarkdownTextObject(text=copy.ASSESSMENT_PRIVATE)]),
    ]
    return outcome, [b.to_dict() for b in blocks]


def assessment_saved_view(phase: AssessmentPhase) -> View:
    """What the modal turns into once the answers are stored."""
    return View(
        type="modal",
        title=PlainTextObject(text=copy.ASSESSMENT_THANKS_TITLE_PLAIN),
        close=PlainTextObject(text=copy.CLOSE_PLAIN),
        blocks=[SectionBlock(text=copy.ASSESSMENT_THANKS[phase])],
    )
