"""Messages: help, status, the welcome DM and the leave confirmation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
)

from bot import copy
from bot.ids import Action
from bot.mrkdwn import escape
from bot.shapes.enrolment import Profile
from bot.views.goals_text import goals_blocks


@dataclass(frozen=True)
class Message:
    """Fallback text (notifications, screen readers) plus the blocks."""

    text: str
    blocks: list[Block]


def _command_list(commands: list[tuple[str, str]]) -> str:
    return "\n".join(f"`{name}` — {what}" for name, what in commands)


def help_message(is_lead: bool, unknown: str | None = None) -> Message:
    blocks: list[Block] = []
    if unknown is not None:
        # Sub-command text is user input: escape it and keep it short.
        shown = escape(unknown[:40]).replace("`", "'")
        blocks.append(SectionBlock(text=copy.HELP_UNKNOWN.format(command=shown)))
    blocks += [
        SectionBlock(text=copy.HELP_INTRO),
        SectionBlock(text=_command_list(copy.HELP_COMMANDS)),
    ]
    if is_lead:
        blocks.append(
            SectionBlock(text=f"{copy.HELP_LEAD_HEADING}\n{_command_list(copy.HELP_LEAD_COMMANDS)}")
        )
    return Message(copy.HELP_FALLBACK_TEXT, blocks)


def _skills(names: tuple[str, ...]) -> str:
    return ", ".join(escape(n) for n in names) if names else copy.NOTHING_CHOSEN


def profile_fields(profile: Profile) -> list[MarkdownTextObject]:
    seniority = (
        copy.SENIORITY_LABELS_PLAIN[profile.seniority] if profile.seniority else copy.NOT_SAID
    )
    day = (
        copy.WEEKDAY_NAMES_PLAIN[profile.preferred_weekday]
        if profile.preferred_weekday is not None
        else copy.WEEKDAY_ANY_PLAIN
    )
    return [
        MarkdownTextObject(text=f"*Role*\n{copy.ROLE_NAMES[profile.role]}"),
        MarkdownTextObject(text=f"*Status*\n{copy.STATUS_LABELS[profile.status]}"),
        MarkdownTextObject(text=f"*Can share*\n{_skills(profile.teach)}"),
        MarkdownTextObject(text=f"*Wants to learn*\n{_skills(profile.learn)}"),
        MarkdownTextObject(
            text=f"*Team*\n{escape(profile.department) if profile.department else copy.NOT_SAID}"
        ),
        MarkdownTextObject(text=f"*Career stage*\n{seniority}"),
        MarkdownTextObject(
            text=f"*Prompt time*\n{day}, {copy.WINDOW_LABELS_PLAIN[profile.window]}"
        ),
        MarkdownTextObject(text=f"*Program*\n{escape(profile.program_name)}"),
    ]


def profile_blocks(profile: Profile) -> list[Block]:
    blocks: list[Block] = [SectionBlock(fields=profile_fields(profile))]
    if profile.goals:
        blocks.append(SectionBlock(text=f"*Hoping to get out of it*\n{escape(profile.goals)}"))
    if not profile.pairs:
        none = (
            copy.PARTNER_FINISHED.format(partner=profile.finished_with[0])
            if profile.finished_with
            else copy.PARTNER_NONE
        )
        blocks.append(SectionBlock(text=f"*Partner*\n{none}"))
    for pair in profile.pairs:
        partner = pair.mentee_user if profile.user_id == pair.mentor_user else pair.mentor_user
        line = (
            copy.PARTNER_LINE.format(partner=partner, channel=pair.channel_id)
            if pair.channel_id
            else copy.PARTNER_LINE_NO_CHANNEL.format(partner=partner)
        )
        blocks.append(SectionBlock(text=f"*Partner*\n{line}"))
        if pair.learning or pair.growth:
            blocks += goals_blocks(pair)
        else:
            blocks.append(SectionBlock(text=copy.GOALS_NONE))
    return blocks


def status_message(profile: Profile) -> Message:
    blocks: list[Block] = [SectionBlock(text=copy.STATUS_HEADING), *profile_blocks(profile)]
    return Message(copy.STATUS_LABELS[profile.status], blocks)


def welcome_message(profile: Profile) -> Message:
    blocks: list[Block] = [
        HeaderBlock(text=copy.WELCOME_HEADER_PLAIN),
        SectionBlock(text=copy.WELCOME_INTRO[profile.role]),
        DividerBlock(),
    ]
    blocks += [
        SectionBlock(text=f"*{title}*\n{body}")
        for title, body in copy.WELCOME_GUIDELINES[profile.role]
    ]
    blocks += [
        DividerBlock(),
        SectionBlock(text=copy.WELCOME_NEXT),
        ContextBlock(elements=[MarkdownTextObject(text=copy.STATUS_HEADING)]),
        SectionBlock(fields=profile_fields(profile)),
    ]
    return Message(copy.WELCOME_FALLBACK, blocks)


def text_message(text: str) -> Message:
    return Message(text, [SectionBlock(text=text)])


def leave_confirmation() -> Message:
    blocks: list[Block] = [
        SectionBlock(text=copy.LEAVE_QUESTION),
        ActionsBlock(
            block_id=Action.LEAVE_FORGET,
            elements=[
                CheckboxesElement(
                    action_id=Action.LEAVE_FORGET,
                    options=[
                        Option(
                            value=FORGET,
                            label=copy.LEAVE_FORGET_PLAIN,
                            description=copy.LEAVE_FORGET_HINT_PLAIN,
                        )
                    ],
                )
            ],
        ),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=copy.LEAVE_CONFIRM_PLAIN,
                    action_id=Action.LEAVE_CONFIRM,
                    value="leave",
                    style="danger",
                ),
                ButtonElement(
                    text=copy.LEAVE_CANCEL_PLAIN, action_id=Action.LEAVE_CANCEL, value="stay"
                ),
            ]
        ),
    ]
    return Message(copy.LEAVE_QUESTION_FALLBACK, blocks)


FORGET = "forget"


def wants_forgetting(state: object) -> bool:
    """Whether "Also delete my answers" was ticked when Leave was clicked, read from the
    block_actions payload's ``state``; anything odd reads as not ticked."""
    values = state.get("values") if isinstance(state, Mapping) else None
    if not isinstance(values, Mapping):
        return False
    block = values.get(Action.LEAVE_FORGET)
    element = block.get(Action.LEAVE_FORGET) if isinstance(block, Mapping) else None
    options = element.get("selected_options") if isinstance(element, Mapping) else None
    if not isinstance(options, list):
        return False
    return any(isinstance(o, Mapping) and o.get("value") == FORGET for o in options)
