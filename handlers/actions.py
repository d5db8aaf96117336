"""Buttons: join/edit from App Home, pause/resume, and the leave confirmation."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond

from bot import copy
from bot.container import Services
from bot.errors import UserFacingError
from bot.ids import Action
from bot.views.join_modal import join_modal
from bot.views.messages import wants_forgetting
from bot.views.pairs import goals_modal
from handlers.buttons import button_int
from handlers.replies import acked


def register(app: App, services: Services) -> None:
    enrolment, home = services.enrolment, services.home

    @app.action(Action.OPEN_JOIN)
    def open_join(ack: Ack, body: dict[str, Any], context: dict[str, Any]) -> None:
        ack()
        team_id, user_id = context["team_id"], context["user_id"]
        view = join_modal(enrolment.skill_catalogue(team_id), enrolment.profile(team_id, user_id))
        services.slack.for_team(context["team_id"]).open_modal(body["trigger_id"], view)

    # App Home buttons have no response_url to answer on: App Home itself, refreshed,
    # shows where things stand (a double click on Pause is simply already paused).
    @app.action(Action.PAUSE)
    def pause(ack: Ack, context: dict[str, Any]) -> None:
        ack()
        with contextlib.suppress(UserFacingError):
            enrolment.pause(context["team_id"], context["user_id"])
        home.refresh_home(context["team_id"], context["user_id"])

    @app.action(Action.RESUME)
    def resume(ack: Ack, context: dict[str, Any]) -> None:
        ack()
        with contextlib.suppress(UserFacingError):
            enrolment.resume(context["team_id"], context["user_id"])
        home.refresh_home(context["team_id"], context["user_id"])

    @app.action(Action.LEAVE_CONFIRM)
    @acked
    def leave(respond: Respond, body: dict[str, Any], context: dict[str, Any]) -> None:
        team_id, user_id = context["team_id"], context["user_id"]
        if wants_forgetting(body.get("state")):
            # Leaving and deleting in one transaction: the partner's note names nobody.
            report = services.forgetting.forget_person(team_id, user_id)
            text = copy.LEFT_AND_FORGOTTEN if report.found else copy.NOTHING_TO_FORGET
            respond(text=text, replace_original=True)
            home.after_forget(team_id, report)
            return
        result = enrolment.leave(team_id, user_id)
        respond(text=copy.LEFT, replace_original=True)
        home.after_leave(result)

    @app.action(Action.LEAVE_FORGET)
    def forget_toggled(ack: Ack) -> None:
        ack()  # read from the message's state when Leave is clicked

    @app.action(Action.LEAVE_CANCEL)
    def stay(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text=copy.STAYED, replace_original=True)

    @app.action(Action.OPEN_GOALS)
    @acked
    def open_goals(body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]) -> None:
        pair_id = button_int(action.get("value"))
        goals = services.goals.goals(context["team_id"], context["user_id"], pair_id)
        services.slack.for_team(context["team_id"]).open_modal(
            body["trigger_id"], goals_modal(goals, context["user_id"])
        )

    # Registered last, so it only sees buttons nothing above handles: ones from an
    # older version still sitting in someone's DMs. Ack them so Slack shows no error.
    @app.action(re.compile(".*"))
    def unknown_button(ack: Ack, action: dict[str, Any], logger: logging.Logger) -> None:
        ack()
        logger.info("ignored an unknown action_id %r", action.get("action_id"))
