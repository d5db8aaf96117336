"""Modal submissions."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot import copy
from bot.container import Services
from bot.errors import FormErrors, UserFacingError
from bot.ids import Callback, row_id
from bot.views.join_modal import read_submission
from bot.views.pairs import read_goals
from bot.views.program_modal import program_id_of, program_saved_view, read_program


def register(app: App, services: Services) -> None:
    @app.view(Callback.JOIN_MODAL)
    def join_submitted(ack: Ack, view: dict[str, Any], context: dict[str, Any]) -> None:
        submission = read_submission(view.get("state", {}).get("values", {}))
        try:
            # Saved and committed before the ack: once the modal closes, it is kept.
            result = services.enrolment.save(context["team_id"], context["user_id"], submission)
        except FormErrors as invalid:
            ack(response_action="errors", errors=invalid.for_slack())
            return
        # The welcome is planned before the ack too (one short write; Slack's part runs
        # in the background), so a crash after the modal closes cannot lose it.
        services.home.after_save(result)
        ack()

    @app.view(Callback.PROGRAM_MODAL)
    def program_submitted(ack: Ack, view: dict[str, Any], context: dict[str, Any]) -> None:
        try:
            program_id = program_id_of(view.get("private_metadata"))
        except ValueError:
            raise UserFacingError(copy.PROGRAM_GONE) from None
        submission = read_program(view.get("state", {}).get("values", {}))
        try:
            saved = services.lead_desk.save_program(
                context["team_id"], context["user_id"], program_id, submission
            )
        except FormErrors as invalid:
            ack(response_action="errors", errors=invalid.for_slack())
            return
        ack(response_action="update", view=program_saved_view(saved))

    @app.view(Callback.GOALS_MODAL)
    def goals_submitted(ack: Ack, view: dict[str, Any], context: dict[str, Any]) -> None:
        team_id, user_id = context["team_id"], context["user_id"]
        try:
            pair_id = row_id(view.get("private_metadata"))
        except ValueError:
            raise UserFacingError(copy.GOALS_NOT_YOUR_PAIR) from None
        learning, growth = read_goals(view.get("state", {}).get("values", {}))
        try:
            # Committed before the ack: once the modal closes, the goals are kept.
            goals = services.goals.save(team_id, user_id, pair_id, learning, growth)
        except FormErrors as invalid:
            ack(response_action="errors", errors=invalid.for_slack())
            return
        services.home.goals_changed(team_id, user_id, goals)  # planned, then sent
        ack()
