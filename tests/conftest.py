"""Shared fixtures: a real database (SQLite, and Postgres when TEST_DATABASE_URL is set),
the fake Slack Web API, and the app itself running as it does in production."""

from __future__ import annotations

import os
import secrets
import string
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.config import normalize_database_url
from bot.db import make_engine, make_session_factory, migrate
from bot.sandbox.fakeslack import FakeSlack
from tests.support import (
    BOT_TOKEN,
    LEAD_ID,
    TEAM_ID,
    FixedClock,
    RunningApp,
    app_env,
    free_port,
    start_app,
)
from tests.support.slack_requests import SlackSender


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
