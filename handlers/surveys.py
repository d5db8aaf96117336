"""The questions after a program: "Answer" opens the modal, "Skip" skips, and the
modal's submission is stored before the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot import copy
from bot.container import Services
from bot.errors import FormErrors, UserFacingError
from bot.ids import Action, Callback
from bot.views.surveys import (
    read_survey,
    survey_id_of,
    survey_modal,
    survey_saved_view,
    survey_skipped_message,
)
from handlers.buttons import button_int
from handlers.replies import acked


def register(app: App, services: Services) -> None:
    surveys = services.surveys

    @app.action(Action.SURVEY_OPEN)
    @acked
    def open_survey(body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]) -> None:
        survey_id = button_int(action.get("value"))
        # Ownership, and that it is still open, checked again on every click.
        form = surveys.open_form(context["team_id"], context["user_id"], survey_id)
        services.slack.for_team(context["team_id"]).open_modal(
            body["trigger_id"], survey_modal(form)
        )

    @app.action(Action.SURVEY_SKIP)
    @acked
    def skip_survey(respond: Respond, action: dict[str, Any], context: dict[str, Any]) -> None:
        survey_id = button_int(action.get("value"))
        checkpoint = surveys.skip(context["team_id"], context["user_id"], survey_id)
        if checkpoint is not None:
            text, blocks = survey_skipped_message(checkpoint)
            respond(text=text, blocks=blocks, replace_original=True)
        else:
            respond(
                text=copy.SURVEY_ALREADY_SKIPPED,
                response_type="ephemeral",
                replace_original=False,
            )

    @app.view(Callback.SURVEY_MODAL)
    def submitted(ack: Ack, view: dict[str, Any], context: dict[str, Any]) -> None:
        try:
            survey_id = survey_id_of(view.get("private_metadata"))
        except ValueError:
            raise UserFacingError(copy.SURVEY_NOT_YOURS) from None
        submission = read_survey(view.get("state", {}).get("values", {}))
        team_id, user_id = context["team_id"], context["user_id"]
        try:
            # Committed before the ack: once the modal says thanks, the answers are kept.
            saved = surveys.submit(team_id, user_id, survey_id, submission)
        except FormErrors as invalid:
            ack(response_action="errors", errors=invalid.for_slack())
            return
        ack(response_action="update", view=survey_saved_view(saved))
        services.background.run(
            "marking a survey's DM answered", lambda: surveys.mark_answered_in_dm(saved)
        )
        if saved.partner_user is not None:
            # The commitments appear in both App Homes.
            services.home.refresh_home(team_id, user_id)
            services.home.refresh_home(team_id, saved.partner_user)
