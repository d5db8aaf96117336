"""Slack's failures, told apart from our own bugs.

A 429, a 5xx, a deactivated user or a dropped connection is Slack's weather: the caller
handles it (retries, reschedules, answers politely) and the log gets one WARNING line
with the method, Slack's error code and any Retry-After. Anything else is a bug of ours
and keeps its traceback.
"""

from __future__ import annotations

import math

from slack_sdk.errors import SlackApiError, SlackRequestError


class SlackPausedError(Exception):
    """A method is paused after a 429 and this thread answers a request, so it may not
    wait: the caller answers "Slack is busy" instead of holding the request."""

    def __init__(self, method: str, seconds: float) -> None:
        super().__init__(f"{method} is paused for {seconds:.1f} s after a 429")
        self.method = method
        self.seconds = seconds


def method_of(error: SlackApiError) -> str:
    url = getattr(error.response, "api_url", "") or ""
    return url.rstrip("/").rsplit("/", 1)[-1] or "?"


def retry_after(headers: object, default: float = 1.0) -> float:
    """Seconds from a Retry-After header (a number; a list of one from slack_sdk)."""
    value: object = None
    if isinstance(headers, dict):
        for name, found in headers.items():
            if str(name).lower() == "retry-after":
                value = found[0] if isinstance(found, list) and found else found
    try:
        seconds = float(str(value))
    except ValueError:
        return default
    return min(max(seconds, 0.0), 3600.0) if math.isfinite(seconds) else default


def describe_slack_failure(error: BaseException) -> str | None:
    """One line for a failure of Slack's (or of the network to it); None for our bugs."""
    if isinstance(error, SlackApiError):
        response = error.response
        status = getattr(response, "status_code", "?")
        code = response.get("error") if hasattr(response, "get") else None
        line = f"Slack answered {method_of(error)} with {code or 'an error'} (HTTP {status})"
        if status == 429:
            line += f", retry after {retry_after(getattr(response, 'headers', {})):g} s"
        return line
    if isinstance(error, SlackRequestError | OSError | TimeoutError):
        # URLError, connection reset, timeouts: the network between us and Slack.
        return f"could not reach Slack: {type(error).__name__}: {error}"
    return None
