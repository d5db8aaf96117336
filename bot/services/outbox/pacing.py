"""Pacing for chat.postMessage: about one message per second per channel, and a
workspace-wide ceiling, so the outbox fans out near Slack's limit without tripping it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

PER_CHANNEL_PER_SECOND = 1.0  # Slack's documented pace for chat.postMessage


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
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _channels: dict[str, _Bucket] = field(default_factory=dict)
    _workspace: _Bucket | None = None

    def acquire(self, channel: str) -> None:
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
                wait = bucket.wait_time(now)
                if wait == 0:
                    wait = self._workspace.wait_time(now)
                    if wait > 0:
                        bucket.tokens += 1  # give the channel's token back; try again
                if wait == 0:
                    if len(self._channels) > 50_000:  # forget idle channels
                        self._channels = {k: b for k, b in self._channels.items() if b.tokens < 1}
                    return
            self.sleep(wait)
