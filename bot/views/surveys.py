"""The questions after a program: the private DM with its two buttons, the modal (the
signals, a senior's commitments or their follow-up), its thank-you, and the App Home
lines that show a senior's commitments.

The vocabulary (answers, statuses, caps) lives in :mod:`bot.shapes.surveys`, where the
service validates against the same values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import copy
from bot.ids import Action, Callback, SurveyField, row_id
from bot.mrkdwn import escape
from bot.shapes.surveys import (
    COMMITMENT_CHARS,
    EVIDENCE_CHARS,
    MAX_COMMITMENTS,
    SIGNAL_VALUES,
    STATUS_VALUES,
    CommitmentItem,
    PartnerCommitments,
    ProgressAnswer,
    Question,
    SurveyAsk,
    SurveyForm,
    SurveySaved,
    SurveySubmission,
)
from bot.views.state import selected, ticked, typed
from models.enums import OutcomeCheckpoint

SHARE = "share"


def survey_message(ask: SurveyAsk, *, junior: bool) -> tuple[str, list[dict[str, Any]]]:
    """The DM: fallback text and blocks (as dicts: the outbox stores them as JSON)."""
    program = escape(ask.program_name)
    value = str(ask.survey_id)
    blocks: list[Block] = [
        HeaderBlock(text=copy.SURVEY_HEADER_PLAIN[ask.checkpoint]),
        SectionBlock(
            text=copy.SURVEY_INTRO[ask.checkpoint].format(program=program, what=_what(ask, junior))
        ),
        ContextBlock(elements=[MarkdownTextObject(text=_private(ask.writes_commitments))]),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=copy.SURVEY_OPEN_PLAIN,
                    action_id=Action.SURVEY_OPEN,
                    value=value,
                    style="primary",
                ),
                ButtonElement(
                    text=copy.SURVEY_SKIP_PLAIN,
                    action_id=Action.SURVEY_SKIP,
                    value=value,
                    # Skipping is for good: one slip of the mouse must not do it.
                    confirm=ConfirmObject(
                        title=copy.SURVEY_SKIP_CONFIRM_TITLE_PLAIN,
                        text=copy.SURVEY_SKIP_CONFIRM_PLAIN[ask.checkpoint],
                        confirm=copy.SURVEY_SKIP_CONFIRM_YES_PLAIN,
                        deny=copy.CANCEL_PLAIN,
                    ),
                ),
            ]
        ),
    ]
    fallback = copy.SURVEY_FALLBACK[ask.checkpoint].format(program=program)
    return fallback, [b.to_dict() for b in blocks]


def _what(ask: SurveyAsk, junior: bool) -> str:
    """What the DM asks for, in words: "two quick questions, and write down …"."""
    parts: list[str] = []
    if ask.asks_signals:
        parts.append(copy.SURVEY_WHAT_SIGNALS_JUNIOR if junior else copy.SURVEY_WHAT_SIGNALS)
    if ask.writes_commitments:
        parts.append(copy.SURVEY_WHAT_COMMITMENTS)
    if ask.follows_up:
        parts.append(
            copy.SURVEY_WHAT_PROGRESS.get(ask.follows_up)
            or copy.SURVEY_WHAT_PROGRESS_MANY.format(
                n=copy.SURVEY_NUMBER_WORDS.get(ask.follows_up, ask.follows_up)
            )
        )
    if len(parts) == 1:
        return parts[0]
    return copy.SURVEY_AND.format(first=", ".join(parts[:-1]), second=parts[-1])


def survey_modal(form: SurveyForm) -> View:
    private = _private(form.writes_commitments)
    blocks: list[Block] = [ContextBlock(elements=[MarkdownTextObject(text=private)])]
    for question in form.questions:
        if question == Question.SPONSORED and form.senior_user:
            # An input's label is plain text: the senior is named just above it.
            about = copy.SURVEY_SPONSORED_ABOUT.format(senior=form.senior_user)
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=about)]))
        blocks.append(_signal_input(question, form.checkpoint))
    if form.writes_commitments:
        blocks += _commitment_inputs(form)
    if form.follow_up:
        blocks += _progress_inputs(form)
    return View(
        type="modal",
        callback_id=Callback.SURVEY_MODAL,
        private_metadata=str(form.survey_id),
        title=PlainTextObject(text=copy.SURVEY_TITLE_PLAIN[form.checkpoint]),
        submit=PlainTextObject(text=copy.SURVEY_SUBMIT_PLAIN),
        close=PlainTextObject(text=copy.CANCEL_PLAIN),
        blocks=blocks,
    )


def _private(writes_commitments: bool) -> str:
    return copy.SURVEY_PRIVATE_WITH_COMMITMENTS if writes_commitments else copy.SURVEY_PRIVATE


def _signal_input(question: str, checkpoint: OutcomeCheckpoint) -> InputBlock:
    label = copy.SURVEY_QUESTION_PLAIN[question].format(
        since=copy.SURVEY_SPONSORED_SINCE[checkpoint]
    )
    return InputBlock(
        block_id=question,
        label=label,
        element=RadioButtonsElement(
            action_id=Action.FIELD,
            options=[Option(value=v, label=copy.SURVEY_SIGNAL_PLAIN[v]) for v in SIGNAL_VALUES],
        ),
    )


def _commitment_inputs(form: SurveyForm) -> list[Block]:
    seen_by = (
        copy.SURVEY_COMMITMENTS_SEEN_BY.format(partner=form.partner_user)
        if form.partner_user
        else copy.SURVEY_COMMITMENTS_SEEN_BY_NOBODY
    )
    blocks: list[Block] = [
        DividerBlock(),
        SectionBlock(text=copy.SURVEY_COMMITMENTS_HEADING),
    ]
    for position in range(1, MAX_COMMITMENTS + 1):
        blocks.append(
            InputBlock(
                block_id=f"{SurveyField.COMMITMENT}{position}",
                label=copy.SURVEY_COMMITMENT_LABEL_PLAIN[position],
                # At least one: the first is required (Slack says so before sending);
                # the service checks again, as a submission may not come from Slack.
                optional=position > 1,
                element=PlainTextInputElement(
                    action_id=Action.FIELD,
                    placeholder=copy.SURVEY_COMMITMENT_PLACEHOLDER_PLAIN,
                    max_length=COMMITMENT_CHARS,
                ),
            )
        )
    share = Option(value=SHARE, label=copy.SURVEY_SHARE_PLAIN)
    blocks += [
        ContextBlock(elements=[MarkdownTextObject(text=seen_by)]),
        InputBlock(
            block_id=SurveyField.SHARE,
            label=copy.SURVEY_SHARE_LABEL_PLAIN,
            optional=True,
            element=CheckboxesElement(action_id=Action.FIELD, options=[share]),
        ),
    ]
    return blocks


def _progress_inputs(form: SurveyForm) -> list[Block]:
    statuses = [Option(value=v, label=copy.SURVEY_STATUS_PLAIN[v]) for v in STATUS_VALUES]
    blocks: list[Block] = [DividerBlock(), SectionBlock(text=copy.SURVEY_PROGRESS_HEADING)]
    for item in form.follow_up:
        blocks += [
            # Plain text: what the senior typed is shown as typed, never as formatting.
            SectionBlock(text=PlainTextObject(text=f"“{item.text}”", emoji=False)),
            *_last_time(item),
            InputBlock(
                block_id=f"{SurveyField.PROGRESS}{item.commitment_id}",
                label=copy.SURVEY_PROGRESS_LABEL_PLAIN,
                element=RadioButtonsElement(action_id=Action.FIELD, options=statuses),
            ),
            InputBlock(
                block_id=f"{SurveyField.EVIDENCE}{item.commitment_id}",
                label=copy.SURVEY_EVIDENCE_LABEL_PLAIN,
                optional=True,
                element=PlainTextInputElement(
                    action_id=Action.FIELD,
                    placeholder=copy.SURVEY_EVIDENCE_PLACEHOLDER_PLAIN,
                    max_length=EVIDENCE_CHARS,
                ),
            ),
        ]
    return blocks


def _last_time(item: CommitmentItem) -> list[Block]:
    """What the senior said a month on, under the commitment, as typed."""
    if item.last_status not in STATUS_VALUES:
        return []
    status = copy.SURVEY_STATUS_PLAIN[item.last_status]
    said = (
        copy.SURVEY_LAST_TIME_EVIDENCE_PLAIN.format(status=status, evidence=item.last_evidence)
        if item.last_evidence
        else copy.SURVEY_LAST_TIME_PLAIN.format(status=status)
    )
    return [ContextBlock(elements=[PlainTextObject(text=said, emoji=True)])]


def survey_id_of(private_metadata: str | None) -> int:
    """The survey a submitted modal is about; ValueError when it is not ours."""
    return row_id(private_metadata)


def read_survey(state_values: Mapping[str, Any]) -> SurveySubmission:
    """view.state.values as plain values; the service says what is missing or wrong.
    Blocks the modal never showed may be read here; the service ignores them."""
    questions = (Question.WOULD_AGAIN, Question.RECOMMEND, Question.SPONSORED)
    progress: dict[int, ProgressAnswer] = {}
    for block_id in state_values:
        if isinstance(block_id, str) and block_id.startswith(SurveyField.PROGRESS):
            try:
                commitment_id = row_id(block_id.removeprefix(SurveyField.PROGRESS))
            except ValueError:
                continue
            progress[commitment_id] = ProgressAnswer(
                status=selected(state_values, block_id),
                evidence=typed(state_values, f"{SurveyField.EVIDENCE}{commitment_id}"),
            )
    return SurveySubmission(
        signals={q: selected(state_values, q) for q in questions},
        commitments=tuple(
            typed(state_values, f"{SurveyField.COMMITMENT}{n}")
            for n in range(1, MAX_COMMITMENTS + 1)
        ),
        share=SHARE in ticked(state_values, SurveyField.SHARE),
        progress=progress,
    )


def survey_saved_view(saved: SurveySaved) -> View:
    """What the modal turns into once the answers are stored."""
    wrote = saved.checkpoint == OutcomeCheckpoint.END and saved.commitments
    return View(
        type="modal",
        title=PlainTextObject(text=copy.SURVEY_THANKS_TITLE_PLAIN),
        close=PlainTextObject(text=copy.CLOSE_PLAIN),
        blocks=[SectionBlock(text=copy.SURVEY_THANKS_COMMITMENTS if wrote else copy.SURVEY_THANKS)],
    )


def survey_answered_message(
    checkpoint: OutcomeCheckpoint, *, wrote_commitments: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """The asking DM once answered: its buttons give way to "saved, thanks"."""
    return _settled(checkpoint, copy.SURVEY_ANSWERED_IN_DM, wrote_commitments)


def survey_skipped_message(checkpoint: OutcomeCheckpoint) -> tuple[str, list[dict[str, Any]]]:
    """The asking DM once skipped, in the same shape as once answered."""
    return _settled(checkpoint, copy.SURVEY_SKIPPED[checkpoint])


def _settled(
    checkpoint: OutcomeCheckpoint, outcome: str, wrote_commitments: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    blocks: list[Block] = [
        HeaderBlock(text=copy.SURVEY_HEADER_PLAIN[checkpoint]),
        SectionBlock(text=outcome),
        ContextBlock(elements=[MarkdownTextObject(text=_private(wrote_commitments))]),
    ]
    return outcome, [b.to_dict() for b in blocks]


def commitments_home_blocks(groups: Sequence[PartnerCommitments]) -> list[Block]:
    """App Home: each senior's commitments as a short list, escaped (they are typed)."""
    blocks: list[Block] = []
    for group in groups:
        program = escape(group.program_name)
        heading = (
            copy.HOME_COMMITMENTS_MINE.format(program=program)
            if group.mine
            else copy.HOME_COMMITMENTS_PARTNER.format(senior=group.senior_user, program=program)
        )
        blocks.append(SectionBlock(text=heading))
        # Plain text, so *stars* and _underscores_ a senior typed stay as typed.
        lines = "\n".join(f"• {text}" for text in group.texts)
        blocks.append(SectionBlock(text=PlainTextObject(text=lines, emoji=False)))
    return blocks
