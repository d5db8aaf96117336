"""The WSGI application: Slack's requests, health, readiness and metrics."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from bot.health import Verdict

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
SANDBOX_PATH = "/sandbox"
INSTALL_PATH = "/slack/install"  # "Add to Slack" (bot.slack.oauth)
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"

_JSON = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]


def make_wsgi_app(
    slack: WSGIApplication | None,
    database_is_up: Callable[[], bool],
    sandbox: WSGIApplication | None = None,
    *,
    readiness: Callable[[], Verdict] | None = None,
    metrics: WSGIApplication | None = None,
    install: WSGIApplication | None = None,
) -> WSGIApplication:
    """Route POST /slack/events to Bolt behind its front door (absent in Socket Mode),
    GET /healthz to the database check, /readyz to the readiness checks, /metrics to
    Prometheus, with many workspaces GET /slack/install and /slack/oauth_redirect to
    Bolt's OAuth flow (``install``), and, in sandbox mode only, /sandbox to the
    sandbox's page; everything else is a plain 404."""

    def health(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        up = database_is_up()
        body = b'{"status":"ok"}' if up else b'{"status":"database unavailable"}'
        start_response("200 OK" if up else "503 Service Unavailable", _JSON)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    def ready(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        assert readiness is not None
        verdict = readiness()
        start_response("200 OK" if verdict.ready else "503 Service Unavailable", _JSON)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else verdict.body()]

    def slack_only_post(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        assert slack is not None
        if environ.get("REQUEST_METHOD") != "POST":
            start_response("405 Method Not Allowed", [("Allow", "POST")])
            return [b""]
        return slack(environ, start_response)

    reads = ("GET", "HEAD")
    routes: dict[str, tuple[tuple[str, ...] | None, WSGIApplication]] = {
        HEALTH_PATH: (reads, health),
    }
    if readiness is not None:
        routes[READY_PATH] = (reads, ready)
    if metrics is not None:
        routes[METRICS_PATH] = (("GET",), metrics)
    if slack is not None:
        routes[SLACK_PATH] = (None, slack_only_post)  # None: it answers any method itself
    if install is not None:
        # A browser's pages, not Slack's requests: no signature to check at the door.
        routes[INSTALL_PATH] = (("GET",), install)
        routes[OAUTH_REDIRECT_PATH] = (("GET",), install)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        route = routes.get(path)
        if route is not None and (route[0] is None or method in route[0]):
            return route[1](environ, start_response)
        if sandbox is not None and (path == SANDBOX_PATH or path.startswith(SANDBOX_PATH + "/")):
            return sandbox(environ, start_response)
        if sandbox is not None and path == "/" and method in reads:
            start_response("302 Found", [("Location", SANDBOX_PATH)])
            return [b""]
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"Not Found"]

    return application
