"""How fast the running app answers Slack (which gives up after 3 s).

    .venv/bin/python -m bench.ack_latency [N]

Starts `python app.py` on SQLite against the fake Slack, sends N signed requests of each
kind, and prints p50/p95/max in milliseconds, with the ratio of each p50 to GET /healthz
(one HTTP round trip and one SELECT) measured in the same run as the baseline.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from bot.sandbox.fakeslack import FakeSlack
from tests.support import BOT_TOKEN, TEAM_ID, app_env, free_port, start_app
from tests.support.slack_requests import SlackSender, join_values


def timed(send: Callable[[str], requests.Response], user: str) -> float:
    started = time.perf_counter()
    response = send(user)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"unexpected {response.status_code}: {response.text[:200]}")
    return elapsed


def main(n: int) -> None:
    fake = FakeSlack(token=BOT_TOKEN, team_id=TEAM_ID).start()
    workdir = Path(tempfile.mkdtemp())
    env = app_env(f"sqlite:///{workdir / 'bench.db'}", fake.url, free_port())
    app = start_app(env, workdir / "app.log")
    slack = SlackSender(app.base_url, fake, TEAM_ID)
    # The first kind is the baseline: one HTTP round trip and one SELECT.
    senders: dict[str, Callable[[str], requests.Response]] = {
        "GET /healthz (baseline)": lambda _: requests.get(app.base_url + "/healthz", timeout=10),
        "/mentor help": lambda user: slack.command(user, "help"),
        "join modal submit": lambda user: slack.view_submission(user, "upward_join", join_values()),
        "/mentor status": lambda user: slack.command(user, "status"),
    }
    kinds: dict[str, list[float]] = {name: [] for name in senders}
    try:
        for i in range(n):
            user = f"UBENCH{i:06d}"
            fake.add_user(user)
            for name, send in senders.items():
                kinds[name].append(timed(send, user))
    finally:
        app.stop()
        fake.stop()
    baseline = statistics.median(kinds["GET /healthz (baseline)"])
    print(f"n={n} per kind, SQLite, one gunicorn worker")
    for name, values in kinds.items():
        values.sort()
        p50 = statistics.median(values)
        p95 = values[max(0, int(len(values) * 0.95) - 1)]
        print(
            f"{name:26s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {values[-1]:6.1f} ms"
            f"  ×{p50 / baseline:4.1f} baseline"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
