"""The lead's program modal: create a program or edit one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ChannelSelectElement,
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot import copy
from bot.ids import Action, Callback, ProgramField, row_id
from bot.mrkdwn import escape
from bot.shapes.enrolment import SkillOption
from bot.shapes.programs import (
    CHECKIN_EVERY_WEEKS,
    EMPHASES,
    LENGTH_WEEKS,
    MAX_NAME_CHARS,
    MENTOR_CAPACITY,
    PROMPT_EVERY_WEEKS,
    SESSION_EVERY_WEEKS,
    ProgramSettings,
    ProgramSubmission,
)
from bot.words import counted

NEW = "new"  # private_metadata of the modal when it creates a program


def program_modal(program: ProgramSettings, skills: Sequence[SkillOption]) -> View:
    creating = program.id is None
    skill_options = [Option(value=s.slug, label=s.name) for s in skills]
    focus = [o for o in skill_options if o.value in program.focus_skills] or None

    def every(field: ProgramField, label: str, choices: Sequence[int], value: int) -> InputBlock:
        options = [Option(value=str(n), label=copy.EVERY_WEEKS_PLAIN[n]) for n in choices]
        return InputBlock(
            block_id=field,
            label=label,
            element=StaticSelectElement(
                action_id=Action.FIELD,
                options=options,
                initial_option=next((o for o in options if o.value == str(value)), None),
            ),
        )

    def number(field: ProgramField, label: str, allowed: range, value: int, hint: str | None):
        return InputBlock(
            block_id=field,
            label=label,
            hint=hint,
            element=NumberInputElement(
                action_id=Action.FIELD,
                is_decimal_allowed=False,
                initial_value=str(value),
                min_value=str(allowed.start),
                max_value=str(allowed.stop - 1),
            ),
        )

    def tick(field: ProgramField, label: str, option: str, ticked: bool) -> InputBlock:
        box = Option(value="yes", label=option)
        return InputBlock(
            block_id=field,
            label=label,
            optional=True,
            element=CheckboxesElement(
                action_id=Action.FIELD, options=[box], initial_options=[box] if ticked else None
            ),
        )

    emphasis_options = [
        Option(value=key, label=copy.PROGRAM_EMPHASIS_LABELS_PLAIN[key]) for key in EMPHASES
    ]
    blocks = [
        SectionBlock(text=copy.PROGRAM_INTRO_NEW if creating else copy.PROGRAM_INTRO_EDIT),
        InputBlock(
            block_id=ProgramField.NAME,
            label=copy.PROGRAM_NAME_LABEL_PLAIN,
            element=PlainTextInputElement(
                action_id=Action.FIELD,
                placeholder=copy.PROGRAM_NAME_PLACEHOLDER_PLAIN,
                initial_value=program.name or None,
                max_length=MAX_NAME_CHARS,
            ),
        ),
        InputBlock(
            block_id=ProgramField.START,
            label=copy.PROGRAM_START_LABEL_PLAIN,
            hint=copy.PROGRAM_START_HINT_PLAIN,
            optional=True,
            element=DatePickerElement(
                action_id=Action.FIELD,
                initial_date=program.start_date.isoformat() if program.start_date else None,
            ),
        ),
        number(
            ProgramField.LENGTH,
            copy.PROGRAM_LENGTH_LABEL_PLAIN,
            LENGTH_WEEKS,
            program.length_weeks,
            None,
        ),
        every(
            ProgramField.PROMPTS,
            copy.PROGRAM_PROMPTS_LABEL_PLAIN,
            PROMPT_EVERY_WEEKS,
            program.prompt_every_weeks,
        ),
        every(
            ProgramField.SESSIONS,
            copy.PROGRAM_SESSIONS_LABEL_PLAIN,
            SESSION_EVERY_WEEKS,
            program.session_every_weeks,
        ),
        every(
            ProgramField.CHECKINS,
            copy.PROGRAM_CHECKINS_LABEL_PLAIN,
            CHECKIN_EVERY_WEEKS,
            program.checkin_every_weeks,
        ),
        InputBlock(
            block_id=ProgramField.FOCUS,
            label=copy.PROGRAM_FOCUS_LABEL_PLAIN,
            hint=copy.PROGRAM_FOCUS_HINT_PLAIN,
            optional=True,
            element=StaticMultiSelectElement(
                action_id=Action.FIELD,
                placeholder=copy.SKILLS_PLACEHOLDER_PLAIN,
                options=skill_options,
                initial_options=focus,
            ),
        ),
        number(
            ProgramField.CAPACITY,
            copy.PROGRAM_CAPACITY_LABEL_PLAIN,
            MENTOR_CAPACITY,
            program.mentor_capacity,
            copy.PROGRAM_CAPACITY_HINT_PLAIN,
        ),
        InputBlock(
            block_id=ProgramField.EMPHASIS,
            label=copy.PROGRAM_EMPHASIS_LABEL_PLAIN,
            element=StaticSelectElement(
                action_id=Action.FIELD,
                options=emphasis_options,
                initial_option=next(
                    (o for o in emphasis_options if o.value == program.match_emphasis),
                    emphasis_options[0],
                ),
            ),
        ),
        InputBlock(
            block_id=ProgramField.SHOUTOUT,
            label=copy.PROGRAM_SHOUTOUT_LABEL_PLAIN,
            hint=copy.PROGRAM_SHOUTOUT_HINT_PLAIN,
            optional=True,
            element=ChannelSelectElement(
                action_id=Action.FIELD,
                placeholder=copy.PROGRAM_SHOUTOUT_PLACEHOLDER_PLAIN,
                initial_channel=program.shoutout_channel_id,
            ),
        ),
        tick(
            ProgramField.REVIEW,
            copy.PROGRAM_REVIEW_LABEL_PLAIN,
            copy.PROGRAM_REVIEW_OPTION_PLAIN,
            program.review_matches,
        ),
    ]
    if not program.is_default:
        blocks.append(
            tick(
                ProgramField.DEFAULT,
                copy.PROGRAM_DEFAULT_LABEL_PLAIN,
                copy.PROGRAM_DEFAULT_OPTION_PLAIN,
                False,
            )
        )
    return View(
        type="modal",
        callback_id=Callback.PROGRAM_MODAL,
        private_metadata=NEW if creating else str(program.id),
        title=PlainTextObject(
            text=copy.PROGRAM_NEW_TITLE_PLAIN if creating else copy.PROGRAM_EDIT_TITLE_PLAIN
        ),
        submit=PlainTextObject(text=copy.PROGRAM_SUBMIT_PLAIN),
        close=PlainTextObject(text=copy.CANCEL_PLAIN),
        blocks=blocks,
    )


def program_id_of(private_metadata: str | None) -> int | None:
    """The program a submitted modal edits; None when it creates one."""
    if not private_metadata or private_metadata == NEW:
        return None
    return row_id(private_metadata)


def read_program(state_values: Mapping[str, Any]) -> ProgramSubmission:
    """view.state.values as plain values; odd or missing fields read as empty."""

    def element(field: ProgramField) -> Mapping[str, Any]:
        block = state_values.get(field.value)
        value = block.get(Action.FIELD.value) if isinstance(block, Mapping) else None
        return value if isinstance(value, Mapping) else {}

    def text(field: ProgramField, key: str = "value") -> str | None:
        value = element(field).get(key)
        return value if isinstance(value, str) else None

    def selected(field: ProgramField) -> str | None:
        option = element(field).get("selected_option")
        value = option.get("value") if isinstance(option, Mapping) else None
        return value if isinstance(value, str) else None

    def selected_many(field: ProgramField) -> list[str]:
        options = element(field).get("selected_options")
        if not isinstance(options, list):
            return []
        return [
            o["value"]
            for o in options
            if isinstance(o, Mapping) and isinstance(o.get("value"), str)
        ]

    return ProgramSubmission(
        name=text(ProgramField.NAME),
        start_date=text(ProgramField.START, "selected_date"),
        length_weeks=text(ProgramField.LENGTH),
        prompt_every_weeks=selected(ProgramField.PROMPTS),
        session_every_weeks=selected(ProgramField.SESSIONS),
        checkin_every_weeks=selected(ProgramField.CHECKINS),
        focus_skills=selected_many(ProgramField.FOCUS),
        mentor_capacity=text(ProgramField.CAPACITY),
        review_matches=bool(selected_many(ProgramField.REVIEW)),
        match_emphasis=selected(ProgramField.EMPHASIS),
        make_default=bool(selected_many(ProgramField.DEFAULT)),
        shoutout_channel_id=text(ProgramField.SHOUTOUT, "selected_channel"),
    )


def program_summary(program: ProgramSettings) -> str:
    start = (
        copy.PROGRAM_STARTS.format(date=program.start_date.strftime("%-d %B %Y"))
        if program.start_date
        else ""
    )
    return copy.PROGRAM_SUMMARY.format(
        length=program.length_weeks,
        start=start,
        prompts=copy.EVERY_WEEKS_LOWER[program.prompt_every_weeks],
        sessions=copy.EVERY_WEEKS_LOWER[program.session_every_weeks],
        checkins=copy.EVERY_WEEKS_LOWER[program.checkin_every_weeks],
        capacity=counted(program.mentor_capacity, "mentee"),
        review=copy.PROGRAM_REVIEWED if program.review_matches else copy.PROGRAM_NOT_REVIEWED,
    )


def program_saved_view(program: ProgramSettings) -> View:
    """Replaces the modal after a save, so the lead sees what now holds."""
    text = copy.PROGRAM_SAVED.format(name=escape(program.name), summary=program_summary(program))
    return View(
        type="modal",
        title=PlainTextObject(text=copy.PROGRAM_SAVED_TITLE_PLAIN),
        close=PlainTextObject(text=copy.CLOSE_PLAIN),
        blocks=[SectionBlock(text=text), SectionBlock(text=copy.PROGRAM_SAVED_NEXT)],
    )
