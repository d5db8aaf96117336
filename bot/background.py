"""Work a request starts but must not wait for, on threads of its own.

Bolt runs listeners on a small pool, and Slack gives each request three seconds. A
listener that waits on Slack's pace (a welcome DM behind the post pacer, a 429's
Retry-After) holds one of those threads, and a burst of such listeners holds them all:
every ack behind them waits, and trigger_ids expire before their modals open. So a
listener does what the person is waiting for (save, ack, open the modal) and hands the
rest (messages, App Home, uploads, intros) to a :class:`Background`.

Threads are marked: a request thread (``mark_request_thread``) must never sleep on
Slack, while background threads may; the rate-limit gate reads the mark.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from bot.errors import UserFacingError
from bot.slack.errors import describe_slack_failure

log = logging.getLogger(__name__)

_thread = threading.local()


def mark_request_thread() -> None:
    """This thread answers Slack's requests: it may never wait on Slack's pace."""
    _thread.serves_requests = True


def on_request_thread() -> bool:
    return getattr(_thread, "serves_requests", False)


def request_executor(workers: int) -> ThreadPoolExecutor:
    """Bolt's listener pool, with every thread marked as a request thread."""
    return ThreadPoolExecutor(
        workers, thread_name_prefix="listener", initializer=mark_request_thread
    )


class Runner(Protocol):
    def run(self, what: str, job: Callable[[], object]) -> None: ...


class Background:
    """A small pool for after-ack work. Failures are logged (one line for Slack's
    weather, a traceback for our bugs) and never reach the request that started them."""

    def __init__(self, workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="after-ack")

    def run(self, what: str, job: Callable[[], object]) -> None:
        self._pool.submit(run_logged, what, job)

    def close(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=not wait)


def run_logged(what: str, job: Callable[[], object]) -> None:
    try:
        job()
    except UserFacingError as refused:
        log.info("%s: refused: %s", what, refused.message)  # a refusal, not a failure
    except Exception as error:
        slack = describe_slack_failure(error)
        if slack is not None:
            log.warning("%s: %s", what, slack)
        else:
            log.exception("%s failed", what)
