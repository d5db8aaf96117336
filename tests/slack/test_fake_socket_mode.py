"""FakeSocketModeServer against the real slack_sdk Socket Mode client and Bolt's handler."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from slack_bolt import Ack, App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient

from tests.support.fake_socket_mode import FakeSocketModeServer

APP_TOKEN = "xapp-1-test"


@dataclass
class WebApiStub:
    """Just the two Web API methods Socket Mode needs; records (method, Authorization header)."""

    url: str = ""
    socket_url: str = ""  # what apps.connections.open hands out
    calls: list[tuple[str, str]] = field(default_factory=list)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack_sdk sends both the Web API calls and the WebSocket through HTTPS_PROXY/HTTP_PROXY
    # when set, ignoring NO_PROXY, so a proxy in the environment would swallow 127.0.0.1.
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def socket_server() -> Iterator[FakeSocketModeServer]:
    with FakeSocketModeServer() as server:
        yield server
    assert server.errors == []


@pytest.fixture
def web_api() -> Iterator[WebApiStub]:
    stub = WebApiStub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            method = self.path.removeprefix("/api/")
            stub.calls.append((method, self.headers.get("Authorization", "")))
            if method == "apps.connections.open":
                body = {"ok": True, "url": stub.socket_url}
            elif method == "auth.test":
                body = {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"}
            else:
                body = {"ok": False, "error": "unknown_method"}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep pytest output quiet

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{httpd.server_address[1]}/api/"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield stub
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def slash_command(text: str) -> dict[str, str]:
    """What Slack puts in a slash_commands envelope's payload (the form fields, as JSON)."""
    return {
        "token": "verification-token-unused-in-socket-mode",
        "team_id": "T1",
        "team_domain": "example",
        "channel_id": "C0GENERAL1",
        "channel_name": "general",
        "user_id": "U0ALICE001",
        "user_name": "alice",
        "command": "/mentor",
        "text": text,
        "api_app_id": "A0FAKEAPP01",
        "is_enterprise_install": "false",
        "response_url": "https://hooks.slack.com/commands/T1/1/abc",
        "trigger_id": "1.2.abc",
    }


def eventually(condition: Callable[[], object], timeout: float = 2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@pytest.mark.parametrize("own_web_client", [True, False], ids=["web_client", "app_client"])
def test_bolt_app_answers_a_slash_command(
    socket_server: FakeSocketModeServer, web_api: WebApiStub, own_web_client: bool
) -> None:
    web_api.socket_url = socket_server.url
    app = App(
        token="xoxb-test",
        signing_secret="0" * 32,
        token_verification_enabled=False,
        client=WebClient(token="xoxb-test", base_url=web_api.url),
    )

    @app.command("/mentor")
    def mentor(ack: Ack, command: dict) -> None:
        ack(text="hi " + command["text"])

    # Without web_client= the handler calls apps.connections.open through app.client, so on
    # its base_url; the app token replaces the bot token for that one call.
    web_client = WebClient(token=APP_TOKEN, base_url=web_api.url) if own_web_client else None
    handler = SocketModeHandler(app, APP_TOKEN, web_client=web_client)
    try:
        handler.connect()
        socket_server.wait_connected()
        ack = socket_server.send_envelope("slash_commands", slash_command("status"))
        # We answered the ping slack_sdk sends on connect: it records when the pong came back.
        eventually(lambda: handler.client.current_session.last_ping_pong_time is not None)
    finally:
        handler.close()

    assert ack == {"envelope_id": ack["envelope_id"], "payload": {"text": "hi status"}}
    assert socket_server.received == [ack]
    assert web_api.calls[0] == ("apps.connections.open", f"Bearer {APP_TOKEN}")
    assert ("auth.test", "Bearer xoxb-test") in web_api.calls  # Bolt's lazy authorization


@pytest.mark.parametrize("auto_reconnect", [False, True], ids=["no_reconnect", "reconnect"])
def test_stop_closes_clients_and_leaves_no_threads(
    web_api: WebApiStub, auto_reconnect: bool
) -> None:
    server = FakeSocketModeServer().start()
    web_api.socket_url = server.url
    client = SocketModeClient(
        app_token=APP_TOKEN,
        web_client=WebClient(base_url=web_api.url),
        auto_reconnect_enabled=auto_reconnect,  # Bolt's default is on
    )
    closes: list[tuple[int, str | None]] = []
    client.on_close_listeners.append(lambda code, reason: closes.append((code, reason)))
    try:
        client.connect()
        server.wait_connected()

        started = time.monotonic()
        server.stop()
        # The client hangs up as soon as it reads our close frame; nothing waits out a timeout.
        assert time.monotonic() - started < 1
        alive = [t.name for t in threading.enumerate() if t.name.startswith("fake-socket-mode")]
        assert alive == []

        eventually(lambda: not client.is_connected())
        assert closes == [(1001, "server stopping")]
        assert server.errors == []
    finally:
        client.close()
    server.stop()  # idempotent


def test_waiting_without_a_client_fails_fast() -> None:
    with FakeSocketModeServer() as server:
        with pytest.raises(AssertionError, match="no Socket Mode client"):
            server.wait_connected(timeout=0.1)
        with pytest.raises(AssertionError, match="no Socket Mode client"):
            server.send_envelope("events_api", {"event": {"type": "app_mention"}})
