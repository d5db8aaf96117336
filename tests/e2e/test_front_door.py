"""Junk from the internet at /slack/events: refused with a 4xx before anything is parsed,
and never a traceback in the log. Signed but odd payloads get a friendly answer."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from bot import copy
from tests.support.slack_requests import SlackSender

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
DEEP = "[" * 100_000 + "]" * 100_000  # json.loads gives up with a RecursionError


@pytest.fixture
def quiet_log(running_app) -> Iterator[None]:
    """Fails the test if the app logs a traceback or an error while it runs."""
    before = len(running_app.log())
    yield
    written = running_app.log()[before:]
    assert "Traceback" not in written, written
    assert " ERROR " not in written, written


def unsigned(running_app, body: bytes | str, content_type: str = JSON, **headers: str):
    return requests.post(
        running_app.base_url + "/slack/events",
        data=body.encode() if isinstance(body, str) else body,
        headers={"Content-Type": content_type, **headers},
        timeout=10,
    )


UNSIGNED_JUNK = [
    ("array", "[1, 2]", JSON),
    ("number", "42", JSON),
    ("string", '"hello"', JSON),
    ("null payload", "payload=null", FORM),
    ("string payload", "payload=%22x%22", FORM),
    ("deep nesting", DEEP, JSON),
    ("not UTF-8", b"\xff\xfe\x00payload", FORM),
    ("empty", "", FORM),
]


@pytest.mark.parametrize(("body", "content_type"), [j[1:] for j in UNSIGNED_JUNK])
@pytest.mark.usefixtures("quiet_log")
def test_unsigned_junk_gets_a_4xx(running_app, body, content_type):
    response = unsigned(running_app, body, content_type)
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize(
    "timestamp", ["soon", "1e9", "-5", "١٧٠٠٠٠٠٠٠٠", "9" * 40, "1700000000.5", ""]
)
@pytest.mark.usefixtures("quiet_log")
def test_a_malformed_timestamp_is_401_whatever_the_signature(slack, new_id, timestamp):
    body = slack.command_body(new_id(), "help")
    # Signed over the bad timestamp, exactly as a forger with the secret would.
    signature = slack.verifier.generate_signature(timestamp=timestamp, body=body)
    response = requests.post(
        slack.url,
        data=body,
        headers={
            "Content-Type": FORM,
            "X-Slack-Request-Timestamp": timestamp.encode(),  # UTF-8 on the wire
            "X-Slack-Signature": signature or "v0=" + "0" * 64,
        },
        timeout=10,
    )
    assert response.status_code == 401


@pytest.mark.parametrize("signature", ["v0=" + "Z" * 64, "v0=ÿ" + "0" * 63, "v1=" + "0" * 64])
@pytest.mark.usefixtures("quiet_log")
def test_a_malformed_signature_is_401(slack, new_id, signature):
    body = slack.command_body(new_id(), "help")
    response = slack.post(body, FORM, signature=signature)
    assert response.status_code == 401


@pytest.mark.usefixtures("quiet_log")
def test_a_large_body_is_refused_before_it_is_read(running_app):
    """Only the headers are sent: the app must answer 413 without waiting for the body."""
    url = urlsplit(running_app.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=5) as conn:
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 50000000\r\n\r\n{"
        )
        started = time.monotonic()
        answer = conn.recv(200)
    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert time.monotonic() - started < 2


@pytest.mark.usefixtures("quiet_log")
def test_a_body_without_a_length_is_refused(running_app):
    url = urlsplit(running_app.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=5) as conn:
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/json\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
        )
        answer = conn.recv(200)
    assert answer.split(b" ")[1] in (b"400", b"411"), answer


@pytest.mark.usefixtures("quiet_log")
def test_get_on_the_slack_path_is_405(running_app):
    assert requests.get(running_app.base_url + "/slack/events", timeout=5).status_code == 405


# --- signed, but not what Slack sends ------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("[1, 2]", JSON),
        ("42", JSON),
        ("payload=null", FORM),
        ("payload=%5B%5D", FORM),
        (DEEP, JSON),
        ("payload=%7Bnot-json", FORM),
    ],
)
@pytest.mark.usefixtures("quiet_log")
def test_a_signed_body_that_is_not_an_object_is_400(slack, body, content_type):
    assert slack.post(body, content_type).status_code == 400


def interactive(slack: SlackSender, payload: dict) -> requests.Response:
    return slack.post(urlencode({"payload": json.dumps(payload)}), FORM)


def block_actions(slack: SlackSender, clicker: str, **changes: object) -> dict:
    payload: dict = {
        "type": "block_actions",
        "team": {"id": slack.team_id},
        "user": {"id": clicker, "team_id": slack.team_id},
        "trigger_id": slack.fake.new_trigger_id(),
        "response_url": slack.fake.new_response_url(),
        "actions": [{"action_id": "upward_prompt_met", "block_id": "b", "value": "1"}],
    }
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not ...}


@pytest.mark.parametrize(
    "changes",
    [
        {"user": None},
        {"user": ...},
        {"user": "nobody"},
        {"user": {"id": 7}},
        {"user": {"id": "U\ud800X"}},
        {"user": ["U1"]},
        {"team": 5},
        {"actions": None},
        {"actions": ...},
        {"actions": []},
        {"actions": "upward_prompt_met"},
        {"actions": [{"value": "1"}]},
        {"actions": [{"action_id": "upward_prompt_met", "value": 12}]},
        {"trigger_id": 1},
        {"response_url": {"x": 1}},
    ],
    ids=str,
)
@pytest.mark.usefixtures("quiet_log")
def test_a_button_click_of_the_wrong_shape_is_answered_as_stale(slack, new_id, changes):
    response = interactive(slack, block_actions(slack, new_id(), **changes))
    assert response.status_code == 200
    assert response.json()["text"] == copy.STALE_BUTTON


@pytest.mark.parametrize(
    "view",
    [
        None,
        ...,
        "upward_join",
        {"callback_id": "upward_join", "state": None},
        {"callback_id": "upward_join", "state": {"values": []}},
        {"callback_id": "upward_join", "state": {"values": {"role": 3}}},
        {"callback_id": "upward_goals", "private_metadata": 12, "state": {"values": {}}},
        {"state": {"values": {}}},
    ],
    ids=str,
)
@pytest.mark.usefixtures("quiet_log")
def test_a_modal_submission_of_the_wrong_shape_updates_the_modal_politely(slack, new_id, view):
    payload = {
        "type": "view_submission",
        "team": {"id": slack.team_id},
        "user": {"id": new_id(), "team_id": slack.team_id},
        "view": view,
    }
    if view is ...:
        del payload["view"]
    response = interactive(slack, payload)
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "update"
    assert copy.REQUEST_UNREADABLE in json.dumps(answer)


@pytest.mark.parametrize(
    "command",
    [
        {"user_id": ""},
        {"user_id": "u lower"},
        {"team_id": "T\ud800"},
        {"text": ["help"]},
        {"command": None},
    ],
    ids=str,
)
@pytest.mark.usefixtures("quiet_log")
def test_a_slash_command_of_the_wrong_shape_gets_an_ephemeral_apology(slack, new_id, command):
    fields = {
        "command": "/mentor",
        "text": "help",
        "team_id": slack.team_id,
        "user_id": new_id(),
        "trigger_id": slack.fake.new_trigger_id(),
        "response_url": slack.fake.new_response_url(),
    }
    fields.update(command)
    body = json.dumps({k: v for k, v in fields.items() if v is not None})
    response = slack.post(body, JSON)
    assert response.status_code == 200
    assert response.json() == {"response_type": "ephemeral", "text": copy.REQUEST_UNREADABLE}


@pytest.mark.parametrize(
    "event",
    [
        None,
        "app_home_opened",
        {"type": 3},
        {"type": "app_home_opened", "user": None},
        {"type": "app_home_opened", "user": {"id": "U1"}},
        {"type": "message", "channel": ["C1"]},
    ],
    ids=str,
)
@pytest.mark.usefixtures("quiet_log")
def test_an_event_of_the_wrong_shape_is_acknowledged_and_ignored(slack, event, fake_slack):
    body = {"type": "event_callback", "team_id": slack.team_id, "event_id": "Ev1", "event": event}
    response = slack.post(json.dumps(body), JSON)
    assert response.status_code == 200
    assert response.text == ""
    fake_slack.settle()
    assert fake_slack.calls_to("views.publish") == []
