"""Messages someone is waiting to see, sent as soon as Slack's pace allows, never on the
request that planned them.

A welcome, a "saved" note, a goals update, a lead's nudge: each is planned in the outbox
(committed, so a crash loses nothing) and its key handed to a sender. The request
returns at once. :class:`ExpressLane` sends on one thread of its own, gathering every
key handed to it since its last pass into one ``deliver_due`` (which paces, retries and
records exactly as the tick does), so a launch-day burst of joins becomes a few paced
batches instead of hundreds of waiting threads. What it cannot send now (a 429, Slack
down) stays planned, and the tick sends it later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Protocol

from bot.background import run_logged
from bot.clock import Clock
from bot.services.outbox.delivery import DeliveryService

log = logging.getLogger(__name__)


class Sender(Protocol):
    def send(self, keys: Sequence[str]) -> None: ...


class SendInline:
    """Sends in the caller's thread: for service tests, and anywhere waiting is fine."""

    def __init__(self, delivery: DeliveryService, clock: Clock) -> None:
        self._delivery = delivery
        self._clock = clock

    def send(self, keys: Sequence[str]) -> None:
        self._delivery.deliver_due(self._clock.now(), keys=list(keys))


class ExpressLane:
    def __init__(self, delivery: DeliveryService, clock: Clock) -> None:
        self._delivery = delivery
        self._clock = clock
        self._wanted: dict[str, None] = {}  # keys in the order they were handed in
        self._closed = False
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def send(self, keys: Sequence[str]) -> None:
        with self._changed:
            if self._closed:
                return  # planned rows stay in the outbox; the next start's tick sends them
            self._wanted.update(dict.fromkeys(keys))
            if self._thread is None:
                # Started on first use, in the process that serves (gunicorn forks first).
                self._thread = threading.Thread(target=self._loop, name="express", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def close(self, timeout: float = 10.0) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._wanted or self._closed)
                if self._closed:
                    return
                keys, self._wanted = list(self._wanted), {}
            run_logged(
                "sending planned messages",
                lambda keys=keys: self._delivery.deliver_due(self._clock.now(), keys=keys),
            )
