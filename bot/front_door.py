"""The front door of POST /slack/events: authenticate, then parse, then hand to Bolt.

Anything on the internet can reach this path, so nothing is parsed before Slack's
signature is checked on the raw body, and no body is read whole before its size is:

1. ``Content-Length`` is required and capped (411, 400, 413), before a byte is read;
2. the timestamp must be digits within five minutes of now, the signature ``v0=`` and
   64 hex digits matching the body (401), checked by slack_sdk's ``SignatureVerifier``;
3. only then is the body decoded and parsed (400 for what is not Slack's form or JSON)
   and its shape checked (:mod:`bot.payloads`). A signed payload of the wrong shape gets
   the friendly answer its kind allows (an ephemeral note, an updated modal, a plain ack
   for events), never a traceback.

Bolt verifies the signature again on what it receives: defence in depth, and cheap.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier

from bot import copy, payloads
from bot.views.acks import ack_json

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

# Slack's largest payloads are modal submissions; ours hold a few short fields. A megabyte
# leaves room for any modal Slack allows (100 blocks) while a flood of big bodies is
# refused before it is read.
MAX_BODY_BYTES = 1024 * 1024
MAX_CLOCK_SKEW = 5 * 60  # seconds; Slack's own rule for replayed requests
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_DIGITS = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


@dataclass(frozen=True)
class Answer:
    """An answer given at the door, without Bolt."""

    status: str
    body: str = ""
    content_type: str = "text/plain; charset=utf-8"

    def send(self, start_response: StartResponse) -> list[bytes]:
        data = self.body.encode()
        start_response(
            self.status,
            [("Content-Type", self.content_type), ("Content-Length", str(len(data)))],
        )
        return [data]


LENGTH_REQUIRED = Answer("411 Length Required", "Length Required")
BAD_REQUEST = Answer("400 Bad Request", "Bad Request")
TOO_LARGE = Answer("413 Content Too Large", "Content Too Large")
UNAUTHORIZED = Answer("401 Unauthorized", "Unauthorized")
EMPTY_ACK = Answer("200 OK")
FACTS = "upward.facts"  # the environ key of an admitted request's payloads.Facts


class FrontDoor:
    """WSGI middleware in front of Bolt's handler for /slack/events."""

    def __init__(
        self,
        app: WSGIApplication,
        signing_secret: str,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._app = app
        self._verifier = SignatureVerifier(signing_secret)
        self._now = now

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        admitted = self.admit(environ)
        if isinstance(admitted, Answer):
            return admitted.send(start_response)
        environ["wsgi.input"] = io.BytesIO(admitted)
        environ["CONTENT_LENGTH"] = str(len(admitted))
        return self._app(environ, start_response)

    def admit(self, environ: WSGIEnvironment) -> bytes | Answer:
        """The raw body, if it is Slack's and well formed; otherwise the answer to give."""
        raw = self._authenticate(environ)
        if isinstance(raw, Answer):
            return raw
        # Authenticated: from here on the sender is Slack, so a refusal is worth a warning.
        payload = parse(raw.decode(), environ.get("CONTENT_TYPE"))
        if payload is None:
            log.warning("refused a signed request: its body is not Slack's form or JSON")
            return BAD_REQUEST
        problem = payloads.problem(payload)
        if problem is not None:
            log.warning("refused a signed request: %s", problem)
            return polite_refusal(payload)
        environ[FACTS] = payloads.facts(payload)  # for the request's log line and metrics
        return raw

    def _authenticate(self, environ: WSGIEnvironment) -> bytes | Answer:
        length = _content_length(environ)
        if isinstance(length, Answer):
            return length
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return _refuse(UNAUTHORIZED, "no valid signature headers")
        if abs(self._now() - int(timestamp)) > MAX_CLOCK_SKEW:
            return _refuse(UNAUTHORIZED, "a stale timestamp")
        try:
            raw = environ["wsgi.input"].read(length)
            if len(raw) != length:
                raise ValueError("the body is shorter than its Content-Length")
            text = raw.decode("utf-8")
        except (OSError, ValueError):  # UnicodeDecodeError is a ValueError
            return _refuse(BAD_REQUEST, "a body that cannot be read whole as UTF-8")
        if not self._verifier.is_valid(body=text, timestamp=timestamp, signature=signature):
            return _refuse(UNAUTHORIZED, "a bad signature")
        return raw


def _content_length(environ: WSGIEnvironment) -> int | Answer:
    """The body's announced size, checked before a byte of it is read."""
    length = environ.get("CONTENT_LENGTH") or ""
    if not length:
        return _refuse(LENGTH_REQUIRED, "no Content-Length")
    if not _DIGITS.fullmatch(length):
        return _refuse(BAD_REQUEST, "a malformed Content-Length")
    if int(length) > MAX_BODY_BYTES:
        return _refuse(TOO_LARGE, f"a body of {int(length)} bytes")
    return int(length)


def parse(text: str, content_type: str | None) -> dict[str, Any] | None:
    """The body as Bolt will read it (JSON, a form, or a form with a JSON ``payload``),
    or None when that fails or is not an object."""
    try:
        if (content_type or "").split(";")[0].strip() == "application/json" or text.startswith("{"):
            parsed: object = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            parsed = json.loads(form["payload"]) if "payload" in form else form
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        return None
    return parsed if isinstance(parsed, dict) else None


def polite_refusal(payload: dict[str, Any]) -> Answer:
    """What Slack shows the person for a request Upward cannot read."""
    kind = payloads.kind_of(payload)
    if kind in (payloads.Kind.EVENT, payloads.Kind.CLOSED):
        return EMPTY_ACK  # nobody is waiting; a non-200 would only make Slack retry
    message = copy.STALE_BUTTON if kind == payloads.Kind.ACTION else copy.REQUEST_UNREADABLE
    return Answer("200 OK", ack_json(kind.value, message), "application/json; charset=utf-8")


def _refuse(answer: Answer, why: str) -> Answer:
    # INFO, not WARNING: the internet's background noise must not page anyone.
    log.info("refused a request to /slack/events: %s (%s)", why, answer.status)
    return answer
