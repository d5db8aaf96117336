"""Socket Mode, behind the same checks and with the same log line and metrics per request
as HTTP's front door and RequestLog.

Over HTTP the front door turns away a payload our listeners must not read
(bot.payloads.problem) and RequestLog times each request around it. Socket Mode's
requests arrive on Slack's WebSocket instead, so this handler does both: a payload that
fails the checks is acknowledged (Slack would otherwise send it again) and goes no
further; the rest go to Bolt, timed from arrival to the answer sent on the socket, and
recorded with Bolt's own status.
"""

from __future__ import annotations

import logging
import time

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot import payloads
from bot.request_log import REFUSED, record

log = logging.getLogger(__name__)


class LoggedSocketModeHandler(SocketModeHandler):
    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.monotonic()
        payload = req.payload if isinstance(req.payload, dict) else {}
        problem = payloads.problem(payload)
        if problem is not None:
            log.warning("Socket Mode request turned away: %s", problem)
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            record(REFUSED, 400, time.monotonic() - started, req.retry_attempt or 0)
            return
        facts = payloads.facts(payload)
        status = 500
        try:
            answer = run_bolt_app(self.app, req)
            status = answer.status
            send_response(client, req, answer, started)
        finally:
            record(facts, status, time.monotonic() - started, req.retry_attempt or 0)
