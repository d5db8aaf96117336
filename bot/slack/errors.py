"""Slack's failures as a few errors of ours, each with one way to handle it.

- :class:`RateLimitedError`: Slack said 429 (or the method is paused after one): wait
  ``retry_after`` seconds, then try again.
- :class:`NotDeliverableError`: this recipient or channel cannot take it (a deactivated
  user, an archived channel...): retrying never helps.
- :class:`SlackUnavailableError`: a 5xx, a timeout, a dropped connection. The call may or
  may not have taken effect (Slack: "some aspect of the operation succeeded"), so a post
  is looked for before it is sent again.
- :class:`SlackRejectedError`: any other refusal (``invalid_blocks``, ``missing_scope``,
  ``invalid_auth``...): a bug or a misconfiguration of ours, with Slack's code.

A :class:`SlackError` is Slack's weather, logged as one line (:meth:`SlackError.describe`);
anything else is a bug of ours and keeps its traceback.
"""

from __future__ import annotations

import math

from slack_sdk.errors import SlackApiError, SlackRequestError

# Slack will never accept these for this recipient; retrying only adds noise.
UNDELIVERABLE_CODES = frozenset(
    {
        "account_inactive",
        "user_not_found",
        "users_not_found",
        "user_disabled",
        "channel_not_found",
        "is_archived",
        "cannot_dm_bot",
        "not_in_channel",
        "restricted_action",
    }
)
RATE_LIMITED_CODES = frozenset({"ratelimited", "rate_limited"})
# The workspace's token no longer works: the app was uninstalled or the token revoked.
DEAD_TOKEN_CODES = frozenset({"invalid_auth", "token_revoked", "token_expired", "not_authed"})
PAUSED = "paused"  # not Slack's: the method is still paused after an earlier 429


class SlackError(Exception):
    """A call to Slack that did not succeed; ``code`` is Slack's error string (or ours
    for the network: "connection", "http_503")."""

    def __init__(self, method: str, code: str, detail: str = "") -> None:
        super().__init__(f"{method}: {code}{f' ({detail})' if detail else ''}")
        self.method = method
        self.code = code
        self.detail = detail

    def describe(self) -> str:
        """One log line: the method, Slack's code, and what to expect."""
        return f"Slack answered {self.method} with {self.code}"


class RateLimitedError(SlackError):
    def __init__(self, method: str, retry_after: float, code: str = "ratelimited") -> None:
        super().__init__(method, code, f"retry after {retry_after:g} s")
        self.retry_after = retry_after

    def describe(self) -> str:
        if self.code == PAUSED:
            return f"{self.method} is paused for {self.retry_after:g} s after a 429"
        return f"Slack answered {self.method} with {self.code}, retry after {self.retry_after:g} s"


class NotDeliverableError(SlackError):
    pass


class SlackUnavailableError(SlackError):
    def describe(self) -> str:
        if self.code == "connection":
            return f"could not reach Slack for {self.method}: {self.detail}"
        return f"Slack failed {self.method} with {self.code}"


class SlackRejectedError(SlackError):
    pass


class WorkspaceGoneError(SlackError):
    """The workspace has no working installation (uninstalled, token revoked): nothing
    more goes to it. Its messages are cancelled, not retried."""

    def describe(self) -> str:
        return f"{self.method}: the workspace's installation is gone ({self.code})"


def from_sdk(method: str, error: Exception) -> SlackError | None:
    """Our error for one that slack_sdk (or the network under it) raised; None for an
    error that is not Slack's, which the caller re-raises as it is."""
    if isinstance(error, SlackApiError):
        response = error.response
        status = int(getattr(response, "status_code", 0) or 0)
        code = str((response.get("error") if hasattr(response, "get") else None) or "")
        if status == 429 or code in RATE_LIMITED_CODES:
            return RateLimitedError(
                method, retry_after(getattr(response, "headers", {})), code or "ratelimited"
            )
        if status >= 500:
            return SlackUnavailableError(method, code or f"http_{status}")
        if code in UNDELIVERABLE_CODES:
            return NotDeliverableError(method, code)
        return SlackRejectedError(method, code or f"http_{status}")
    if isinstance(error, SlackRequestError | OSError | TimeoutError):
        # URLError, connection reset, timeouts: the network between us and Slack.
        return SlackUnavailableError(method, "connection", f"{type(error).__name__}: {error}")
    return None


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
    return error.describe() if isinstance(error, SlackError) else None
