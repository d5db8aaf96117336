"""Pacing for chat.postMessage: about one message per second per channel, and a
workspace-wide ceiling, so the outbox fans out near Slack's limit without tripping it.

With several replicas the workspace's ceiling is one for all of them: ``shared`` (a
bot.replicas.SharedPostPace, a slot reserved in Postgres per message) replaces the
in-process workspace bucket. A channel's pace stays in-process: a channel's messages are
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

    def reserve(self) -> float:
        """Take the next slot; the seconds to wait for it."""
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
class PostPacer:
    """Token buckets, thread-safe. ``acquire`` blocks until both the channel's and the
    workspace's bucket allow one more message."""

    workspace_per_second: float
    per_channel_per_second: float = PER_CHANNEL_PER_SECOND
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    shared: Slots | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _channels: dict[str, _Bucket] = field(default_factory=dict)
    _workspace: _Bucket | None = None

    def acquire(self, channel: str) -> None:
        if self.shared is None:
            self._acquire(channel, workspace=True)
            return
        self._acquire(channel, workspace=False)
        try:
            wait = self.shared.reserve()
        except SQLAlchemyError as error:
            # The database is the pace's keeper; without it, keep this replica's own
            # pace rather than stop sending (the outbox's own writes will fail anyway).
            log.warning("shared post pace unavailable (%s): pacing alone", type(error).__name__)
            self._acquire(channel, workspace=True, channel_taken=True)
            return
        if wait > 0:
            self.sleep(wait)

    def _acquire(self, channel: str, *, workspace: bool, channel_taken: bool = False) -> None:
        while True:
            with self._lock:
                now = self.monotonic()
                if self._workspace is None:
                    # A burst of a fifth of a second's worth: smooth, yet no idle start.
                    burst = max(1.0, self.workspace_per_second / 5)
                    self._workspace = _Bucket(self.workspace_per_second, burst, burst, now)
                bucket = self._channels.get(channel)
                if bucket is None:
                    rate = self.per_channel_per_second
                    bucket = self._channels[channel] = _Bucket(rate, 1.0, 1.0, now)
                # Take from the channel first: a busy channel must not drain the workspace.
                wait = 0.0 if channel_taken else bucket.wait_time(now)
                if wait == 0 and workspace:
                    wait = self._workspace.wait_time(now)
                    if wait > 0 and not channel_taken:
                        bucket.tokens += 1  # give the channel's token back; try again
                if wait == 0:
                    if len(self._channels) > 50_000:  # forget idle channels
                        self._channels = {k: b for k, b in self._channels.items() if b.tokens < 1}
                    return
            self.sleep(wait)
