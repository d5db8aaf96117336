"""Process lifecycle: migrations on start, health when the database is gone, SIGTERM."""

from __future__ import annotations

import threading
import time

import requests
from sqlalchemy import inspect

from bot.db import make_engine
from tests.support import app_env, free_port, start_app
from tests.support.slack_requests import SlackSender


def test_the_app_migrates_an_empty_database_on_start(fresh_database_url, fake_slack, tmp_path):
    env = app_env(fresh_database_url, fake_slack.url, free_port())
    running = start_app(env, tmp_path / "app.log")
    try:
        engine = make_engine(fresh_database_url)
        assert "person" in inspect(engine).get_table_names()
        engine.dispose()
    finally:
        assert running.stop() == 0


def test_no_migrate_leaves_the_schema_alone(fresh_database_url, fake_slack, tmp_path):
    env = app_env(fresh_database_url, fake_slack.url, free_port())
    running = start_app(env, tmp_path / "app.log", "--no-migrate")
    try:
        engine = make_engine(fresh_database_url)
        assert "person" not in inspect(engine).get_table_names()
        engine.dispose()
    finally:
        running.stop()


def test_health_is_503_when_the_database_does_not_answer(fake_slack, tmp_path):
    unreachable = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing"
    env = app_env(unreachable, fake_slack.url, free_port())
    running = start_app(env, tmp_path / "app.log", "--no-migrate", wait_healthy=False)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(running.base_url + "/healthz", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, running.log()
                time.sleep(0.1)
        assert response.status_code == 503
        assert response.json() == {"status": "database unavailable"}
    finally:
        running.stop()


def test_migration_failure_is_one_clear_line(fake_slack, tmp_path):
    unreachable = f"postgresql://nobody:s3cret@127.0.0.1:{free_port()}/nothing"
    env = app_env(unreachable, fake_slack.url, free_port())
    running = start_app(env, tmp_path / "app.log", wait_healthy=False)
    assert running.process.wait(timeout=60) == 1
    log = running.log()
    assert "upward: could not migrate the database at postgresql+psycopg://nobody:***@" in log
    assert "s3cret" not in log
    assert "Traceback" not in log


def test_sigterm_finishes_the_request_in_flight(fake_slack, tmp_path, new_id):
    env = app_env(f"sqlite:///{tmp_path / 'upward.db'}", fake_slack.url, free_port())
    running = start_app(env, tmp_path / "app.log")
    user = new_id()
    fake_slack.add_user(user)
    # help asks users.info whether the person leads; a slow Slack keeps it in flight.
    fake_slack.delay("users.info", 1.5)
    sender = SlackSender(running.base_url, fake_slack, fake_slack.team_id)
    result: dict[str, requests.Response] = {}
    request = threading.Thread(target=lambda: result.update(r=sender.command(user, "help")))
    request.start()
    time.sleep(0.5)  # the request is now waiting on users.info
    stopping = time.monotonic()
    assert running.stop(timeout=30) == 0
    request.join(timeout=10)
    assert result["r"].status_code == 200
    assert "/mentor join" in result["r"].text
    assert time.monotonic() - stopping < 10
