"""The server's memory before and after a lead draws the report chart.

    .venv/bin/python -m bench.memory [--participants N] [--pairs N] [--charts N]

Seeds a year of one program on SQLite (bench.report_seed), starts `python app.py`
against the fake Slack as the tests do, and has the lead send `/mentor report`, then
`/mentor report chart` (each chart waits for its upload and its "Sent to your DM"
reply). After each step it reads the gunicorn worker's VmRSS from /proc, and its peak
(VmHWM) at the end.

Two servers run in turn on the same database: the baseline draws the chart in the
worker as before (matplotlib imported into the server, patched in before gunicorn
forks), the second is the app as it is (the chart drawn by a child process). The
verdict: the app as it is stays under --ceiling MiB after its charts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.report_seed import seed_year
from bot.db import make_engine, migrate
from bot.sandbox.fakeslack import FakeSlack
from tests.support import (
    BOT_TOKEN,
    LEAD_ID,
    ROOT,
    TEAM_ID,
    app_env,
    free_port,
    start_app,
)
from tests.support.processes import mapped_files, peak_rss_mb, rss_mb, worker_pid
from tests.support.slack_requests import SlackSender, reply_text

# The app before this change: the worker draws the chart itself, importing matplotlib on
# the first one. Patched in the master, so the forked worker inherits it.
IN_PROCESS_APP = """
import runpy, sys
from bot.services.reports.chart_process import ChartProcess

def png(self, report):
    from bot.views.report_chart import report_chart
    return report_chart(report)

ChartProcess.png = png
sys.argv = [sys.argv[0]]
runpy.run_path("app.py", run_name="__main__")
"""

SETTLE_SECONDS = 1.0  # after each step, for the worker's threads to finish and idle
CHART_TIMEOUT = 120.0  # two shared CPU cores: a chart may take several seconds


@dataclass
class Run:
    name: str
    rss: dict[str, float] = field(default_factory=dict)  # step -> MiB
    chart_seconds: list[float] = field(default_factory=list)
    peak: float = 0.0
    matplotlib_mapped: bool = False


def replies(fake: FakeSlack, containing: str) -> int:
    return sum(
        1
        for c in fake.calls_to("response_url")
        if containing in str(c.args.get("text", "")) or containing in str(c.args.get("blocks"))
    )


def wait_for_reply(fake: FakeSlack, containing: str, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while replies(fake, containing) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"no reply with {containing!r} within {timeout:g} s")
        time.sleep(0.02)


def measure(
    name: str, command: list[str], url: str, fake: FakeSlack, args: argparse.Namespace
) -> Run:
    fake.reset()
    fake.add_user(LEAD_ID, team_id=TEAM_ID, tz="Europe/London")
    workdir = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    app = start_app(
        app_env(url, fake.url, free_port()), workdir / "app.log", command=command, timeout=60
    )
    run = Run(name)
    try:
        worker = worker_pid(app.process.pid)
        slack = SlackSender(app.base_url, fake, TEAM_ID)
        time.sleep(SETTLE_SECONDS)
        run.rss["started"] = rss_mb(worker)

        slack.command(LEAD_ID, "report")
        wait_for_reply(fake, "Reverse mentoring", 1, CHART_TIMEOUT)
        time.sleep(SETTLE_SECONDS)
        run.rss["after /mentor report"] = rss_mb(worker)

        for n in range(1, args.charts + 1):
            started = time.perf_counter()
            ack = slack.command(LEAD_ID, "report chart")
            if "arrive in your DM" not in reply_text(ack):
                raise SystemExit(f"unexpected answer to report chart: {reply_text(ack)}")
            wait_for_reply(fake, "Sent to your DM", n, CHART_TIMEOUT)
            run.chart_seconds.append(time.perf_counter() - started)
            if not any(f["filename"].endswith(".png") for f in fake.uploaded_files.values()):
                raise SystemExit("no PNG reached the fake Slack")
            time.sleep(SETTLE_SECONDS)
            run.rss[f"after chart {n}"] = rss_mb(worker)
        run.peak = peak_rss_mb(worker)
        run.matplotlib_mapped = bool(mapped_files(worker, "matplotlib"))
    finally:
        app.stop()
    return run


def print_runs(runs: list[Run], ceiling: float) -> None:
    steps = list(runs[0].rss)
    width = max(len(s) for s in steps)
    print(f"{'worker VmRSS, MiB':{width}s}  " + "  ".join(f"{r.name:>22s}" for r in runs))
    for step in steps:
        print(f"{step:{width}s}  " + "  ".join(f"{r.rss[step]:22.1f}" for r in runs))
    print(f"{'peak (VmHWM)':{width}s}  " + "  ".join(f"{r.peak:22.1f}" for r in runs))
    for r in runs:
        times = ", ".join(f"{s:.1f}" for s in r.chart_seconds)
        print(f"{r.name}: chart round trips {times} s; matplotlib mapped: {r.matplotlib_mapped}")
    base, now = runs[0], runs[-1]
    last = steps[-1]
    print(f"\nafter the charts: {now.rss[last]:.1f} MiB, was {base.rss[last]:.1f} MiB")
    ok = max(now.rss.values()) < ceiling and not now.matplotlib_mapped
    verdict = "PASS" if ok else "FAIL"
    print(f"{verdict}: the worker stays under {ceiling:g} MiB after a chart")
    if not ok:
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=2_000)
    parser.add_argument("--pairs", type=int, default=1_000)
    parser.add_argument("--charts", type=int, default=2)
    parser.add_argument("--ceiling", type=float, default=150.0, help="MiB")
    parser.add_argument("--no-baseline", action="store_true", help="only the app as it is")
    args = parser.parse_args()

    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-memory-')) / 'bench.db'}"
    migrate(url)
    engine = make_engine(url)
    info = seed_year(engine, participants=args.participants, pairs=args.pairs, team_id=TEAM_ID)
    engine.dispose()
    print(
        f"seeded {info.program_name!r}: {args.participants} people, {args.pairs} pairs "
        "(SQLite); one gunicorn worker"
    )
    fake = FakeSlack(token=BOT_TOKEN, team_id=TEAM_ID).start()
    try:
        runs = []
        if not args.no_baseline:
            baseline = [sys.executable, "-c", IN_PROCESS_APP]
            runs.append(measure("in the worker (before)", baseline, url, fake, args))
        app = [sys.executable, str(ROOT / "app.py")]
        runs.append(measure("child process (now)", app, url, fake, args))
    finally:
        fake.stop()
    print_runs(runs, args.ceiling)


if __name__ == "__main__":
    main()
