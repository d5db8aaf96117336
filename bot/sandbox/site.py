"""The sandbox page and its JSON API, under /sandbox (only in sandbox mode).

GET  /sandbox                  the page (static HTML, JS and CSS from ./static)
GET  /sandbox/api/state?user=U what that person sees now, and the sandbox's clock
POST /sandbox/api/<verb>       what a person does: command, say, action, submit, close,
                               home; and the sandbox's own controls: clock, demo, reset
GET  /sandbox/files/F…         a file the app shared (the chart, the CSV)

Only this machine may use it: requests from another address, with another Host, or a
POST from another origin or not as JSON get 403 (the page is a local tool, and the API
acts as anyone in the workspace). Errors are a short JSON message; detail goes to the log.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import mimetypes
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from bot.sandbox.slack_side import Refusal

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from bot.sandbox.runtime import Sandbox

log = logging.getLogger(__name__)

PREFIX = "/sandbox"
STATIC = Path(__file__).with_name("static")
STATIC_FILES = {"index.html", "sandbox.js", "sandbox.css", "blockkit.js", "blockkit.css"}
MAX_BODY = 256 * 1024  # a modal's answers; nothing the page sends is bigger
LOCAL_NAMES = {"localhost", "127.0.0.1", "[::1]", "::1"}


class Refused(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


class SandboxSite:
    """WSGI for everything under /sandbox. `local_only` (the default) refuses every other
    address and Host name; it is off only when the sandbox was bound wider on purpose."""

    def __init__(self, sandbox: Sandbox, *, local_only: bool = True, bound_to: str = "") -> None:
        self._sandbox = sandbox
        self._local_only = local_only
        self._bound_to = bound_to.strip("[]")
        # POST /sandbox/api/<verb> -> the Sandbox method that does it
        self._verbs = {
            "command": "command",
            "say": "say",
            "action": "action",
            "submit": "submit",
            "close": "close",
            "home": "home",
            "clock": "move_clock",
            "demo": "demo",
            "reset": "reset",
        }

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            self._check_origin(environ, method)
            return self._route(environ, method, path, start_response)
        except Refused as refused:
            return _json(start_response, refused.status, {"error": str(refused)})
        except Refusal as error:
            log.info("sandbox: %s %s refused: %s", method, path, error)
            return _json(start_response, "400 Bad Request", {"error": str(error)})
        except Exception:
            log.exception("sandbox: %s %s failed", method, path)
            return _json(
                start_response,
                "500 Internal Server Error",
                {"error": "Something went wrong in the sandbox; the app's log has the detail."},
            )

    def _route(
        self, environ: WSGIEnvironment, method: str, path: str, start_response: StartResponse
    ) -> list[bytes]:
        section, _, name = path.removeprefix(PREFIX).strip("/").partition("/")
        if method == "GET" and section in ("", "static"):
            return self._static(name or "index.html", start_response)
        if method == "GET" and section == "files":
            return self._file(name, start_response)
        if method == "GET" and (section, name) == ("api", "state"):
            query = parse_qs(environ.get("QUERY_STRING", ""))
            user = (query.get("user") or [""])[0]
            return _json(start_response, "200 OK", self._sandbox.state(user))
        if method == "POST" and section == "api" and name in self._verbs:
            do: Callable[[dict[str, Any]], Any] = getattr(self._sandbox, self._verbs[name])
            answer = do(_read_json(environ))
            return _json(start_response, "200 OK", answer or {"ok": True})
        raise Refused("404 Not Found", "There is nothing here.")

    # -- who may ask

    def _check_origin(self, environ: WSGIEnvironment, method: str) -> None:
        host = environ.get("HTTP_HOST", "")
        if self._local_only and not _is_loopback(environ.get("REMOTE_ADDR", "")):
            raise Refused("403 Forbidden", "The sandbox only answers this machine.")
        # A name other than its own (DNS rebinding) is refused even when bound wider on
        # purpose; an address typed as such is fine there.
        name = _hostname(host).strip("[]")
        allowed = name in LOCAL_NAMES or name == self._bound_to
        if not allowed and not self._local_only:
            allowed = _is_ip(name)
        if not allowed:
            raise Refused("403 Forbidden", "The sandbox only answers its own address.")
        if method == "POST":
            # A page on another site could otherwise act as anyone here.
            origin = environ.get("HTTP_ORIGIN")
            if origin is not None and urlsplit(origin).netloc != host:
                raise Refused("403 Forbidden", "Requests from other sites are refused.")
            if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
                raise Refused("415 Unsupported Media Type", "The sandbox API takes JSON.")

    # -- files

    def _static(self, name: str, start_response: StartResponse) -> list[bytes]:
        if name not in STATIC_FILES:
            raise Refused("404 Not Found", "There is nothing here.")
        data = (STATIC / name).read_bytes()
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        start_response(
            "200 OK",
            [
                ("Content-Type", content_type),
                ("Cache-Control", "no-store"),
                # The page builds every node from data with textContent: no inline script,
                # no other origin, so an injected tag could not run even if one got in.
                (
                    "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                    "script-src 'self'; frame-ancestors 'none'",
                ),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [data]

    def _file(self, file_id: str, start_response: StartResponse) -> list[bytes]:
        found = self._sandbox.fake.file_bytes(file_id.partition("/")[0])
        if found is None:
            raise Refused("404 Not Found", "That file is not in the sandbox.")
        filename, data = found
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        disposition = "inline" if content_type.startswith("image/") else "attachment"
        safe_name = "".join(c for c in filename if c.isalnum() or c in "._-") or "file"
        start_response(
            "200 OK",
            [
                ("Content-Type", content_type),
                ("Content-Disposition", f'{disposition}; filename="{safe_name}"'),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [data]


def _read_json(environ: WSGIEnvironment) -> dict[str, Any]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if not 0 <= length <= MAX_BODY:
        raise Refused("413 Content Too Large", "That request is too big for the sandbox.")
    raw = environ["wsgi.input"].read(length) if length else b"{}"
    try:
        body = json.loads(raw)
    except ValueError:
        raise Refused("400 Bad Request", "The sandbox could not read that request.") from None
    if not isinstance(body, dict):
        raise Refused("400 Bad Request", "The sandbox could not read that request.")
    return body


def _json(start_response: StartResponse, status: str, body: Any) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ],
    )
    return [data]


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
