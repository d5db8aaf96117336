"""Socket Mode, with the same log line and metrics per request as HTTP's RequestLog.

Over HTTP, RequestLog times each request around the front door; Socket Mode's requests
arrive on Slack's WebSocket instead, so this handler times each one from its arrival to
the answer sent back on the socket (the ack), and records it the same way.
"""

from __future__ import annotations

import time

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot import payloads
from bot.request_log import record

UNREADABLE = payloads.Facts("unreadable")  # a payload our checks would turn away


class LoggedSocketModeHandler(SocketModeHandler):
    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.monotonic()
        status = 500
        try:
            super().handle(client, req)  # type: ignore[arg-type]
            status = 200
        finally:
            payload = req.payload if isinstance(req.payload, dict) else {}
            facts = UNREADABLE if payloads.problem(payload) else payloads.facts(payload)
            record(facts, status, time.monotonic() - started, req.retry_attempt or 0)
