"""The lead's matching preview buttons: confirm, drop a pair, re-run, cancel."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond

from bot import copy
from bot.container import Services
from bot.ids import Action
from bot.services.matching.rounds import RoundAlreadyConfirmedError
from bot.views.matching import confirmed_message, delivered_message, match_preview
from bot.views.messages import Message
from handlers.buttons import button_int, button_parts
from handlers.replies import acked, after_ack


def register(app: App, services: Services) -> None:
    desk = services.lead_desk

    def reply(respond: Respond, message: Message, replace: bool) -> None:
        respond(text=message.text, blocks=message.blocks, replace_original=replace)

    @app.action(Action.MATCH_CONFIRM)
    @acked
    def confirm_round(respond: Respond, action: dict[str, Any], context: dict[str, Any]) -> None:
        round_id = button_int(action.get("value"))
        try:
            result = desk.confirm_round(context["team_id"], context["user_id"], round_id)
        except RoundAlreadyConfirmedError as again:
            # A second click creates nothing, but sends whatever did not go out the first time.
            respond(text=again.message, replace_original=False)
        else:
            reply(respond, confirmed_message(result), replace=True)
        # A group DM per pair and a paced intro each: seconds, not on this thread.
        after_ack(
            services.background,
            respond,
            "introducing a round",
            lambda: introduce(round_id, respond),
        )

    def introduce(round_id: int, respond: Respond) -> None:
        report = services.intros.introduce_round(round_id)
        if (
            report.pairs_introduced
            or report.people_told_to_wait
            or report.undelivered
            or report.retrying
        ):
            reply(respond, delivered_message(report), replace=False)

    @app.action(Action.MATCH_DROP)
    @acked
    def drop_pair(respond: Respond, action: dict[str, Any], context: dict[str, Any]) -> None:
        round_id, mentor_id, mentee_id = (
            button_int(v) for v in button_parts(action.get("value"), 3)
        )
        preview = desk.drop_pair(
            context["team_id"], context["user_id"], round_id, mentor_id, mentee_id
        )
        reply(respond, match_preview(preview), replace=True)

    @app.action(Action.MATCH_RERUN)
    @acked
    def rerun_round(respond: Respond, action: dict[str, Any], context: dict[str, Any]) -> None:
        round_id = button_int(action.get("value"))
        preview = desk.rerun_round(context["team_id"], context["user_id"], round_id)
        reply(respond, match_preview(preview), replace=True)

    @app.action(Action.MATCH_CANCEL)
    @acked
    def cancel_round(respond: Respond, action: dict[str, Any], context: dict[str, Any]) -> None:
        round_id = button_int(action.get("value"))
        program = desk.cancel_round(context["team_id"], context["user_id"], round_id)
        respond(text=copy.MATCH_CANCELLED.format(program=program), replace_original=True)
