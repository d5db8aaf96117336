"""The lead's matching preview and what follows it."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot import copy
from bot.ids import Action
from bot.shapes.matching import ConfirmResult, IntroReport, RoundPreview
from bot.views.messages import Message
from bot.views.pairs import reasons_text
from bot.words import counted
from models import Role

# 50 blocks per message: header, summary, divider, the pairs, a "more" line, the
# waiting list, the buttons. Bigger rounds show the best pairs and a count.
MAX_PAIRS_SHOWN = 30
MAX_WAITING_SHOWN = 25
SECTION_MAX = 3000


def match_preview(preview: RoundPreview, can_confirm: bool = True) -> Message:
    summary = copy.MATCH_SUMMARY.format(
        pairs=counted(len(preview.pairs), "pair", bold=True),
        waiting=counted(len(preview.waiting), "person", "people", bold=True),
        paused=copy.MATCH_SUMMARY_PAUSED.format(n=preview.paused) if preview.paused else "",
        dropped=(
            copy.MATCH_SUMMARY_DROPPED.format(pairs=counted(preview.dropped, "pair"))
            if preview.dropped
            else ""
        ),
    )
    blocks: list[Block] = [
        HeaderBlock(text=copy.MATCH_HEADER_PLAIN.format(program=preview.program_name)[:150]),
        SectionBlock(text=summary),
        DividerBlock(),
    ]
    if not preview.pairs:
        waiting = counted(len(preview.waiting), "person", "people")
        blocks.append(SectionBlock(text=copy.MATCH_NOBODY.format(waiting=waiting)))
    for pair in preview.pairs[:MAX_PAIRS_SHOWN]:
        text = copy.MATCH_PAIR.format(
            mentor=pair.mentor_user,
            mentee=pair.mentee_user,
            score=pair.score,
            reasons=reasons_text(pair.reasons, preview.skill_names),
        )
        blocks.append(
            SectionBlock(
                text=text[:SECTION_MAX],
                accessory=ButtonElement(
                    text=copy.MATCH_DROP_PLAIN,
                    action_id=Action.MATCH_DROP,
                    value=f"{preview.round_id}:{pair.mentor_id}:{pair.mentee_id}",
                ),
            )
        )
    if len(preview.pairs) > MAX_PAIRS_SHOWN:
        more = copy.MATCH_MORE_PAIRS.format(
            pairs=counted(len(preview.pairs) - MAX_PAIRS_SHOWN, "more pair")
        )
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    if preview.waiting:
        lines = [
            copy.MATCH_WAITING_LINE.format(
                user=w.user_id,
                role="mentor" if w.role == Role.MENTOR else "mentee",
                reason=copy.UNMATCHED_FOR_LEAD[w.reason.value],
            )
            for w in preview.waiting[:MAX_WAITING_SHOWN]
        ]
        if len(preview.waiting) > MAX_WAITING_SHOWN:
            lines.append(copy.MATCH_MORE_WAITING.format(n=len(preview.waiting) - MAX_WAITING_SHOWN))
        text = copy.MATCH_WAITING_HEADING + "\n" + "\n".join(lines)
        blocks.append(SectionBlock(text=text[:SECTION_MAX]))
    round_id = str(preview.round_id)
    buttons = []
    if can_confirm and preview.pairs:
        buttons.append(
            ButtonElement(
                text=copy.MATCH_CONFIRM_PLAIN,
                action_id=Action.MATCH_CONFIRM,
                value=round_id,
                style="primary",
                confirm=ConfirmObject(
                    title=copy.MATCH_CONFIRM_TITLE_PLAIN,
                    text=copy.MATCH_CONFIRM_TEXT_PLAIN,
                    confirm=copy.MATCH_CONFIRM_YES_PLAIN,
                    deny=copy.MATCH_CONFIRM_NO_PLAIN,
                ),
            )
        )
    if can_confirm:
        buttons += [
            ButtonElement(
                text=copy.MATCH_RERUN_PLAIN, action_id=Action.MATCH_RERUN, value=round_id
            ),
            ButtonElement(
                text=copy.MATCH_CANCEL_PLAIN, action_id=Action.MATCH_CANCEL, value=round_id
            ),
        ]
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    fallback = f"{copy.MATCH_HEADER_PLAIN.format(program=preview.program_name)}: {summary}"
    return Message(fallback, blocks)


def confirmed_message(result: ConfirmResult, auto: bool = False) -> Message:
    text = copy.MATCH_CONFIRMED.format(
        pairs=counted(result.pairs_created, "pair", bold=True),
        program=result.program_name,
        skipped=copy.MATCH_SKIPPED.format(n=result.skipped) if result.skipped else "",
        waiting=counted(result.waiting, "person", "people"),
    )
    if auto:
        text = f"{copy.MATCH_AUTO_CONFIRMED} {text}"
    return Message(text, [SectionBlock(text=text)])


def delivered_message(report: IntroReport) -> Message:
    lines = [
        copy.MATCH_DELIVERED.format(
            pairs=counted(report.pairs_introduced, "pair", bold=True),
            waiting=counted(report.people_told_to_wait, "person", "people", bold=True),
        )
    ]
    if report.retrying:
        lines.append(copy.MATCH_RETRYING.format(messages=counted(report.retrying, "message")))
    for failed in report.undelivered[:20]:
        users = ", ".join(f"<@{u}>" for u in failed.user_ids)
        lines.append(copy.MATCH_UNDELIVERED.format(users=users, error=failed.error))
    text = "\n".join(lines)[:SECTION_MAX]
    return Message(lines[0], [SectionBlock(text=text)])
