"""Socket Mode: with SLACK_APP_TOKEN set the app takes Slack's requests over a WebSocket
(here a local fake) and still serves /healthz on PORT."""

from __future__ import annotations

import json

import pytest
import requests

from tests.support import app_env, free_port, start_app
from tests.support.fake_socket_mode import FakeSocketModeServer
from tests.support.polling import wait_until


@pytest.fixture
def socket_server(fake_slack):
    server = FakeSocketModeServer(app_id=fake_slack.app_id).start()
    fake_slack.socket_mode_url = server.url
    yield server
    fake_slack.socket_mode_url = None
    server.stop()


def slash_command(fake_slack, user: str, text: str) -> dict:
    return {
        "token": "legacy",
        "team_id": fake_slack.team_id,
        "team_domain": "upward-test",
        "channel_id": "C0GENERAL1",
        "channel_name": "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/mentor",
        "text": text,
        "api_app_id": fake_slack.app_id,
        "response_url": fake_slack.new_response_url(),
        "trigger_id": fake_slack.new_trigger_id(),
    }


def test_socket_mode_serves_commands_and_health(fake_slack, socket_server, tmp_path, new_id):
    env = app_env(f"sqlite:///{tmp_path / 'upward.db'}", fake_slack.url, free_port())
    env["SLACK_APP_TOKEN"] = fake_slack.app_token
    del env["SLACK_SIGNING_SECRET"]  # not needed without HTTP requests from Slack
    running = start_app(env, tmp_path / "app.log")
    try:
        socket_server.wait_connected(timeout=20)
        (opened,) = fake_slack.calls_to("apps.connections.open")
        assert opened.headers["Authorization"] == f"Bearer {fake_slack.app_token}"

        user = new_id()
        fake_slack.add_user(user)
        ack = socket_server.send_envelope("slash_commands", slash_command(fake_slack, user, ""))
        assert "/mentor join" in json.dumps(ack["payload"])

        socket_server.send_envelope("slash_commands", slash_command(fake_slack, user, "join"))
        (modal,) = fake_slack.wait_for("views.open")
        assert modal.args["view"]["callback_id"] == "upward_join"

        assert requests.get(running.base_url + "/healthz", timeout=5).status_code == 200
        # Slack's requests come over the socket; there is no HTTP endpoint to forge.
        assert requests.post(running.base_url + "/slack/events", timeout=5).status_code == 404

        # Each request over the socket has its log line and its count, as over HTTP.
        def request_lines() -> list[str]:
            return [line for line in running.log().splitlines() if "command /mentor 200 in" in line]

        lines = wait_until(lambda: len(request_lines()) == 2 and request_lines())
        assert len(lines) == 2, running.log()
        assert all(f"user={user}" in line for line in lines)
        metrics = requests.get(running.base_url + "/metrics", timeout=5).text
        assert 'upward_requests_total{kind="command",outcome="ok"} 2.0' in metrics

        # What the HTTP front door turns away is turned away here too: acknowledged (or
        # Slack sends it again), never handed to a listener, logged as refused.
        forged = slash_command(fake_slack, user, "status") | {"user_id": {"id": user}}
        ack = socket_server.send_envelope("slash_commands", forged)
        assert "payload" not in ack or not ack["payload"]
        refused = wait_until(lambda: "refused - 400 in" in running.log())  # after the ack
        assert refused
        assert "Socket Mode request turned away: user_id is not a string" in running.log()
    finally:
        # Stop the app before the socket server, or its client reconnects and logs errors.
        assert running.stop() == 0
