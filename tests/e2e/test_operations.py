"""What an operator sees of the running app: /readyz, /metrics, a log line per request
(JSON when LOG_FORMAT=json), and Slack's retried events handled once."""

from __future__ import annotations

import json
import re

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from bot.db import migrate
from tests.support import BOT_TOKEN, TEAM_ID, app_env, free_port, start_app
from tests.support.slack_requests import SIGNING_SECRET, SlackSender


def samples(base_url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = requests.get(base_url + "/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_ready_when_the_database_takes_writes_at_the_schema_head(running_app):
    response = requests.get(running_app.base_url + "/readyz", timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["schema"] == "ok"
    # The tests' app has no tick of its own (SCHEDULER_TICK_SECONDS=0): run-due runs it.
    assert body["checks"]["scheduler"].startswith("off")
    assert requests.head(running_app.base_url + "/readyz", timeout=5).status_code == 200


def test_requests_are_counted_by_kind_and_outcome(running_app, slack, new_id):
    before = samples(running_app.base_url)
    assert slack.command(new_id(), "help").status_code == 200
    junk = requests.post(running_app.base_url + "/slack/events", data=b"{}", timeout=5)
    assert junk.status_code == 401
    after = samples(running_app.base_url)
    ok = ("upward_requests_total", {"kind": "command", "outcome": "ok"})
    refused = ("upward_requests_total", {"kind": "refused", "outcome": "refused"})
    assert value(after, ok[0], **ok[1]) == value(before, ok[0], **ok[1]) + 1
    assert value(after, refused[0], **refused[1]) == value(before, refused[0], **refused[1]) + 1
    count = ("upward_request_seconds_count", {"kind": "command"})
    assert value(after, count[0], **count[1]) == value(before, count[0], **count[1]) + 1
    # The database's gauges are there, read at the scrape.
    assert ("upward_outbox_depth", ()) in after
    assert ("upward_outbox_oldest_due_seconds", ()) in after


def test_each_request_has_one_line_with_ids_and_no_text(running_app, slack, new_id):
    user = new_id()
    slack.command(user, "help secret-words-someone-typed")
    lines = [
        line for line in running_app.log().splitlines() if f"user={user}" in line or user in line
    ]
    request_lines = [line for line in lines if "upward.requests" in line]
    assert len(request_lines) == 1, lines
    assert re.search(r"command /mentor 200 in \d+ ms", request_lines[0])
    assert "secret-words" not in running_app.log()


def test_a_retried_event_is_handled_once(running_app, slack, fake_slack, new_id):
    """Slack resends an event when the ack was slow: the same event_id, a retry header.
    The app acks it and does not do the work again (here: App Home published once)."""
    user = new_id()
    event = {"type": "app_home_opened", "user": user, "channel": "D0", "tab": "home"}
    assert slack.event(event, event_id="Ev0RETRY0001").status_code == 200
    fake_slack.wait_for("views.publish")
    again = slack.event(event, event_id="Ev0RETRY0001", headers={"X-Slack-Retry-Num": "1"})
    assert again.status_code == 200
    fake_slack.settle()
    published = [c for c in fake_slack.calls_to("views.publish") if c.args.get("user_id") == user]
    assert len(published) == 1
    assert "Slack's retry 1" in running_app.log()


def test_an_app_behind_its_schema_is_not_ready(fresh_database_url, fake_slack, tmp_path):
    """A replica whose code is newer than the database (migrations not run yet) serves
    /healthz but says it is not ready, and which check fails."""
    migrate(fresh_database_url, "0004")
    env = app_env(fresh_database_url, fake_slack.url, free_port())
    app = start_app(env, tmp_path / "app.log", "--no-migrate")
    try:
        response = requests.get(app.base_url + "/readyz", timeout=5)
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["schema"].startswith("at 0004")
        assert "python -m bot migrate" in checks["schema"]
    finally:
        app.stop()


def test_json_logs_are_one_object_per_line_without_secrets(
    migrated_url, fake_slack, tmp_path, new_id
):
    env = app_env(migrated_url, fake_slack.url, free_port(), LOG_FORMAT="json")
    app = start_app(env, tmp_path / "app.log")
    try:
        sender = SlackSender(app.base_url, fake_slack, TEAM_ID)
        user = new_id()
        assert sender.command(user, "help").status_code == 200
    finally:
        assert app.stop() == 0
    records = [json.loads(line) for line in app.log().splitlines() if line.strip()]
    assert records, "no log lines"
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys()
    (request,) = [r for r in records if r["logger"] == "upward.requests" and r["user"] == user]
    assert request["kind"] == "command"
    assert request["what"] == "/mentor"
    assert request["status"] == 200
    assert request["team"] == TEAM_ID
    assert isinstance(request["ms"], float)
    # gunicorn's own lines are JSON too, and nothing anywhere holds a secret.
    assert any(r["logger"].startswith("gunicorn") for r in records)
    assert BOT_TOKEN not in app.log()
    assert SIGNING_SECRET not in app.log()


@pytest.mark.parametrize("path", ["/readyz", "/metrics"])
def test_operations_paths_take_no_writes_from_outside(running_app, path):
    response = requests.post(running_app.base_url + path, data=b"x", timeout=5)
    assert response.status_code == 404
