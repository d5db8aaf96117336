"""The sandbox's own time: the wall clock plus an offset that only grows.

The whole app runs on it in sandbox mode (requests, the express lane, the tick), so a
"We met" clicked in simulated week 5 is recorded in week 5. Moving it forward runs
run_due at every step on the way, exactly as `python -m bot run-due --at` would, so
what falls due in between (prompts in each person's working hours, check-ins,
reminders, the end of a program) happens in order rather than all at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

# Short jumps step hourly, so a prompt due at 10:00 arrives at 10:00; long ones step
# every three hours, so twelve weeks take seconds rather than a minute.
FINE_STEP = timedelta(hours=1)
COARSE_STEP = timedelta(hours=3)
FINE_UNTIL = timedelta(days=8)
MORNING = dtime(9, 30)
STEP_ATTEMPTS = 3


class VirtualClock:
    """now() is the wall clock moved forward by every jump so far; thread-safe."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = (start - datetime.now(UTC)) if start is not None else timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def move_to(self, instant: datetime) -> None:
        """Forward only: time in the sandbox never runs backwards."""
        with self._lock:
            ahead = instant - self.now()
            if ahead > timedelta(0):
                self._offset += ahead

    def rewind(self) -> None:
        """Back to the wall clock: only for a reset, which deletes everything dated."""
        with self._lock:
            self._offset = timedelta(0)


def next_working_morning(now: datetime, tz: str) -> datetime:
    """The next weekday at 09:30 in a person's time zone, strictly after now."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    day: date = local.date()
    while True:
        candidate = datetime.combine(day, MORNING, tzinfo=zone)
        if candidate > local and candidate.weekday() < 5:
            return candidate.astimezone(UTC)
        day += timedelta(days=1)


def after_the_thanks(due: datetime) -> datetime:
    """The first weekday 16:00 UTC after the thank-yous fall due (never before it: a pair
    whose mentor is in Kolkata falls due at 18:30 UTC). By then New York, London and
    Kolkata, the demo's time zones, have each had a working morning to receive them."""
    target = due.astimezone(UTC).replace(hour=16, minute=0, second=0, microsecond=0)
    if target <= due:
        target += timedelta(days=1)
    while target.weekday() >= 5:
        target += timedelta(days=1)
    return target


@dataclass(frozen=True)
class Progress:
    """A move under way, for the page: where it is going and how far it has got."""

    target: datetime
    at: datetime


class ClockMover:
    """Moves the virtual clock in steps, running `tick(now)` (run_due) at each; one move at
    a time, in a thread of its own so the page stays live while twelve weeks go by."""

    def __init__(self, clock: VirtualClock, tick: Callable[[datetime], object]) -> None:
        self._clock = clock
        self._tick = tick
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._thread: threading.Thread | None = None

    @property
    def progress(self) -> Progress | None:
        return self._progress

    def start(self, target: datetime) -> bool:
        """Starts a move to target; False when one is already running or target is past."""
        with self._lock:
            if self._progress is not None or target <= self._clock.now():
                return False
            self._progress = Progress(target, self._clock.now())
            self._thread = threading.Thread(
                target=self._run, args=(target,), name="sandbox-clock", daemon=True
            )
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self, target: datetime) -> None:
        try:
            step = FINE_STEP if target - self._clock.now() <= FINE_UNTIL else COARSE_STEP
            at = self._clock.now()
            while at < target:
                at = min(at + step, target)
                self._clock.move_to(at)
                self._progress = Progress(target, at)
                self._step(self._clock.now())
        except Exception:
            log.exception("the sandbox clock stopped on its way to %s", target.isoformat())
        finally:
            with self._lock:
                self._progress = None

    def _step(self, now: datetime) -> None:
        """run_due at one step. On SQLite a request writing at the same moment can make a
        step's transaction fail with "database is locked"; run_due is safe to run again
        for the same instant, so the step is tried again rather than the move given up."""
        for attempt in range(STEP_ATTEMPTS):
            try:
                self._tick(now)
                return
            except Exception as error:
                if attempt == STEP_ATTEMPTS - 1:
                    raise
                log.warning("sandbox clock: run_due at %s failed (%s); trying again", now, error)
                time.sleep(0.2 * (attempt + 1))
