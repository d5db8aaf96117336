"""Errors after ack(), answered where they happen, and work that runs after the ack.

Bolt forgets an ack() when the listener raises right after it (it resets the response
it was about to send), so the HTTP answer would wait for Bolt's 3-second timeout and
Slack would show the click as failed. Work after the ack therefore runs inside
``replying``, which turns a UserFacingError into an ephemeral reply, Slack's own failures
(429, 5xx, unreachable) into a "Slack is busy" note and one WARNING line, and anything
else into a logged apology, exactly as the app-wide error handler would.

Work that waits on Slack beyond one call (intros for a round, a file upload) runs
``after_ack`` on the background pool, so the listener's thread is free at once.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack, Respond

from bot import copy
from bot.background import Runner
from bot.errors import UserFacingError
from bot.slack.errors import describe_slack_failure

log = logging.getLogger(__name__)


def acked(work: Callable[..., None]) -> Callable[..., None]:
    """A listener that acks at once, then does ``work`` inside ``replying``.

    ``work`` names what it needs of ``respond``, ``body``, ``action`` and ``context``.
    The returned listener's own parameters are what Bolt reads to inject them (so no
    functools.wraps: Bolt would follow ``__wrapped__`` to ``work``'s signature).
    """
    wanted = tuple(inspect.signature(work).parameters)

    def listener(
        ack: Ack,
        respond: Respond,
        body: dict[str, Any],
        action: dict[str, Any] | None,
        context: dict[str, Any],
    ) -> None:
        ack()
        offered = {"respond": respond, "body": body, "action": action or {}, "context": context}
        with replying(respond):
            work(**{name: offered[name] for name in wanted})

    listener.__name__ = listener.__qualname__ = work.__name__  # Bolt's log lines name it
    return listener


@contextmanager
def replying(respond: Respond) -> Iterator[None]:
    try:
        yield
    except UserFacingError as error:
        respond(text=error.message, response_type="ephemeral", replace_original=False)
    except Exception as error:
        respond(text=apology(error), response_type="ephemeral", replace_original=False)


def apology(error: Exception) -> str:
    """Log ``error`` as it deserves and say sorry in words that fit it."""
    slack = describe_slack_failure(error)
    if slack is not None:
        log.warning("a request could not finish: %s", slack)
        return copy.SLACK_TROUBLE
    log.exception("listener failed", exc_info=error)
    return copy.SOMETHING_WENT_WRONG


def after_ack(background: Runner, respond: Respond, what: str, job: Callable[[], None]) -> None:
    """Run ``job`` off the listener's thread; its errors are answered via ``respond``."""

    def run() -> None:
        with replying(respond):
            job()

    background.run(what, run)
