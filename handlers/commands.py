"""/mentor and its sub-commands."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond

from bot import copy
from bot.container import Services
from bot.shapes.report import FileKind
from bot.slack.errors import SlackError
from bot.slash_command import Command, Sub, parse_command
from bot.views.dashboard import file_sent_text
from bot.views.join_modal import join_modal
from bot.views.matching import confirmed_message, delivered_message, match_preview
from bot.views.messages import (
    Message,
    help_message,
    leave_confirmation,
    status_message,
    text_message,
)
from bot.views.pairs import goals_modal, pick_pair_message
from bot.views.program_modal import program_modal
from bot.views.report import report_message
from handlers.replies import after_ack, replying


@dataclass(frozen=True)
class Invocation:
    """One /mentor request, as the sub-command handlers below need it."""

    ack: Ack
    respond: Respond
    team_id: str
    user_id: str
    trigger_id: str
    parsed: Command

    def answer(self, message: Message) -> None:
        self.ack(text=message.text, blocks=message.blocks)

    def follow_up(self, message: Message, replace: bool = False) -> None:
        self.respond(text=message.text, blocks=message.blocks, replace_original=replace)


def show_help(services: Services, call: Invocation) -> None:
    call.answer(help_message(services.leads.is_lead(call.team_id, call.user_id)))


def join(services: Services, call: Invocation) -> None:
    call.ack()
    profile = services.enrolment.profile(call.team_id, call.user_id)
    view = join_modal(services.enrolment.skill_catalogue(call.team_id), profile)
    services.slack.for_team(call.team_id).open_modal(call.trigger_id, view)


def status(services: Services, call: Invocation) -> None:
    call.answer(status_message(services.enrolment.require_profile(call.team_id, call.user_id)))


def pause(services: Services, call: Invocation) -> None:
    services.enrolment.pause(call.team_id, call.user_id)
    call.ack(text=copy.PAUSED)
    services.home.refresh_home(call.team_id, call.user_id)


def resume(services: Services, call: Invocation) -> None:
    services.enrolment.resume(call.team_id, call.user_id)
    call.ack(text=copy.RESUMED)
    services.home.refresh_home(call.team_id, call.user_id)


def leave(services: Services, call: Invocation) -> None:
    services.enrolment.ensure_can_leave(call.team_id, call.user_id)
    call.answer(leave_confirmation())


def goals(services: Services, call: Invocation) -> None:
    pairs = services.goals.pairs_of(call.team_id, call.user_id)
    if not pairs:
        call.ack(text=copy.GOALS_NOT_MATCHED)
    elif len(pairs) == 1:
        call.ack()
        services.slack.for_team(call.team_id).open_modal(
            call.trigger_id, goals_modal(pairs[0], call.user_id)
        )
    else:
        call.answer(pick_pair_message(pairs, call.user_id))


def program(services: Services, call: Invocation) -> None:
    settings = services.lead_desk.program_to_edit(call.team_id, call.user_id, call.parsed.args)
    call.ack()
    view = program_modal(settings, services.enrolment.skill_catalogue(call.team_id))
    services.slack.for_team(call.team_id).open_modal(call.trigger_id, view)


def match(services: Services, call: Invocation) -> None:
    # Resolve the program first, so a typo gets its answer in the ack itself.
    desk = services.lead_desk
    name = desk.program(call.team_id, call.user_id, call.parsed.args.strip(), "match").name
    call.ack(text=copy.MATCH_WORKING)
    preview = desk.preview_round(call.team_id, call.user_id, name)
    call.follow_up(match_preview(preview, can_confirm=preview.review), replace=True)
    if preview.review or not preview.pairs:
        return
    result = desk.confirm_round(call.team_id, call.user_id, preview.round_id)
    call.follow_up(confirmed_message(result, auto=True))
    after_ack(
        services.background,
        call.respond,
        "introducing a round",
        lambda: call.follow_up(delivered_message(services.intros.introduce_round(result.round_id))),
    )


def report(services: Services, call: Invocation) -> None:
    """`report [program]`, or `report csv|chart [program]` for a file in the lead's DM."""
    first, _, rest = call.parsed.args.strip().partition(" ")
    kind = REPORT_FILES.get(first.lower())
    name = (rest if kind else call.parsed.args).strip() or None
    # Resolve the program first, so a typo gets its answer in the ack itself.
    services.lead_desk.program(call.team_id, call.user_id, name, "report")
    if kind is None:
        call.ack(text=copy.REPORT_WORKING)
        report = services.lead_desk.report(call.team_id, call.user_id, name)
        call.follow_up(report_message(report), replace=True)
        return
    call.ack(text=copy.REPORT_FILE_WORKING[kind])

    def send_file() -> None:
        try:
            sent = services.lead_desk.send_file(call.team_id, call.user_id, kind, program=name)
        except SlackError as error:
            failed = copy.REPORT_FILE_FAILED.format(error=error.code)
            call.follow_up(text_message(failed), replace=True)
            return
        call.follow_up(text_message(file_sent_text(sent)), replace=True)
        services.home.refresh_home(call.team_id, call.user_id)  # App Home links the file

    # Rendering and uploading take seconds: not on the listener's thread.
    after_ack(services.background, call.respond, "sending a report file", send_file)


REPORT_FILES = {"csv": FileKind.CSV, "chart": FileKind.CHART}


ROUTES: dict[Sub, Callable[[Services, Invocation], None]] = {
    Sub.HELP: show_help,
    Sub.JOIN: join,
    Sub.STATUS: status,
    Sub.PAUSE: pause,
    Sub.RESUME: resume,
    Sub.LEAVE: leave,
    Sub.GOALS: goals,
    Sub.PROGRAM: program,
    Sub.MATCH: match,
    Sub.REPORT: report,
}


def register(app: App, services: Services) -> None:
    @app.command("/mentor")
    def mentor(
        ack: Ack, respond: Respond, command: dict[str, Any], context: dict[str, Any]
    ) -> None:
        parsed = parse_command(command.get("text"))
        call = Invocation(
            ack,
            respond,
            context["team_id"],
            context["user_id"],
            command.get("trigger_id", ""),
            parsed,
        )
        if parsed.sub is None:
            call.answer(
                help_message(
                    services.leads.is_lead(call.team_id, call.user_id), unknown=parsed.word
                )
            )
        else:
            # Errors before the ack go to the app's error handler, which answers in the
            # ack itself; after it, they are answered here (see handlers/replies.py).
            acked = False

            def ack_once(*args: Any, **kwargs: Any) -> None:
                nonlocal acked
                acked = True
                ack(*args, **kwargs)

            call = dataclasses.replace(call, ack=ack_once)
            try:
                ROUTES[parsed.sub](services, call)
            except Exception:
                if not acked:
                    raise
                with replying(respond):
                    raise
