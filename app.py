"""Upward's entry point: check settings, migrate, then serve Slack and /healthz.

    python app.py              # HTTP mode (or Socket Mode when SLACK_APP_TOKEN is set);
                               # with no SLACK_BOT_TOKEN: the sandbox at /sandbox
    python app.py --sandbox    # the sandbox whatever is set (also UPWARD_SANDBOX=1)
    python app.py --no-migrate # when migrations run as a separate deploy step

HTTP is served by gunicorn (one worker process, threads for concurrency), which
finishes in-flight requests on SIGTERM before exiting.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from bot.clock import Clock, SystemClock
from bot.config import (
    Settings,
    SettingsError,
    load_log_format,
    load_port,
    load_settings,
    redact_url,
)
from bot.db import database_is_up, migrate
from bot.front_door import FrontDoor
from bot.health import Readiness
from bot.logs import configure_logging
from bot.metrics import metrics_app
from bot.request_log import RequestLog
from bot.slack.errors import SlackError, SlackUnavailableError
from bot.slack.gateway import SlackGateway
from bot.web import make_wsgi_app

log = logging.getLogger("upward")

EXIT_CONFIG = 2
GRACEFUL_SECONDS = 25  # Docker waits 10 s by default; compose/k8s can allow more
EXPRESS_CLOSE_SECONDS = 3  # the express lane's last batch; the tick sends what is left


class UpwardServer(BaseApplication):
    """gunicorn, configured in code so `python app.py` is the only command to remember."""

    def __init__(self, settings: Settings, sandbox_host: str | None = None) -> None:
        self.settings = settings
        self.sandbox_host = sandbox_host  # set: sandbox mode, bound to this address
        self.socket_handler: Any = None
        self.scheduler: Any = None
        self.sandbox: Any = None
        self._clock: Clock = SystemClock()
        super().__init__()

    def load_config(self) -> None:
        host = self.sandbox_host or "0.0.0.0"  # noqa: S104 - a container's port is its API
        self.cfg.set("bind", f"{_bracketed(host)}:{self.settings.port}")
        self.cfg.set("workers", 1)  # the scheduler and caches live in one process
        self.cfg.set("worker_class", "gthread")
        # The sandbox's page calls the app's own /slack/events: room for both at once.
        self.cfg.set("threads", 8 if self.sandbox_host is None else 24)
        self.cfg.set("timeout", 30)
        self.cfg.set("graceful_timeout", GRACEFUL_SECONDS)
        self.cfg.set("proc_name", "upward")
        # gunicorn's runtime control socket lives in $HOME and would be shared by every
        # instance on the machine; Upward is managed by signals only.
        self.cfg.set("control_socket_disable", True)
        self.cfg.set("logger_class", GunicornLogs)
        self.cfg.set("post_worker_init", self._post_worker_init)
        self.cfg.set("worker_exit", self._worker_exit)

    def load(self) -> Any:
        # Runs in the worker process, after fork: database pools and threads start here.
        from bot.container import build_services  # noqa: PLC0415 - keep the master light
        from bot.slack_app import build_app  # noqa: PLC0415

        settings, site, install = self.settings, None, None
        if self.sandbox_host is not None:
            from bot.sandbox.runtime import Sandbox  # noqa: PLC0415

            self.sandbox = Sandbox(settings)
            settings = self.sandbox.start()  # the app's Slack is the sandbox's
            self._clock = self.sandbox.clock
        services = build_services(settings, self._clock)
        bolt = build_app(services, settings)
        self._bolt = bolt
        self._services = services
        if settings.socket_mode:
            slack = None
        else:
            from slack_bolt.adapter.wsgi import SlackRequestHandler  # noqa: PLC0415

            bolt_handler = SlackRequestHandler(bolt)
            door = FrontDoor(bolt_handler, settings.signing_secret or "")
            slack = RequestLog(door)
            if settings.many_workspaces:
                # Bolt's OAuth flow answers these GETs; its pages log their outcome (never
                # the code or state in the URL).
                install = bolt_handler
        if self.sandbox is not None:
            from bot.sandbox.runtime import is_loopback_host  # noqa: PLC0415
            from bot.sandbox.site import SandboxSite  # noqa: PLC0415

            self.sandbox.attach(
                f"http://127.0.0.1:{settings.port}",
                services.due.run_due,
                services.sessions,
                services.engine,
            )
            site = SandboxSite(
                self.sandbox,
                local_only=is_loopback_host(self.sandbox_host),
                bound_to=self.sandbox_host,
            )
        readiness = Readiness(services.engine, services.replicas, settings.tick_seconds)
        return make_wsgi_app(
            slack,
            lambda: database_is_up(services.engine),
            site,
            readiness=readiness.check,
            metrics=metrics_app(services.engine),
            install=install,
        )

    def _post_worker_init(self, worker: Any) -> None:
        if self.settings.tick_seconds:
            from bot.scheduler import start_scheduler  # noqa: PLC0415

            due, clock = self._services.due, self._clock
            tick = (
                self.sandbox.scheduled_tick
                if self.sandbox is not None
                else lambda: due.run_due(clock.now())
            )
            self.scheduler = start_scheduler(tick, self.settings.tick_seconds)
        if self.settings.socket_mode:
            from bot.socket_mode import LoggedSocketModeHandler  # noqa: PLC0415

            self.socket_handler = LoggedSocketModeHandler(self._bolt, self.settings.app_token)
            self.socket_handler.connect()
            log.info("connected to Slack in Socket Mode")
        if self.sandbox is not None:
            wildcard = self.sandbox_host in ("0.0.0.0", "::")  # noqa: S104
            shown = "127.0.0.1" if wildcard else _bracketed(self.sandbox_host or "")
            # The last start-up line: what to open.
            log.info("sandbox ready: open http://%s:%d/sandbox", shown, self.settings.port)

    def _worker_exit(self, server: Any, worker: Any) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)  # an unfinished fan-out resumes next start
        if self.socket_handler is not None:
            self.socket_handler.close()
        # Finish what requests started (a round's intros are planned there), then stop the
        # express lane: messages it has not sent stay planned for the next start's tick.
        self._services.background.close(wait=True)
        # A post cut short is found in the channel's history before any resend.
        self._services.express.close(timeout=EXPRESS_CLOSE_SECONDS)
        if self.sandbox is not None:
            self.sandbox.stop()


class GunicornLogs(glogging.Logger):
    """gunicorn's own lines (start, stop, worker timeouts) through our handler, so they are
    JSON when LOG_FORMAT=json like the rest. Its access log stays off: bot.request_log
    writes one line per request, with what it was and who sent it."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            logger.handlers[:] = []
            logger.propagate = True


