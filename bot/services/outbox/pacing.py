"""Pacing for chat.postMessage: about one message per second per channel, and a
workspace-wide ceiling, so the outbox fans out near Slack's limit without tripping it.

With several replicas the workspace's ceiling is one for all of them: ``shared`` (a
bot.replicas.SharedPostPace, a slot reserved in Postgres per message) keeps the pace
instead of this process. A channel's pace stays in-process: a channel's messages are
a pair's or a person's, rarely sent by two replicas in the same second.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

PER_CHANNEL_PER_SECOND = 1.0  # Slack's documented pace for chat.postMessage

log = logging.getLogger(__name__)


class Slots(Protocol):
    """A workspace pace kept outside this process."""

    def reserve(self, interval: float, tolerance: float) -> float:
        """Take the next slot of a pace one message per ``interval`` seconds, at most
        ``tolerance`` seconds early after idle time; the seconds to wait for it."""
        ...


@dataclass
class _Bucket:
    rate: float
    capacity: float
    tokens: float
    updated: float

    def wait_time(self, now: float) -> float:
        """Seconds until a token is free; takes it if there is one now."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1 - 1e-9:  # float dust must not leave a sender waiting forever
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class _Cells:
    """A generic cell rate algorithm, the same one SharedPostPace keeps in Postgres:
    ``next_at`` is the earliest instant the next message may go. ``not_before`` (the end
    of a 429's pause) moves it on, so the messages after a pause are spaced from its end
    instead of all going at once."""

    interval: float
    tolerance: float
    next_at: float = float("-inf")

    def reserve(self, now: float, not_before: float) -> float:
        start = max(self.next_at, now - self.tolerance, not_before)
        self.next_at = start + self.interval
        return _wait(start - now)


def _wait(seconds: float) -> float:
    """Seconds to sleep: 0 for float dust (a slot inside the burst, by rounding, can be
    a few picoseconds "late", or a microsecond on the database's clock)."""
    return seconds if seconds > 1e-5 else 0.0


def _no_pause() -> float:
    return 0.0


@dataclass
class PostPacer:
    """Thread-safe. ``acquire`` blocks until the channel's bucket and the workspace's
    pace both allow one more message, and no 429's pause on chat.postMessage is running.

    The pause is waited out *before* a slot is taken, never after: senders that took
    their slots and then waited for a pause would all post the moment it ends, and be
    refused again. ``paused`` says how long the pause has left (the gateway's rate
    limits, which every replica shares on Postgres)."""

    workspace_per_second: float
    per_channel_per_second: float = PER_CHANNEL_PER_SECOND
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    shared: Slots | None = None
    paused: Callable[[], float] = _no_pause
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _channels: dict[str, _Bucket] = field(default_factory=dict)
    _cells: _Cells = field(init=False)
    _quiet_until: float = float("-inf")  # the end of the last pause seen, monotonic

    def __post_init__(self) -> None:
        interval = 1.0 / self.workspace_per_second
        # A burst of a tenth of a second's worth after idle time: no idle start, and
        # room under a ceiling whose own burst is a fifth of a second's worth for posts
        # that arrive bunched (a sender held up a few milliseconds on a busy host; the
        # soak saw one such refusal in 37,000 posts with a burst of a fifth). A burst of
        # B messages is B - 1 intervals early.
        burst = max(1.0, self.workspace_per_second / 10)
        self._cells = _Cells(interval, (burst - 1) * interval)

    def acquire(self, channel: str) -> None:
        self._take_channel(channel)
        while True:
            self._wait_out_pause()
            self._sleep_if(self._take_slot())
            if self.paused() <= 0:
                return
            # A pause began while this sender waited for its slot: posting now would be
            # refused, so wait it out and take a slot after it.

    def _sleep_if(self, seconds: float) -> None:
        if seconds > 0:
            self.sleep(seconds)

    def _wait_out_pause(self) -> None:
        while (left := self.paused()) > 0:
            with self._lock:
                self._quiet_until = max(self._quiet_until, self.monotonic() + left)
            self.sleep(left)

    def _take_slot(self) -> float:
        if self.shared is not None:
            try:
                return _wait(self.shared.reserve(self._cells.interval, self._cells.tolerance))
            except SQLAlchemyError as error:
                # The database is the pace's keeper; without it, keep this replica's own
                # pace rather than stop sending (the outbox's own writes will fail anyway).
                log.warning("shared post pace unavailable (%s): pacing alone", type(error).__name__)
        with self._lock:
            return self._cells.reserve(self.monotonic(), self._quiet_until)

    def _take_channel(self, channel: str) -> None:
        while True:
            with self._lock:
                now = self.monotonic()
                bucket = self._channels.get(channel)
                if bucket is None:
                    rate = self.per_channel_per_second
                    bucket = self._channels[channel] = _Bucket(rate, 1.0, 1.0, now)
                wait = bucket.wait_time(now)
                if wait == 0:
                    if len(self._channels) > 50_000:  # forget idle channels
                        self._channels = {k: b for k, b in self._channels.items() if b.tokens < 1}
                    return
            self.sleep(wait)
