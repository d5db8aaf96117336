"""The WSGI application: Slack's requests and the health check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SANDBOX_PATH = "/sandbox"


def make_wsgi_app(
    slack: WSGIApplication | None,
    database_is_up: Callable[[], bool],
    sandbox: WSGIApplication | None = None,
) -> WSGIApplication:
    """Route POST /slack/events to Bolt behind its front door (absent in Socket Mode),
    GET /healthz to the database check and, in sandbox mode only, /sandbox to the
    sandbox's page; everything else is a plain 404."""

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            up = database_is_up()
            body = b'{"status":"ok"}' if up else b'{"status":"database unavailable"}'
            start_response(
                "200 OK" if up else "503 Service Unavailable",
                [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
            )
            return [b"" if method == "HEAD" else body]
        if path == SLACK_PATH and slack is not None:
            if method != "POST":
                start_response("405 Method Not Allowed", [("Allow", "POST")])
                return [b""]
            return slack(environ, start_response)
        if sandbox is not None and (path == SANDBOX_PATH or path.startswith(SANDBOX_PATH + "/")):
            return sandbox(environ, start_response)
        if sandbox is not None and path == "/" and method in ("GET", "HEAD"):
            start_response("302 Found", [("Location", SANDBOX_PATH)])
            return [b""]
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"Not Found"]

    return application