def _bracketed(host: str) -> str:
    """An IPv6 address in brackets, as URLs and gunicorn's bind want it."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def check_token(settings: Settings) -> str | None:
    """auth.test once at start, so a wrong token is one clear line, not a stack trace.
    Many workspaces: each installation's token is Slack's to check, request by request."""
    if settings.bot_token is None:
        log.info("many workspaces: tokens come from installs at /slack/install")
        return None
    try:
        me = SlackGateway(settings.bot_token, settings.api_url).identity()
    except SlackUnavailableError as error:
        reason = error.detail or error.code
        return f"could not reach Slack at {settings.api_url} ({reason}). Check SLACK_API_URL."
    except SlackError as error:
        return (
            f"Slack rejected SLACK_BOT_TOKEN ({error.code}). Reinstall the app "
            "and copy the Bot User OAuth Token from OAuth & Permissions."
        )
    log.info("authenticated as %s in team %s", me.user_id, me.team_id)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="app.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-migrate", action="store_true", help="do not run database migrations on start"
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="run the local sandbox workspace at /sandbox instead of connecting to Slack",
    )
    args = parser.parse_args(argv)
    try:
        configure_logging(fmt=load_log_format())
    except SettingsError as error:
        print(f"upward: {error}", file=sys.stderr)
        return EXIT_CONFIG
    if args.sandbox or _wants_sandbox(os.environ):
        return run_sandbox(no_migrate=args.no_migrate)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"upward: {error}", file=sys.stderr)
        return EXIT_CONFIG
    problem = check_token(settings)
    if problem:
        print(f"upward: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    if not args.no_migrate and not _migrated(settings.database_url):
        return 1
    log.info("starting %r", settings)
    UpwardServer(settings).run()
    return 0


def _wants_sandbox(env: Mapping[str, str]) -> bool:
    """--sandbox, UPWARD_SANDBOX=1, or a fresh clone's first run: no Slack settings and no
    DATABASE_URL. Anything else is a real deployment (the container sets DATABASE_URL),
    where a missing token is the one line saying what to set, never a silent sandbox."""
    if env.get("UPWARD_SANDBOX", "").strip().lower() in ("1", "true", "yes"):
        return True
    configured = (
        "SLACK_BOT_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "DATABASE_URL",
    )
    return not any(env.get(name, "").strip() for name in configured)


def run_sandbox(*, no_migrate: bool = False) -> int:
    """The real app on sandbox.db, with a local Slack and its page at /sandbox."""
    from bot.sandbox.runtime import is_loopback_host, sandbox_settings  # noqa: PLC0415

    try:
        port = load_port(os.environ)
    except SettingsError as error:
        print(f"upward: {error}", file=sys.stderr)
        return EXIT_CONFIG
    host = os.environ.get("UPWARD_SANDBOX_HOST", "").strip() or "127.0.0.1"
    if not os.environ.get("SLACK_BOT_TOKEN", "").strip():
        log.info("no Slack settings: starting the sandbox, a local simulation of Slack")
    if not is_loopback_host(host):
        log.warning(
            "THE SANDBOX IS BOUND TO %s: anyone who can reach this machine can open it and "
            "act as anyone in its demo workspace. Unset UPWARD_SANDBOX_HOST to keep it local.",
            host,
        )
    settings = sandbox_settings(port)
    if not no_migrate and not _migrated(settings.database_url):
        return 1
    log.info("starting the sandbox %r", settings)
    UpwardServer(settings, sandbox_host=host).run()
    return 0


def _migrated(database_url: str) -> bool:
    try:
        migrate(database_url)
    except Exception as error:  # any driver error: say where, not a traceback
        print(
            f"upward: could not migrate the database at "
            f"{redact_url(database_url)}: {type(error).__name__}: "
            f"{str(error).splitlines()[0]}",
            file=sys.stderr,
        )
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
