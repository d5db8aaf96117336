"""One replica's tick, for bench.soak and tests/e2e/test_replicas.py: the scheduler's
own code, ``build_services(settings, clock).due.run_due(instant)``, at instants read one a
line from standard input, so a driver can move virtual time in fast steps.

    DATABASE_URL=... SLACK_BOT_TOKEN=... SLACK_API_URL=... python -m bench.soak_replica

Settings come from the environment, as the app's do (tests.support.app_env). Writes one
JSON line when ready ({"ready": pid}), then one per instant once run_due has returned
({"at": ..., "sent": ..., ...}); exits at the end of its input. Each replica is a process
with its own engine, pacer and Slack clients: what two replicas share, they share through
Postgres, as in production. A driver may SIGKILL it at any moment.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime

from bot.config import load_settings
from bot.container import build_services
from bot.logs import configure_logging
from tests.support import FixedClock


def main() -> int:
    configure_logging()  # to standard error: the driver keeps it in a file
    settings = load_settings(serving=False)
    clock = FixedClock(datetime.now(UTC))
    services = build_services(settings, clock)
    print(json.dumps({"ready": os.getpid()}), flush=True)
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            instant = datetime.fromisoformat(line.strip())
            clock.current = instant  # what reads the clock during the tick sees the instant
            started = time.perf_counter()
            report = services.due.run_due(instant)
            delivery = report.delivery
            print(
                json.dumps(
                    {
                        "at": instant.isoformat(),
                        "seconds": round(time.perf_counter() - started, 3),
                        "planned_here": report.planned_here,
                        "prompts": report.prompts.planned,
                        "checkins": report.checkins,
                        "reminders": report.reminders,
                        "lifecycle": report.lifecycle,
                        "sent": delivery.sent,
                        "found": delivery.found_already_sent,
                        "rescheduled": delivery.rescheduled,
                        "failed": delivery.failed,
                        "cancelled": delivery.cancelled,
                    }
                ),
                flush=True,
            )
    finally:
        services.close()
        services.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
