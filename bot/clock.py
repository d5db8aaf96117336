"""Time is a parameter: services take ``now`` or a Clock, never call datetime.now()."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class TickClock:
    """The instant a run_due tick is working on, for the services it calls that read a
    Clock (pairing, intros): so `run-due --at` creates a round as of that instant, not of
    the wall clock. Outside a tick (or in another thread) it is the system clock."""

    def __init__(self, fallback: Clock | None = None) -> None:
        self._fallback = fallback or SystemClock()
        self._local = threading.local()

    def now(self) -> datetime:
        pinned: datetime | None = getattr(self._local, "now", None)
        return pinned if pinned is not None else self._fallback.now()

    @contextmanager
    def at(self, now: datetime) -> Iterator[None]:
        previous = getattr(self._local, "now", None)
        self._local.now = now
        try:
            yield
        finally:
            self._local.now = previous
