"""The report chart, drawn by a short-lived child process and never by the server.

Importing matplotlib and drawing one chart cost a process about 40 MB that it never
gives back, and the server is one long-lived gunicorn worker: one lead's chart would keep
it over its memory budget for the rest of its life (``python -m bench.memory``). So each
chart is drawn by ``python -m bot.views.report_chart``, fed the chart's JSON on stdin;
the PNG comes back on stdout, and the child's memory goes back to the system when it
exits. The price is matplotlib's import (about a second) on every chart, not only the
first; a lead asking for a chart waits on an upload anyway.

A child that fails or hangs costs the lead the apology any failure would get, and the
log one WARNING line (its last line of stderr, not the whole traceback).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import bot
from bot import copy
from bot.errors import UserFacingError
from bot.shapes.report import Report
from bot.views.chart_data import chart_data, encode

log = logging.getLogger(__name__)

COMMAND = (sys.executable, "-m", "bot.views.report_chart")
# matplotlib's import and one figure take 1-3 s; a cold font cache, several more.
TIMEOUT_SECONDS = 30.0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The directory that holds the ``bot`` package: the child's working directory, so
# ``-m`` finds the same code as the server whatever directory the server started in.
CODE_ROOT = Path(bot.__file__).resolve().parent.parent


class ChartFailedError(UserFacingError):
    """No chart: the lead gets the apology any unexpected failure gets."""

    def __init__(self) -> None:
        super().__init__(copy.SOMETHING_WENT_WRONG)


class ChartProcess:
    def __init__(self, command: Sequence[str] = COMMAND, timeout: float = TIMEOUT_SECONDS) -> None:
        self._command = list(command)
        self._timeout = timeout
        # One child at a time: each holds ~100 MB while it draws, and leads are few.
        self._turn = threading.Lock()

    def png(self, report: Report) -> bytes:
        """The report's chart, as report_chart would draw it, or ChartFailedError."""
        payload = encode(chart_data(report))
        with self._turn:
            try:
                done = subprocess.run(  # noqa: S603 - our own interpreter and module
                    self._command,
                    input=payload,
                    capture_output=True,
                    timeout=self._timeout,
                    cwd=CODE_ROOT,
                    env=_child_env(),
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise _failed(f"no PNG after {self._timeout:g} s; the child was killed") from None
            except OSError as error:
                raise _failed(f"the child could not start: {error}") from None
        if done.returncode != 0:
            raise _failed(f"the child exited with {done.returncode}: {_last_line(done.stderr)}")
        if not done.stdout.startswith(PNG_SIGNATURE):
            raise _failed(f"the child wrote no PNG ({len(done.stdout)} bytes)")
        return done.stdout


def _child_env() -> dict[str, str]:
    """The server's environment without its secrets: the child draws, it never needs
    Slack's tokens or the database's password."""
    secret = ("SLACK_", "DATABASE_URL", "TEST_DATABASE_URL")
    return {k: v for k, v in os.environ.items() if not k.startswith(secret)}


def _failed(reason: str) -> ChartFailedError:
    log.warning("report chart not drawn: %s", reason)
    return ChartFailedError()


def _last_line(stderr: bytes) -> str:
    # A traceback's last line names the error; the rest would flood the log.
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "(nothing on stderr)"
