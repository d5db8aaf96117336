"""The join / edit modal and the reader for its submission."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot import copy
from bot.ids import Action, Callback, JoinField
from bot.shapes.enrolment import (
    MAX_DEPARTMENT_CHARS,
    MAX_GOALS_CHARS,
    MAX_SKILLS_PER_DIRECTION,
    JoinSubmission,
    Profile,
    SkillOption,
)
from models.enums import Role, Seniority


def join_modal(skills: Sequence[SkillOption], profile: Profile | None) -> View:
    """The modal for joining, pre-filled with the person's answers when they edit."""
    editing = profile is not None
    skill_options = [Option(value=s.slug, label=s.name) for s in skills]
    by_slug = {o.value: o for o in skill_options}
    role_options = [
        Option(
            value=role.value,
            label=copy.ROLE_LABELS_PLAIN[role],
            description=copy.ROLE_DESCRIPTIONS_PLAIN[role],
        )
        for role in Role
    ]
    seniority_options = [
        Option(value=str(level.value), label=copy.SENIORITY_LABELS_PLAIN[level])
        for level in Seniority
    ]
    weekday_options = [Option(value="any", label=copy.WEEKDAY_ANY_PLAIN)] + [
        Option(value=str(i), label=name) for i, name in enumerate(copy.WEEKDAY_NAMES_PLAIN)
    ]
    window_options = [
        Option(value=key, label=label) for key, label in copy.WINDOW_LABELS_PLAIN.items()
    ]

    def pick(options: list[Option], value: str | None) -> Option | None:
        return next((o for o in options if o.value == value), None)

    def chosen(slugs: Sequence[str]) -> list[Option] | None:
        return [by_slug[s] for s in slugs if s in by_slug] or None

    blocks = [
        SectionBlock(text=copy.JOIN_INTRO),
        InputBlock(
            block_id=JoinField.ROLE,
            label=copy.ROLE_LABEL_PLAIN,
            element=RadioButtonsElement(
                action_id=Action.FIELD,
                options=role_options,
                initial_option=pick(role_options, profile.role.value) if editing else None,
            ),
        ),
        _skills_input(
            JoinField.TEACH,
            copy.TEACH_LABEL_PLAIN,
            copy.TEACH_HINT_PLAIN,
            skill_options,
            chosen(profile.teach_slugs) if editing else None,
        ),
        _skills_input(
            JoinField.LEARN,
            copy.LEARN_LABEL_PLAIN,
            copy.LEARN_HINT_PLAIN,
            skill_options,
            chosen(profile.learn_slugs) if editing else None,
        ),
        InputBlock(
            block_id=JoinField.DEPARTMENT,
            label=copy.DEPARTMENT_LABEL_PLAIN,
            optional=True,
            element=PlainTextInputElement(
                action_id=Action.FIELD,
                placeholder=copy.DEPARTMENT_PLACEHOLDER_PLAIN,
                initial_value=(profile.department if editing else None) or None,
                max_length=MAX_DEPARTMENT_CHARS,
            ),
        ),
        InputBlock(
            block_id=JoinField.SENIORITY,
            label=copy.SENIORITY_LABEL_PLAIN,
            element=StaticSelectElement(
                action_id=Action.FIELD,
                placeholder=copy.SENIORITY_PLACEHOLDER_PLAIN,
                options=seniority_options,
                initial_option=(
                    pick(seniority_options, str(profile.seniority.value))
                    if editing and profile.seniority
                    else None
                ),
            ),
        ),
        InputBlock(
            block_id=JoinField.WEEKDAY,
            label=copy.WEEKDAY_LABEL_PLAIN,
            element=StaticSelectElement(
                action_id=Action.FIELD,
                options=weekday_options,
                initial_option=pick(
                    weekday_options,
                    str(profile.preferred_weekday)
                    if editing and profile.preferred_weekday is not None
                    else "any",
                ),
            ),
        ),
        InputBlock(
            block_id=JoinField.WINDOW,
            label=copy.WINDOW_LABEL_PLAIN,
            element=StaticSelectElement(
                action_id=Action.FIELD,
                options=window_options,
                initial_option=pick(window_options, profile.window if editing else "any"),
            ),
        ),
        InputBlock(
            block_id=JoinField.GOALS,
            label=copy.GOALS_LABEL_PLAIN,
            hint=copy.OPTIONAL_HINT_PLAIN,
            optional=True,
            element=PlainTextInputElement(
                action_id=Action.FIELD,
                multiline=True,
                placeholder=copy.GOALS_PLACEHOLDER_PLAIN,
                initial_value=(profile.goals if editing else None) or None,
                max_length=MAX_GOALS_CHARS,
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=Callback.JOIN_MODAL,
        title=PlainTextObject(text=copy.EDIT_TITLE_PLAIN if editing else copy.JOIN_TITLE_PLAIN),
        submit=PlainTextObject(text=copy.EDIT_SUBMIT_PLAIN if editing else copy.JOIN_SUBMIT_PLAIN),
        close=PlainTextObject(text=copy.CANCEL_PLAIN),
        blocks=blocks,
    )


def _skills_input(
    field: JoinField,
    label: str,
    hint: str,
    options: list[Option],
    initial: list[Option] | None,
) -> InputBlock:
    # Optional for Slack: which list must be filled depends on the role, checked on submit.
    return InputBlock(
        block_id=field,
        label=label,
        hint=hint,
        optional=True,
        element=StaticMultiSelectElement(
            action_id=Action.FIELD,
            placeholder=copy.SKILLS_PLACEHOLDER_PLAIN,
            options=options,
            initial_options=initial,
            max_selected_items=MAX_SKILLS_PER_DIRECTION,
        ),
    )


def read_submission(state_values: Mapping[str, Any]) -> JoinSubmission:
    """Turn view.state.values into plain values. Tolerates missing or odd fields:
    whatever is wrong is reported by the service's validation, field by field."""

    def element(field: JoinField) -> Mapping[str, Any]:
        block = state_values.get(field.value)
        value = block.get(Action.FIELD.value) if isinstance(block, Mapping) else None
        return value if isinstance(value, Mapping) else {}

    def selected(field: JoinField) -> str | None:
        option = element(field).get("selected_option")
        return _option_value(option)

    def selected_many(field: JoinField) -> list[str]:
        options = element(field).get("selected_options")
        if not isinstance(options, list):
            return []
        return [v for v in (_option_value(o) for o in options) if v is not None]

    def text(field: JoinField) -> str | None:
        value = element(field).get("value")
        return value if isinstance(value, str) else None

    return JoinSubmission(
        role=selected(JoinField.ROLE),
        teach=selected_many(JoinField.TEACH),
        learn=selected_many(JoinField.LEARN),
        department=text(JoinField.DEPARTMENT),
        seniority=selected(JoinField.SENIORITY),
        weekday=selected(JoinField.WEEKDAY),
        window=selected(JoinField.WINDOW),
        goals=text(JoinField.GOALS),
    )


def _option_value(option: object) -> str | None:
    if isinstance(option, Mapping) and isinstance(option.get("value"), str):
        return option["value"]
    return None
