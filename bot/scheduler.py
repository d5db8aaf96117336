"""The clock: APScheduler fires a short tick; the tick asks the database what is due.

Nothing lives only in the scheduler: a restart loses nothing, because everything due
later is a row with a due time. The job has a fixed id, coalesces missed runs into one
and tolerates a late start, and the scheduler runs in UTC whatever the host's zone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)

TICK_JOB_ID = "upward-run-due"
FIRST_TICK_AFTER = timedelta(seconds=5)  # soon after a restart, to catch up


def start_scheduler(tick: Callable[[], object], every_seconds: int) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        _logged(tick),
        IntervalTrigger(seconds=every_seconds, timezone=UTC),
        id=TICK_JOB_ID,
        replace_existing=True,
        coalesce=True,  # after a pause, one catch-up run, not a burst
        misfire_grace_time=max(60, every_seconds * 5),
        max_instances=1,  # a slow tick (a big fan-out) is never run twice at once
        next_run_time=datetime.now(UTC) + FIRST_TICK_AFTER,
    )
    scheduler.start()
    log.info("scheduler started: run_due every %d s", every_seconds)
    return scheduler


def _logged(tick: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            tick()
        except Exception:
            # The next tick tries again; what was due is still due in the database.
            log.exception("run_due failed")

    return run
