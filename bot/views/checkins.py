"""Feedback check-ins: the private "Did you meet?" DM, the short form, and its thank-you.

The form's vocabulary (ratings, candour answers, text limits) lives in
:mod:`bot.shapes.checkins`, where the service validates against the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
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
from bot.ids import Action, Callback, CheckInField, row_id
from bot.shapes.checkins import (
    CANDID_CHOICES,
    MAX_TEXT_CHARS,
    RATINGS,
    CheckInForm,
    CheckInSubmission,
)

SHARE = "share"  # the value of the one "share with the lead" checkbox


def checkin_message(
    *,
    checkin_id: int,
    number: int,
    total: int,
    every_weeks: int,
    partner_user: str,
    again: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """The DM: fallback text and blocks (as dicts: the outbox stores them as JSON).

    It says nothing about what anyone answered: it only asks.
    """
    value = str(checkin_id)
    question = (
        copy.CHECKIN_AGAIN.format(partner=partner_user)
        if again
        else copy.CHECKIN_QUESTION.format(
            partner=partner_user, period=copy.CHECKIN_PERIOD.get(every_weeks, "few weeks")
        )
    )
    blocks: list[Block] = [
        HeaderBlock(text=copy.CHECKIN_HEADER_PLAIN.format(number=number, total=total)[:150]),
        SectionBlock(text=question),
        ContextBlock(
            elements=[MarkdownTextObject(text=copy.CHECKIN_PRIVATE.format(partner=partner_user))]
        ),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=copy.CHECKIN_MET_PLAIN,
                    action_id=Action.CHECKIN_MET,
                    value=value,
                    style="primary",
                ),
                ButtonElement(
                    text=copy.CHECKIN_NOT_YET_PLAIN, action_id=Action.CHECKIN_NOT_YET, value=value
                ),
                ButtonElement(
                    text=copy.CHECKIN_COULDNT_PLAIN, action_id=Action.CHECKIN_COULDNT, value=value
                ),
            ]
        ),
    ]
    return copy.CHECKIN_FALLBACK, [b.to_dict() for b in blocks]


def asked_again_text(again_at: datetime | None) -> str:
    """The ephemeral answer to "Not yet": when we will ask again, in the reader's own
    time (Slack formats the date token), or that we won't ask again."""
    if again_at is None:
        return copy.CHECKIN_ASKED_AGAIN_ALREADY
    fallback = again_at.strftime("%a %d %b %H:%M UTC")
    when = f"<!date^{int(again_at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"
    return copy.CHECKIN_ASK_AGAIN.format(when=when)


