"""A bare Bolt app on Upward's own server stack: bench.load's baseline.

    .venv/bin/python -m bench.bare_bolt     # reads the same variables as app.py

One listener per kind (the /mentor command, any button, any modal submission) that only
calls ``ack()``. Everything around the listeners is the app's: ``UpwardServer``'s gunicorn
configuration (one worker, gthread, 8 threads, the same timeouts and logger), the same
``slack_bolt.App`` settings as ``bot.slack_app.build_app`` (16 marked listener threads, no
token check at start, the signing secret), Bolt's WSGI adapter behind ``FrontDoor`` and
``RequestLog``, routed by ``make_wsgi_app``, with logging configured as ``app.py`` does. So
the only difference from the real app is what the listeners (and Upward's one middleware,
the event de-duplication, which commands, buttons and submissions pass straight through)
do. No database: /healthz answers without one, and nothing else here needs it.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from app import UpwardServer
from bot.background import request_executor
from bot.config import Settings, SettingsError, load_log_format, load_settings
from bot.front_door import FrontDoor
from bot.logs import configure_logging
from bot.request_log import RequestLog
from bot.slack_app import LISTENER_THREADS
from bot.web import make_wsgi_app

log = logging.getLogger("upward")


def bare_app(settings: Settings) -> App:
    """``build_app``'s App, with listeners that only ack."""
    app = App(
        client=WebClient(token=settings.bot_token, base_url=settings.api_url),
        listener_executor=request_executor(LISTENER_THREADS),
        signing_secret=settings.signing_secret or "",
        token_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
    )
    anything = re.compile(".*")

    @app.command(anything)
    def command(ack: Ack) -> None:
        ack()

    @app.action(anything)
    def action(ack: Ack) -> None:
        ack()

    @app.view(anything)
    def submission(ack: Ack) -> None:
        ack()

    return app


class BareServer(UpwardServer):
    """UpwardServer's gunicorn configuration (load_config is inherited untouched), serving
    the bare app instead of Upward's."""

    def load(self) -> Any:
        bolt = bare_app(self.settings)
        door = FrontDoor(SlackRequestHandler(bolt), self.settings.signing_secret or "")
        return make_wsgi_app(RequestLog(door), lambda: True)

    def _post_worker_init(self, worker: Any) -> None:
        pass  # no scheduler, no Socket Mode, no sandbox

    def _worker_exit(self, server: Any, worker: Any) -> None:
        pass  # no background pool or express lane to close


def main() -> int:
    try:
        configure_logging(fmt=load_log_format())
        settings = load_settings()
    except SettingsError as error:
        print(f"bare_bolt: {error}", file=sys.stderr)
        return 2
    log.info("starting the bare Bolt baseline %r", settings)
    BareServer(settings).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
