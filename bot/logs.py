"""Logging set-up, with a filter that keeps Slack tokens and secrets out of every line.

LOG_FORMAT=text (the default) is for people: time, level, process, logger, message.
LOG_FORMAT=json (the container's default) is for log shippers: one JSON object per line,
with the same fields plus whatever a line adds as ``extra`` (a request's kind, status
and ids; a delivery's key and outcome).
"""

from __future__ import annotations

import logging
import re
import sys

from pythonjsonlogger.json import JsonFormatter

# Bot, user, app-level and configuration tokens, and signing secrets in query/form text.
_SECRET = re.compile(r"\b(xox[abposre]-|xapp-)[A-Za-z0-9-]+")


# OAuth's one-time codes, states and the client secret, as Bolt and slack_sdk may log
# them ("... with code: 123.456.abc", "client_secret=...", "state=...").
_OAUTH = re.compile(r"\b(code: |code=|state=|client_secret=|client_secret': ')[^\s&',]+")


def redact(text: str) -> str:
    text = _SECRET.sub(lambda m: m.group(1) + "[redacted]", text)
    return _OAUTH.sub(lambda m: m.group(1) + "[redacted]", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: int = logging.INFO, fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(process)d %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                datefmt="%Y-%m-%dT%H:%M:%S%z",
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")
        )
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