def checkin_modal(form: CheckInForm) -> View:
    ratings = [Option(value=str(n), label=copy.CHECKIN_RATINGS_PLAIN[n]) for n in RATINGS]
    intro = copy.CHECKIN_INTRO_MET if form.met == "met" else copy.CHECKIN_INTRO_COULDNT
    share = Option(value=SHARE, label=copy.CHECKIN_SHARE_OPTION_PLAIN)

    def text_input(field: CheckInField, label: str, placeholder: str, value: str | None):
        return InputBlock(
            block_id=field,
            label=label,
            optional=True,
            element=PlainTextInputElement(
                action_id=Action.FIELD,
                multiline=True,
                placeholder=placeholder,
                initial_value=value or None,
                max_length=MAX_TEXT_CHARS,
            ),
        )

    blocks: list[Block] = [
        SectionBlock(text=intro),
        ContextBlock(
            elements=[
                MarkdownTextObject(text=copy.CHECKIN_PRIVATE.format(partner=form.partner_user))
            ]
        ),
        InputBlock(
            block_id=CheckInField.RATING,
            label=copy.CHECKIN_RATING_LABEL_PLAIN,
            element=RadioButtonsElement(
                action_id=Action.FIELD,
                options=ratings,
                initial_option=next((o for o in ratings if o.value == str(form.rating)), None),
            ),
        ),
        text_input(
            CheckInField.LEARNED,
            copy.CHECKIN_LEARNED_LABEL_PLAIN,
            copy.CHECKIN_LEARNED_PLACEHOLDER_PLAIN,
            form.learned,
        ),
        text_input(
            CheckInField.BLOCKERS,
            copy.CHECKIN_BLOCKERS_LABEL_PLAIN,
            copy.CHECKIN_BLOCKERS_PLACEHOLDER_PLAIN,
            form.blockers,
        ),
        InputBlock(
            block_id=CheckInField.SHARE,
            label=copy.CHECKIN_SHARE_LABEL_PLAIN,
            hint=copy.CHECKIN_SHARE_HINT_PLAIN,
            optional=True,
            element=CheckboxesElement(
                action_id=Action.FIELD,
                options=[share],
                initial_options=[share] if form.share_with_lead else None,
            ),
        ),
    ]
    if form.is_mentor:
        candid = [Option(value=v, label=copy.CHECKIN_CANDID_PLAIN[v]) for v in CANDID_CHOICES]
        blocks.append(
            InputBlock(
                block_id=CheckInField.CANDID,
                label=copy.CHECKIN_CANDID_LABEL_PLAIN,
                hint=copy.CHECKIN_CANDID_HINT_PLAIN,
                optional=True,
                element=RadioButtonsElement(
                    action_id=Action.FIELD,
                    options=candid,
                    initial_option=next((o for o in candid if o.value == form.candid), None),
                ),
            )
        )
    return View(
        type="modal",
        callback_id=Callback.CHECKIN_MODAL,
        private_metadata=str(form.checkin_id),
        title=PlainTextObject(text=copy.CHECKIN_TITLE_PLAIN),
        submit=PlainTextObject(text=copy.CHECKIN_SUBMIT_PLAIN),
        close=PlainTextObject(text=copy.CANCEL_PLAIN),
        blocks=blocks,
    )


def checkin_id_of(private_metadata: str | None) -> int:
    """The check-in a submitted modal is about; ValueError when it is not one of ours."""
    return row_id(private_metadata)


def read_checkin(state_values: Mapping[str, Any]) -> CheckInSubmission:
    """view.state.values as plain values. Missing or odd fields read as empty: the service
    reports what is wrong, field by field."""

    def element(field: CheckInField) -> Mapping[str, Any]:
        block = state_values.get(field.value)
        value = block.get(Action.FIELD.value) if isinstance(block, Mapping) else None
        return value if isinstance(value, Mapping) else {}

    def selected(field: CheckInField) -> str | None:
        return _option_value(element(field).get("selected_option"))

    def text(field: CheckInField) -> str | None:
        value = element(field).get("value")
        return value if isinstance(value, str) else None

    ticked = element(CheckInField.SHARE).get("selected_options")
    share = isinstance(ticked, list) and any(_option_value(o) == SHARE for o in ticked)
    return CheckInSubmission(
        rating=selected(CheckInField.RATING),
        learned=text(CheckInField.LEARNED),
        blockers=text(CheckInField.BLOCKERS),
        share_with_lead=share,
        candid=selected(CheckInField.CANDID),
    )


def checkin_saved_view(shared_with_lead: bool) -> View:
    """What the modal turns into once the check-in is stored."""
    follow = copy.CHECKIN_THANKS_SHARED if shared_with_lead else copy.CHECKIN_THANKS_PRIVATE
    return View(
        type="modal",
        title=PlainTextObject(text=copy.CHECKIN_THANKS_TITLE_PLAIN),
        close=PlainTextObject(text=copy.CLOSE_PLAIN),
        blocks=[SectionBlock(text=f"{copy.CHECKIN_THANKS}\n{follow}")],
    )


def _option_value(option: object) -> str | None:
    if isinstance(option, Mapping) and isinstance(option.get("value"), str):
        return option["value"]
    return None
