"""The lead dashboard's buttons on App Home: nudge a pair at risk, send the CSV or chart.

App Home buttons have no response_url: App Home itself, republished, is the answer (the
pair shows "nudged", the new file is linked), and the file arrives in the lead's DM.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.container import Services
from bot.errors import UserFacingError
from bot.ids import Action
from bot.shapes.report import FileKind
from bot.slack.errors import SlackError
from handlers.buttons import button_int

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    # App Home has no response_url to answer on: App Home itself, refreshed, shows where
    # things stand (the pair shows "nudged", the new file is linked).
    @app.action(Action.NUDGE_PAIR)
    def nudge_pair(ack: Ack, action: dict[str, Any], context: dict[str, Any]) -> None:
        ack()
        team_id, user_id = context["team_id"], context["user_id"]
        try:
            services.lead_desk.nudge(team_id, user_id, button_int(action.get("value")))
        except UserFacingError as refused:
            log.info("nudge refused: %s", refused.message)
        services.home.refresh_home(team_id, user_id)

    def send(kind: FileKind, action: dict[str, Any], context: dict[str, Any]) -> None:
        team_id, user_id = context["team_id"], context["user_id"]
        try:
            program_id = button_int(action.get("value"))
            services.lead_desk.send_file(team_id, user_id, kind, program_id=program_id)
        except UserFacingError as refused:
            log.info("report file refused: %s", refused.message)
        except SlackError as error:
            log.warning("report file upload failed: %s", error.describe())
        services.home.refresh_home(team_id, user_id)

    # Rendering and uploading take seconds: on the background pool, not this thread.
    @app.action(Action.REPORT_CSV)
    def send_csv(ack: Ack, action: dict[str, Any], context: dict[str, Any]) -> None:
        ack()
        services.background.run("sending a CSV", lambda: send(FileKind.CSV, action, context))

    @app.action(Action.REPORT_CHART)
    def send_chart(ack: Ack, action: dict[str, Any], context: dict[str, Any]) -> None:
        ack()
        services.background.run("sending a chart", lambda: send(FileKind.CHART, action, context))
