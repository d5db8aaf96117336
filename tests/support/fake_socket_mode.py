"""FakeSocketModeServer: Slack's Socket Mode WebSocket endpoint, served locally for tests.

    with FakeSocketModeServer() as server:
        # make the Web API fake answer apps.connections.open with {"ok": true, "url": server.url}
        handler.connect()
        server.wait_connected()
        ack = server.send_envelope("slash_commands", {"command": "/mentor", "text": "status", ...})
        assert ack["payload"] == {"text": "..."}

A minimal RFC 6455 server using only the standard library, written against what slack_sdk's
built-in client (slack_sdk.socket_mode.builtin) actually does: it connects without TLS to any
port but 443 (so ws:// and wss:// URLs both work here), always masks its frames, pings right
after the handshake and every ping_interval seconds, sends acks as text frames, and never
sends a close frame (it just closes the socket). On a close frame from us it drops the
connection; with auto-reconnect on, its monitor thread then calls apps.connections.open and
connects again within ping_interval seconds (10 s in Bolt's SocketModeHandler).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import socket
import struct
import threading
import uuid
from typing import Any
from urllib.parse import urlsplit

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 section 1.3
_TEXT, _CLOSE, _PING, _PONG = 0x1, 0x8, 0x9, 0xA
_MAX_HANDSHAKE = 16 * 1024
_CLOSE_WAIT = 2.0  # seconds stop() gives a client to hang up after our close frame


class _Conn:
    """One client connection: its socket, a read buffer, and a lock so frames never interleave."""

    def __init__(self, sock: socket.socket, number: int) -> None:
        self.sock = sock
        self.number = number
        self.buf = b""
        self.send_lock = threading.Lock()
        self.closing = False  # we sent a close frame; the next one from the client is its reply
        self.thread: threading.Thread | None = None

    def read_exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("client closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_until(self, marker: bytes, limit: int) -> bytes:
        while marker not in self.buf:
            if len(self.buf) > limit:
                raise ConnectionError("handshake too large")
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("client closed the connection during the handshake")
            self.buf += chunk
        head, _, self.buf = self.buf.partition(marker)
        return head

    def send_raw(self, data: bytes) -> None:
        with self.send_lock:
            self.sock.sendall(data)

    def send_frame(self, opcode: int, payload: bytes) -> None:
        # Server-to-client frames are never masked (RFC 6455 section 5.1).
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        self.send_raw(header + payload)

    def send_close(self, code: int, reason: str = "") -> None:
        self.send_frame(_CLOSE, struct.pack("!H", code) + reason.encode()[:123])

    def read_frame(self) -> tuple[bool, int, bytes, bool]:
        """(fin, opcode, unmasked payload, was_masked)."""
        b1, b2 = self.read_exact(2)
        n = b2 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", self.read_exact(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", self.read_exact(8))
        masked = bool(b2 & 0x80)
        key = self.read_exact(4) if masked else b""
        data = self.read_exact(n)
        if masked:
            data = bytes(b ^ k for b, k in zip(data, itertools.cycle(key), strict=False))
        return bool(b1 & 0x80), b1 & 0x0F, data, masked


class FakeSocketModeServer:
    """A local stand-in for wss-primary.slack.com: hello on connect, envelopes out, acks back."""

    def __init__(self, app_id: str = "A0FAKEAPP01", ping_interval: float | None = 0.25) -> None:
        """ping_interval: seconds between our pings to each client (None: never ping).

        Slack pings its clients too. Here it also keeps shutdown quick: slack_sdk's close() has
        to wait for its reader's blocking recv(), which otherwise only gives up after 3 seconds.
        """
        self.app_id = app_id
        self.ping_interval = ping_interval
        self._ticket = uuid.uuid4().hex
        self._stopped = threading.Event()
        self._cond = threading.Condition()  # guards the lists below
        self._conns: list[_Conn] = []  # handshaken and greeted, latest last
        self._accepted: list[_Conn] = []  # every connection, for stop() to wind down
        self._received: list[dict[str, Any]] = []
        self._errors: list[str] = []
        self._count = itertools.count(1)
        self._listener: socket.socket | None = None
        self._port = 0
        self._threads: list[threading.Thread] = []  # accept loop and pinger

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> FakeSocketModeServer:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._port = self._listener.getsockname()[1]  # .url must keep working after stop()
        # accept() polls so stop() can end the loop without platform-specific wakeups.
        self._listener.settimeout(0.1)
        self._threads.append(threading.Thread(target=self._accept_loop, name="accept"))
        if self.ping_interval is not None:
            self._threads.append(threading.Thread(target=self._ping_loop, name="ping"))
        for thread in self._threads:
            thread.name = f"fake-socket-mode-{thread.name}"
            thread.daemon = True
            thread.start()
        return self

    def stop(self) -> None:
        """Stop listening, say goodbye to every client with a close frame, wait for them to hang
        up (at most 2 s), then cut any connection still open. Idempotent."""
        if self._listener is None or self._stopped.is_set():
            return
        self._stopped.set()
        for thread in self._threads:
            thread.join()
        # Stop listening before the goodbyes: a client that reconnects after our close frame
        # is then refused at once instead of hanging in the listen backlog.
        self._listener.close()
        with self._cond:
            greeted = list(self._conns)
        for conn in greeted:
            conn.closing = True
            with contextlib.suppress(OSError):  # already gone
                conn.send_close(1001, "server stopping")
        with self._cond:
            self._cond.wait_for(lambda: not self._conns, _CLOSE_WAIT)
            accepted = list(self._accepted)
        for conn in accepted:
            if conn.thread is not None and conn.thread.is_alive():
                # A client that ignored the close frame or never finished its handshake:
                # shutdown() wakes its reader thread blocked in recv().
                with contextlib.suppress(OSError):
                    conn.sock.shutdown(socket.SHUT_RDWR)
            if conn.thread is not None:
                conn.thread.join()

    def __enter__(self) -> FakeSocketModeServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- what tests use ----------------------------------------------------------------

    @property
    def url(self) -> str:
        """The URL for apps.connections.open to hand out (Slack's is wss://…/link/?ticket=…)."""
        if not self._port:
            raise RuntimeError("start() the server first")
        return f"ws://127.0.0.1:{self._port}/link/?ticket={self._ticket}&app_id={self.app_id}"

    @property
    def received(self) -> list[dict[str, Any]]:
        """Every JSON message clients sent, oldest first (a copy)."""
        with self._cond:
            return list(self._received)

    @property
    def errors(self) -> list[str]:
        """Protocol violations seen (bad handshakes, unmasked or fragmented frames, non-JSON)."""
        with self._cond:
            return list(self._errors)

    def wait_connected(self, timeout: float = 10) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._conns, timeout):
                raise AssertionError(
                    f"no Socket Mode client connected within {timeout}s (errors: {self._errors})"
                )

    def send_envelope(self, type: str, payload: dict[str, Any], timeout: float = 5.0) -> dict:
        """Send an envelope to the latest client and return its ack message."""
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": payload,
            # Slack accepts a response payload for commands and interactions, not for events.
            "accepts_response_payload": type != "events_api",
        }
        if type == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        with self._cond:
            if not self._conns:
                raise AssertionError("no Socket Mode client is connected")
            conn = self._conns[-1]
        conn.send_frame(_TEXT, json.dumps(envelope).encode())

        def ack() -> dict | None:
            return next((m for m in self._received if m.get("envelope_id") == envelope_id), None)

        with self._cond:
            if (message := self._cond.wait_for(ack, timeout)) is None:
                raise AssertionError(
                    f"no ack for {type} envelope {envelope_id} within {timeout}s "
                    f"(received: {self._received}, errors: {self._errors})"
                )
            return message

    # --- server internals --------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopped.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(None)
            with self._cond:
                if self._stopped.is_set():
                    sock.close()
                    return
                conn = _Conn(sock, next(self._count))
                conn.thread = threading.Thread(
                    target=self._serve,
                    args=(conn,),
                    name=f"fake-socket-mode-conn-{conn.number}",
                    daemon=True,
                )
                self._accepted.append(conn)
            conn.thread.start()

    def _ping_loop(self) -> None:
        assert self.ping_interval is not None
        while not self._stopped.wait(self.ping_interval):
            with self._cond:
                conns = list(self._conns)
            for conn in conns:
                with contextlib.suppress(OSError):  # its reader thread notices and cleans up
                    conn.send_frame(_PING, b"fake-socket-mode")

    def _error(self, message: str) -> None:
        with self._cond:
            self._errors.append(message)
            self._cond.notify_all()

    def _serve(self, conn: _Conn) -> None:
        try:
            if self._handshake(conn) and self._greet(conn):
                self._read_frames(conn)
        except (ConnectionError, OSError):
            pass  # the client hung up (slack_sdk closes without a close frame) or stop() cut it
        finally:
            with self._cond:
                if conn in self._conns:
                    self._conns.remove(conn)
                self._cond.notify_all()
            conn.sock.close()

    def _handshake(self, conn: _Conn) -> bool:
        head = conn.read_until(b"\r\n\r\n", _MAX_HANDSHAKE).decode("latin-1")
        request_line, *header_lines = head.split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        issued = urlsplit(self.url)
        problems = []
        if request_line != f"GET {issued.path}?{issued.query} HTTP/1.1":
            problems.append(f"request line {request_line!r} does not GET the issued URL")
        if headers.get("upgrade", "").lower() != "websocket":
            problems.append("no Upgrade: websocket")
        if "upgrade" not in headers.get("connection", "").lower():
            problems.append("no Connection: Upgrade")
        if headers.get("sec-websocket-version") != "13":
            problems.append("no Sec-WebSocket-Version: 13")
        if not headers.get("sec-websocket-key"):
            problems.append("no Sec-WebSocket-Key")
        if problems:
            self._error(f"bad handshake: {'; '.join(problems)}")
            conn.send_raw(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return False
        digest = hashlib.sha1((headers["sec-websocket-key"] + _GUID).encode()).digest()
        conn.send_raw(
            b"HTTP/1.1 101 Switching Protocols\r\n"
            b"Upgrade: websocket\r\n"
            b"Connection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + base64.b64encode(digest) + b"\r\n\r\n"
        )
        return True

    def _greet(self, conn: _Conn) -> bool:
        with self._cond:
            count = len(self._conns) + 1
        hello = {
            "type": "hello",
            "num_connections": count,
            "debug_info": {
                "host": "fake-socket-mode",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }
        conn.send_frame(_TEXT, json.dumps(hello).encode())
        # Only a greeted client counts as connected, so envelopes always follow the hello.
        with self._cond:
            if self._stopped.is_set():  # stop() already said goodbye to the others
                return False
            self._conns.append(conn)
            self._cond.notify_all()
        return True

    def _read_frames(self, conn: _Conn) -> None:
        while True:
            fin, opcode, data, masked = conn.read_frame()
            if not masked:
                self._error(f"unmasked frame (opcode {opcode:#x})")  # RFC 6455 section 5.1
                conn.send_close(1002, "frames from a client must be masked")
                return
            if not fin or opcode == 0:
                self._error("fragmented frame")  # slack_sdk never fragments
                conn.send_close(1003, "fragmented frames are not supported")
                return
            if opcode == _PING:
                conn.send_frame(_PONG, data)  # echo the payload: slack_sdk times pongs by it
            elif opcode == _PONG:
                pass
            elif opcode == _CLOSE:
                if not conn.closing:  # echo the client's close, then hang up
                    conn.send_frame(_CLOSE, data[:2])
                return
            elif opcode == _TEXT:
                try:
                    message = json.loads(data.decode())
                except ValueError:
                    self._error(f"non-JSON text frame: {data[:200]!r}")
                    conn.send_close(1007, "expected JSON")
                    return
                with self._cond:
                    self._received.append(message)
                    self._cond.notify_all()
            else:
                self._error(f"unexpected opcode {opcode:#x}")
                conn.send_close(1003, "only text frames are supported")
                return
