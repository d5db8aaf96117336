"""/mentor and its sub-commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from bot import copy
from bot.commands import LEAD_ONLY_SUBS, Sub, parse_command
from bot.container import Services
from bot.views.join_modal import join_modal
from bot.views.messages import help_message, leave_confirmation, status_message


def register(app: App, services: Services) -> None:
    enrolment, onboarding, leads = services.enrolment, services.onboarding, services.leads

    def show_help(ack: Ack, team_id: str, user_id: str, command: dict[str, Any]) -> None:
        message = help_message(leads.is_lead(user_id))
        ack(text=message.text, blocks=message.blocks)

    def join(ack: Ack, team_id: str, user_id: str, command: dict[str, Any]) -> None:
        ack()
        view = join_modal(enrolment.skill_catalogue(team_id), enrolment.profile(team_id, user_id))
        services.gateway.open_modal(command["trigger_id"], view)

    def status(ack: Ack, team_id: str, user_id: str, command: dict[str, Any]) -> None:
        message = status_message(enrolment.require_profile(team_id, user_id))
        ack(text=message.text, blocks=message.blocks)

    def pause(ack: Ack, team_id: str, user_id: str, command: dict[str, Any]) -> None:
        enrolment.pause(team_id, user_id)
        ack(text=copy.PAUSED)
        onboarding.refresh_home(team_id, user_id)

    def resume(ack: Ack, team_id: str, user_id: str, command: dict[str, Any]) -> None:
        enrolment.resume(team_id, user_id)
        ack(text=copy.RESUMED)
        onboarding.refresh_home(team_id, user_id)

    def leave(ack: Ack, team_id: str, user_id: str, command: dict[str, Any]) -> None:
        enrolment.ensure_can_leave(team_id, user_id)
        message = leave_confirmation()
        ack(text=message.text, blocks=message.blocks)

    routes: dict[Sub, Callable[[Ack, str, str, dict[str, Any]], None]] = {
        Sub.HELP: show_help,
        Sub.JOIN: join,
        Sub.STATUS: status,
        Sub.PAUSE: pause,
        Sub.RESUME: resume,
        Sub.LEAVE: leave,
    }

    @app.command("/mentor")
    def mentor(ack: Ack, command: dict[str, Any], context: dict[str, Any]) -> None:
        parsed = parse_command(command.get("text"))
        team_id, user_id = context["team_id"], context["user_id"]
        if parsed.sub is None:
            message = help_message(leads.is_lead(user_id), unknown=parsed.word)
            ack(text=message.text, blocks=message.blocks)
        elif parsed.sub in LEAD_ONLY_SUBS and not leads.is_lead(user_id):
            ack(text=copy.LEAD_ONLY.format(command=parsed.sub.value))
        elif parsed.sub in routes:
            routes[parsed.sub](ack, team_id, user_id, command)
        else:  # a sub-command DESIGN.md names that a later version brings
            ack(text=copy.NOT_YET.format(command=parsed.sub.value))
