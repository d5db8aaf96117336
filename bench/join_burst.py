"""Launch day: a lead announces the program and hundreds of people join within a minute.

    .venv/bin/python -m bench.join_burst [N] [C]

Starts `python app.py` on SQLite against the fake Slack, twice: first with pacing off
(SLACK_POST_RATE=1000, the baseline), then at the default pace (10 posts a second). Each
run, C clients each take people in turn: `/mentor join` (the modal must open: its
trigger_id lives three seconds), then the join form's submission. Meanwhile a probe sends
`/mentor help` every 50 ms. Prints p50/p95/max of each ack in milliseconds, how many took
over Slack's 3 seconds, how many modals opened, and the default pace's p50 as a ratio of
the baseline's. Slack's acks must not depend on Slack's pace: every ratio should be ≈ 1.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.sandbox.fakeslack import FakeSlack
from tests.support import BOT_TOKEN, TEAM_ID, app_env, free_port, start_app
from tests.support.slack_requests import SlackSender, join_values

SLACK_GIVES_UP = 3.0  # seconds
PROBE_EVERY = 0.05


@dataclass
class Run:
    pace: str
    joins: list[float] = field(default_factory=list)  # /mentor join acks, seconds
    submits: list[float] = field(default_factory=list)  # join form submission acks
    probe: list[float] = field(default_factory=list)  # /mentor help during the burst
    modals_opened: int = 0
    triggers_expired: int = 0
    welcomes: int = 0
    welcomes_after: float = 0.0  # seconds from the burst's start to the last welcome
    errors: list[str] = field(default_factory=list)


def timed(send: Callable[[], requests.Response], into: list[float], run: Run) -> None:
    started = time.perf_counter()
    response = send()
    into.append(time.perf_counter() - started)
    if response.status_code != 200 or "went wrong" in response.text:
        run.errors.append(f"{response.status_code}: {response.text[:120]}")


def burst(n: int, clients: int, post_rate: str) -> Run:
    run = Run(pace=f"SLACK_POST_RATE={post_rate}")
    fake = FakeSlack(token=BOT_TOKEN, team_id=TEAM_ID).start()
    workdir = Path(tempfile.mkdtemp())
    env = app_env(
        f"sqlite:///{workdir / 'bench.db'}", fake.url, free_port(), SLACK_POST_RATE=post_rate
    )
    app = start_app(env, workdir / "app.log")
    slack = SlackSender(app.base_url, fake, TEAM_ID)
    users = [f"UBURST{i:06d}" for i in range(n)]
    for user in [*users, "UPROBE0001"]:
        fake.add_user(user)
    slack.command("UPROBE0001", "help")  # warm: the probe's users.info is cached
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            timed(lambda: slack.command("UPROBE0001", "help"), run.probe, run)
            time.sleep(PROBE_EVERY)

    def join(user: str) -> None:
        timed(lambda: slack.command(user, "join"), run.joins, run)
        values = join_values(teach=("ai-tools",))
        timed(lambda: slack.view_submission(user, "upward_join", values), run.submits, run)

    started = time.perf_counter()
    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    try:
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(join, users))
        done.set()
        prober.join()
        # Every welcome still arrives, at Slack's pace, after the acks.
        deadline = time.monotonic() + n / float(post_rate) * 3 + 30
        while time.monotonic() < deadline:
            run.welcomes = len(fake.calls_to("chat.postMessage"))
            if run.welcomes >= n:
                break
            time.sleep(0.2)
        run.welcomes_after = time.perf_counter() - started
        stats = fake.stats
        run.modals_opened, run.triggers_expired = stats.modals_opened, stats.triggers_expired
    finally:
        done.set()
        app.stop()
        fake.stop()
    return run


def summary(values: list[float]) -> tuple[float, float, float, int]:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    over = sum(1 for v in ordered if v > SLACK_GIVES_UP)
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000, over


def main(n: int, clients: int) -> None:
    baseline = burst(n, clients, "1000")
    paced = burst(n, clients, "10")
    print(f"{n} people join from {clients} clients at once; SQLite, one gunicorn worker")
    for name in ("joins", "submits", "probe"):
        label = {
            "joins": "/mentor join",
            "submits": "join submission",
            "probe": "/mentor help probe",
        }[name]
        base = summary(getattr(baseline, name))
        for run in (baseline, paced):
            p50, p95, top, over = summary(getattr(run, name))
            print(
                f"{label:19s} {run.pace:20s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                f"max {top:7.1f} ms  over 3 s {over:3d}  ×{p50 / base[0]:4.2f} baseline p50"
            )
    for run in (baseline, paced):
        print(
            f"{run.pace:20s} modals opened {run.modals_opened}/{n}, expired triggers "
            f"{run.triggers_expired}, welcomes {run.welcomes}/{n} "
            f"(last after {run.welcomes_after:.1f} s), errors {len(run.errors)}"
        )
        for error in run.errors[:3]:
            print("   ", error)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*(args + [300, 40][len(args) :]))
