"""What tests and benchmarks share: the test workspace's ids, a clock to move by hand,
and the app started as production starts it (a process on a free port)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import requests

from tests.support.slack_requests import SIGNING_SECRET

ROOT = Path(__file__).resolve().parent.parent.parent
BOT_TOKEN = "xoxb-1111-2222-upwardtesttoken"
TEAM_ID = "T0UPWARD1"
LEAD_ID = "ULEAD0001"


@dataclass
class FixedClock:
    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningApp:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            # Never leave a server (and its gunicorn worker) running after the tests.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise AssertionError(
                f"app did not stop within {timeout} s of SIGTERM:\n{self.log()}"
            ) from None


PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy"}


def app_env(database_url: str, api_url: str, port: int, **extra: str) -> dict[str, str]:
    # No proxies: slack_sdk ignores NO_PROXY and would route 127.0.0.1 through them.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MENTOR_", "SCHEDULER_"))
        and k.lower() not in PROXY_VARIABLES
    }
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
        PORT=str(port),
        MENTOR_LEADS=LEAD_ID,
        PYTHONUNBUFFERED="1",
        # Tests move the clock themselves with `python -m bot run-due --at`.
        SCHEDULER_TICK_SECONDS="0",
    )
    env.update(extra)
    return env


def start_app(
    env: dict[str, str],
    log_path: Path,
    *args: str,
    wait_healthy: bool = True,
    cwd: Path = ROOT,
    command: list[str] | None = None,
    timeout: float = 30.0,
) -> RunningApp:
    """``python app.py *args`` (or ``command``, a server like it: the benchmarks' bare
    Bolt app), started in its own process group and, by default, healthy on /healthz."""
    port = int(env["PORT"])
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command or [sys.executable, str(ROOT / "app.py"), *args],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() can kill it all
        )
    running = RunningApp(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + timeout
    while wait_healthy:
        if process.poll() is not None:
            raise AssertionError(f"app exited with {process.returncode}:\n{running.log()}")
        try:
            if requests.get(running.base_url + "/healthz", timeout=1).status_code == 200:
                break
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or the worker is still importing the app
        if time.monotonic() > deadline:
            running.stop()
            raise AssertionError(f"app did not become healthy:\n{running.log()}")
        time.sleep(0.1)
    return running
