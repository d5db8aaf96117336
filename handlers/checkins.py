"""Private check-ins: the "Did you meet?" buttons and the check-in modal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond

from bot import copy
from bot.container import Services
from bot.errors import FormErrors, UserFacingError
from bot.ids import Action, Callback
from bot.views.checkins import (
    asked_again_text,
    checkin_id_of,
    checkin_modal,
    checkin_saved_view,
    read_checkin,
)
from handlers.buttons import button_int
from handlers.replies import acked

FORM_BUTTONS = {Action.CHECKIN_MET: "met", Action.CHECKIN_COULDNT: "couldnt"}


def register(app: App, services: Services) -> None:
    checkins = services.checkins

    def form_button(choice: str) -> Callable[..., None]:
        def open_form(
            body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]
        ) -> None:
            checkin_id = button_int(action.get("value"))
            answer = checkins.answer_met(context["team_id"], context["user_id"], checkin_id, choice)
            assert answer.form is not None
            # The trigger lives three seconds: the answer above is one short transaction.
            services.slack.for_team(context["team_id"]).open_modal(
                body["trigger_id"], checkin_modal(answer.form)
            )

        open_form.__name__ = f"checkin_{choice}"
        return acked(open_form)

    for action_id, choice in FORM_BUTTONS.items():
        app.action(action_id)(form_button(choice))

    @app.action(Action.CHECKIN_NOT_YET)
    @acked
    def not_yet(respond: Respond, action: dict[str, Any], context: dict[str, Any]) -> None:
        checkin_id = button_int(action.get("value"))
        answer = checkins.answer_met(context["team_id"], context["user_id"], checkin_id, "not_yet")
        respond(
            text=asked_again_text(answer.again_at),
            response_type="ephemeral",
            replace_original=False,
        )

    @app.view(Callback.CHECKIN_MODAL)
    def submitted(ack: Ack, view: dict[str, Any], context: dict[str, Any]) -> None:
        try:
            checkin_id = checkin_id_of(view.get("private_metadata"))
        except ValueError:
            raise UserFacingError(copy.CHECKIN_NOT_YOURS) from None
        submission = read_checkin(view.get("state", {}).get("values", {}))
        try:
            # Committed before the ack: once the modal says thanks, the answers are kept.
            saved = checkins.submit(context["team_id"], context["user_id"], checkin_id, submission)
        except FormErrors as invalid:
            ack(response_action="errors", errors=invalid.for_slack())
            return
        ack(response_action="update", view=checkin_saved_view(saved.share_with_lead))
