"""Modal submissions."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.container import Services
from bot.ids import Callback
from bot.services.enrolment import FormErrors
from bot.views.join_modal import read_submission


def register(app: App, services: Services) -> None:
    @app.view(Callback.JOIN_MODAL)
    def join_submitted(ack: Ack, view: dict[str, Any], context: dict[str, Any]) -> None:
        submission = read_submission(view.get("state", {}).get("values", {}))
        try:
            # Saved and committed before the ack: once the modal closes, it is kept.
            result = services.enrolment.save(context["team_id"], context["user_id"], submission)
        except FormErrors as invalid:
            ack(
                response_action="errors",
                errors={field.value: message for field, message in invalid.errors.items()},
            )
            return
        ack()
        services.onboarding.after_save(result)
