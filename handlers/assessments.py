"""Confidence self-assessments: "Rate my confidence" opens the modal, "Skip" skips, and
the modal's submission is stored before the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot import copy
from bot.container import Services
from bot.errors import FormErrors, UserFacingError
from bot.ids import Action, Callback
from bot.views.assessments import (
    assessment_id_of,
    assessment_modal,
    assessment_saved_view,
    assessment_skipped_message,
    read_assessment,
)
from handlers.buttons import button_int
from handlers.replies import acked


def register(app: App, services: Services) -> None:
    assessments = services.assessments

    @app.action(Action.ASSESSMENT_OPEN)
    @acked
    def open_assessment(
        body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]
    ) -> None:
        assessment_id = button_int(action.get("value"))
        # Ownership, and that it is still open, checked again on every click.
        form = assessments.open_form(context["team_id"], context["user_id"], assessment_id)
        services.slack.for_team(context["team_id"]).open_modal(
            body["trigger_id"], assessment_modal(form)
        )

    @app.action(Action.ASSESSMENT_SKIP)
    @acked
    def skip_assessment(respond: Respond, action: dict[str, Any], context: dict[str, Any]) -> None:
        assessment_id = button_int(action.get("value"))
        skipped = assessments.skip(context["team_id"], context["user_id"], assessment_id)
        if skipped is not None:
            text, blocks = assessment_skipped_message(skipped)
            respond(text=text, blocks=blocks, replace_original=True)
        else:
            respond(
                text=copy.ASSESSMENT_ALREADY_SKIPPED,
                response_type="ephemeral",
                replace_original=False,
            )

    @app.view(Callback.ASSESSMENT_MODAL)
    def submitted(ack: Ack, view: dict[str, Any], context: dict[str, Any]) -> None:
        try:
            assessment_id = assessment_id_of(view.get("private_metadata"))
        except ValueError:
            raise UserFacingError(copy.ASSESSMENT_NOT_YOURS) from None
        submission = read_assessment(view.get("state", {}).get("values", {}))
        try:
            # Committed before the ack: once the modal says thanks, the answers are kept.
            saved = assessments.submit(
                context["team_id"], context["user_id"], assessment_id, submission
            )
        except FormErrors as invalid:
            ack(response_action="errors", errors=invalid.for_slack())
            return
        ack(response_action="update", view=assessment_saved_view(saved.phase))
        services.background.run(
            "marking a self-assessment's DM answered",
            lambda: assessments.mark_answered_in_dm(saved),
        )
