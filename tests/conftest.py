"""Shared fixtures: a real database (SQLite, and Postgres when TEST_DATABASE_URL is set),
the fake Slack Web API, and the app itself running as it does in production."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import string
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.config import normalize_database_url
from bot.db import make_engine, make_session_factory, migrate
from bot.sandbox.fakeslack import FakeSlack
from tests.slack_requests import SIGNING_SECRET, SlackSender

ROOT = Path(__file__).resolve().parent.parent
BOT_TOKEN = "xoxb-1111-2222-upwardtesttoken"
TEAM_ID = "T0UPWARD1"
LEAD_ID = "ULEAD0001"


def pytest_report_header() -> str:
    pg = os.environ.get("TEST_DATABASE_URL")
    return f"databases: sqlite{' + postgres' if pg else ' (set TEST_DATABASE_URL for postgres)'}"


# --- databases ---------------------------------------------------------------------


DATABASE_KINDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session", params=DATABASE_KINDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The session's database of each kind, shared by the service and end-to-end tests."""
    yield from _empty_database(request.param, tmp_path_factory)


@pytest.fixture(params=DATABASE_KINDS)
def fresh_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A database nobody else uses, for tests that tear the schema down."""
    yield from _empty_database(request.param, tmp_path_factory)


def _empty_database(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'upward.db'}"
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set")
    # Postgres: a schema of its own, so runs and tests never see each other's tables.
    yield from _postgres_schema(normalize_database_url(base))


def _postgres_schema(base: str) -> Iterator[str]:
    schema = "upward_test_" + secrets.token_hex(4)
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_url(database_url: str) -> str:
    migrate(database_url)
    return database_url


@pytest.fixture
def own_url(fresh_database_url: str) -> str:
    """A migrated database for one test: for run_due and the outbox, which act on every
    row that is due, not only the test's own."""
    migrate(fresh_database_url)
    return fresh_database_url


@pytest.fixture
def own_sessions(own_url: str):
    engine = make_engine(own_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def engine(migrated_url: str):
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sessions(engine):
    return make_session_factory(engine)


@dataclass
class FixedClock:
    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
def new_id() -> Callable[[str], str]:
    """Fresh Slack-style ids, so tests sharing one database never see each other's rows."""

    def make(prefix: str = "U") -> str:
        return prefix + "".join(
            secrets.choice(string.ascii_uppercase + "0123456789") for _ in range(10)
        )

    return make


# --- fake Slack --------------------------------------------------------------------


@pytest.fixture(scope="session")
def fake_slack_server() -> Iterator[FakeSlack]:
    fake = FakeSlack(token=BOT_TOKEN, team_id=TEAM_ID)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_slack(fake_slack_server: FakeSlack) -> Iterator[FakeSlack]:
    fake_slack_server.reset()
    fake_slack_server.add_user(LEAD_ID, team_id=TEAM_ID, tz="Europe/London")
    yield fake_slack_server
    fake_slack_server.settle()


# --- the app, as it runs in production ------------------------------------------------


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
) -> RunningApp:
    port = int(env["PORT"])
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), *args],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() can kill it all
        )
    running = RunningApp(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + 30
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


@pytest.fixture(scope="session")
def running_app(
    migrated_url: str, fake_slack_server: FakeSlack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningApp]:
    log_path = tmp_path_factory.mktemp("app") / "app.log"
    env = app_env(migrated_url, fake_slack_server.url, free_port())
    running = start_app(env, log_path)
    yield running
    running.stop()


@pytest.fixture
def slack(running_app: RunningApp, fake_slack: FakeSlack) -> SlackSender:
    return SlackSender(running_app.base_url, fake_slack, TEAM_ID)
