"""A 429 pauses that method for the workspace, for every sender in the process.

Slack's rate limits are per method per workspace. After a 429 with ``Retry-After``, Slack
asks the client to send nothing more to that method until the pause has passed; a
per-call retry (slack_sdk's RateLimitErrorRetryHandler) only delays the one call that
was refused, while other threads keep calling. :class:`RateLimits` remembers the pause,
and :class:`GatedWebClient` waits for it before every call of the method (background
threads sleep; a request thread gets :class:`RateLimitedError` at once, so it answers
"Slack is busy" instead of holding its thread). One process serves one workspace, one
token, so a RateLimits belongs to the token its clients share. With several replicas,
``shared`` (bot.replicas.SharedPauses) carries each pause to the others.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.slack_response import SlackResponse

from bot.background import on_request_thread
from bot.slack.errors import PAUSED, RateLimitedError, retry_after

log = logging.getLogger(__name__)

MAX_JITTER = 0.25  # seconds added to a pause, so waiting senders do not all fire at once


class Pauses(Protocol):
    """Pauses kept beyond this process (the database, for every replica)."""

    def record(self, method: str, seconds: float) -> None: ...

    def remaining(self, method: str) -> float: ...


class RateLimits:
    """Thread-safe: method -> the monotonic instant its pause ends."""

    def __init__(
        self,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = lambda: random.uniform(0.05, MAX_JITTER),  # noqa: S311
        shared: Pauses | None = None,
    ) -> None:
        self._monotonic = monotonic
        self._sleep = sleep
        self._jitter = jitter
        self._shared = shared
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def pause(self, method: str, seconds: float) -> None:
        now = self._monotonic()
        # The jitter is part of the pause everyone keeps, replicas included: the shared
        # post pace spaces the slots after a pause from its end, and an end each replica
        # saw differently would leave room for a burst.
        delay = seconds + self._jitter()
        with self._lock:
            before = self._until.get(method, 0.0)
            self._until[method] = max(now + delay, before)
        if before <= now:  # one line per pause, however many threads were refused
            log.warning("Slack answered 429 for %s: pausing it for %g s", method, seconds)
        # Shared when Slack asked for longer than the pause already kept (its own jitter
        # aside): the retry handler and the client both report the same 429.
        if self._shared is not None and now + seconds > before:
            self._shared.record(method, delay)

    def remaining(self, method: str) -> float:
        with self._lock:
            until = self._until.get(method)
        mine = 0.0 if until is None else max(0.0, until - self._monotonic())
        if self._shared is None:
            return mine
        return max(mine, self._shared.remaining(method))

    def wait(self, method: str) -> None:
        """Return once ``method`` may be called; on a request thread, raise instead."""
        while (left := self.remaining(method)) > 0:
            if on_request_thread():
                # What Slack would answer if we called now, without calling.
                raise RateLimitedError(method, round(left, 1), PAUSED)
            self._sleep(left)


class PauseOnRateLimit(RetryHandler):
    """slack_sdk's retry hook for 429s: record the pause for every thread, then (off
    request threads) wait for it and try the call again."""

    def __init__(self, limits: RateLimits, max_retry_count: int = 3) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._limits = limits

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        self._limits.pause(_method(request.url), retry_after(response.headers))
        return not on_request_thread()

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        self._limits.wait(_method(request.url))
        state.next_attempt_requested = True
        state.increment_current_attempt()


class Observe429(RetryHandler):
    """Never retries: tells ``seen`` of every 429 a client receives (method, Retry-After),
    for the metrics. First in a client's handlers, so it sees each answer once."""

    def __init__(self, seen: Callable[[str, float], None]) -> None:
        # Never retries, yet must be asked on every attempt: can_retry stops asking once
        # the attempts reach max_retry_count.
        super().__init__(max_retry_count=1_000_000)
        self._seen = seen

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            self._seen(_method(request.url), retry_after(response.headers))
        return False


class GatedWebClient(WebClient):
    """A WebClient that waits out a method's pause before calling it, and starts one
    when Slack answers 429 (also when it has no retry handler, like the outbox's)."""

    def __init__(self, *args: Any, limits: RateLimits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits

    def api_call(self, api_method: str, *args: Any, **kwargs: Any) -> SlackResponse:  # type: ignore[override]
        self.limits.wait(api_method)
        try:
            return super().api_call(api_method, *args, **kwargs)
        except SlackApiError as error:
            if error.response.status_code == 429:
                self.limits.pause(api_method, retry_after(error.response.headers))
            raise


def _method(url: str) -> str:
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
