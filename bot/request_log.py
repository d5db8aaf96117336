"""One log line and the metrics for every request on /slack/events (and, through
:func:`record`, every Socket Mode request: bot.socket_mode).

Wraps the front door, so it times the whole answer (verification, Bolt, the ack) and
sees refusals too. What it logs are ids and our own identifiers (bot.payloads.Facts):
never a token, a signature or anything a person typed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from bot import metrics
from bot.front_door import FACTS
from bot.payloads import Facts

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("upward.requests")

REFUSED = Facts("refused")  # turned away before the payload was read (unsigned, too big)


class RequestLog:
    def __init__(
        self, app: WSGIApplication, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._app = app
        self._monotonic = monotonic

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = self._monotonic()
        status: list[int] = [500]

        def recording(code: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            status[0] = int(code.split(" ", 1)[0])
            return start_response(code, headers, *rest)

        try:
            body = list(self._app(environ, recording))  # Bolt's answers are small
        finally:
            self._record(environ, status[0], self._monotonic() - started)
        return body

    def _record(self, environ: WSGIEnvironment, status: int, seconds: float) -> None:
        retry = environ.get("HTTP_X_SLACK_RETRY_NUM", "")
        record(environ.get(FACTS) or REFUSED, status, seconds, int(retry) if retry.isdigit() else 0)


def record(facts: Facts, status: int, seconds: float, retry: int = 0) -> None:
    """The request's log line and metrics: over HTTP (RequestLog) or Socket Mode."""
    metrics.count_request(facts.kind, status, seconds)
    log.info(
        "%s %s %d in %.0f ms%s%s",
        facts.kind,
        facts.what or "-",
        status,
        seconds * 1000,
        "".join(f" {k}={v}" for k, v in (("team", facts.team), ("user", facts.user)) if v),
        f" (Slack's retry {retry})" if retry else "",
        extra={
            "kind": facts.kind,
            "what": facts.what,
            "status": status,
            "ms": round(seconds * 1000, 1),
            "team": facts.team,
            "user": facts.user,
            "event_id": facts.event_id,
            "retry": retry,
        },
    )
