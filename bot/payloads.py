"""What a request from Slack must look like before Bolt and the handlers read it.

Bolt reads ``user``, ``team``, ``view``, ``actions`` and ``event`` by shape (``"id" in
user``, ``payload["view"]["state"]``), so a signed body of the wrong shape would fail deep
inside it with a traceback. Slack never sends such a body; but the front door checks the
shape once, here, so everything past it can trust the fields it reads. Values *inside*
the fields (a button's value, a modal's answers) are checked where they are read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# Slack's ids: an uppercase letter and uppercase letters or digits (U012AB3CD, T0ABC, E1).
_SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{1,39}")
_COMMAND = re.compile(r"/[a-z0-9_-]{1,32}")
_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")  # action_id, callback_id, event type and id
MAX_TEXT = 40_000  # longer than anything Slack sends in one field


class Kind(StrEnum):
    """What a request is, which decides how a refusal is answered."""

    COMMAND = "command"
    ACTION = "block_actions"
    SUBMISSION = "view_submission"
    CLOSED = "view_closed"
    EVENT = "event_callback"
    URL_VERIFICATION = "url_verification"
    OTHER = "other"


def kind_of(payload: Mapping[str, Any]) -> Kind:
    if "command" in payload:
        return Kind.COMMAND
    try:
        return Kind(payload.get("type"))
    except ValueError:
        return Kind.OTHER


def problem(payload: Mapping[str, Any]) -> str | None:
    """Why this payload cannot be handled, in a few words for the log; None if it can."""
    kind = kind_of(payload)
    checks = _CHECKS.get(kind)
    if checks is None:
        return f"a request of type {str(payload.get('type'))[:40]!r} that Upward does not handle"
    for check in (_common, checks, _impossible_text):
        found = check(payload)
        if found:
            return found
    return None


@dataclass(frozen=True)
class Facts:
    """What a request's log line and metrics say about it: ids and our own identifiers
    (a command's name, a button's action_id, a modal's callback_id, an event's type),
    never what a person typed."""

    kind: str
    what: str = ""
    team: str = ""
    user: str = ""
    event_id: str = ""


def facts(payload: Mapping[str, Any]) -> Facts:
    """For a payload :func:`problem` has passed."""
    kind = kind_of(payload)
    if kind == Kind.COMMAND:
        return Facts(
            kind,
            _id_or_blank(payload.get("command"), _COMMAND),
            _team(payload),
            _id_or_blank(payload.get("user_id")),
        )
    if kind == Kind.EVENT:
        event = payload.get("event") if isinstance(payload.get("event"), dict) else {}
        return Facts(
            kind,
            _id_or_blank(event.get("type"), _NAME),
            _id_or_blank(payload.get("team_id")),
            _id_or_blank(event.get("user")),
            _id_or_blank(payload.get("event_id"), _NAME),
        )
    user = payload.get("user") if isinstance(payload.get("user"), dict) else {}
    what = ""
    if kind == Kind.ACTION:
        actions = payload.get("actions") or []
        what = ",".join(_id_or_blank(a.get("action_id"), _NAME) for a in actions[:3])
    elif kind in (Kind.SUBMISSION, Kind.CLOSED):
        view = payload.get("view") if isinstance(payload.get("view"), dict) else {}
        what = _id_or_blank(view.get("callback_id"), _NAME)
    return Facts(kind, what, _team(payload), _id_or_blank(user.get("id")))


def _team(payload: Mapping[str, Any]) -> str:
    team = payload.get("team")
    if isinstance(team, dict):
        return _id_or_blank(team.get("id"))
    return _id_or_blank(payload.get("team_id"))


def _id_or_blank(value: object, shape: re.Pattern[str] | None = None) -> str:
    """The value if it has the shape of an identifier; blank otherwise (never free text)."""
    pattern = shape or _SLACK_ID
    return value if isinstance(value, str) and pattern.fullmatch(value) else ""


# --- per kind ---------------------------------------------------------------------------


def _common(payload: Mapping[str, Any]) -> str | None:
    """The fields Bolt reads from every payload to build its context."""
    for name in ("team", "user", "enterprise", "channel"):
        value = payload.get(name)
        if value is None or _is_text(value):
            continue
        if not isinstance(value, dict):
            return f"{name} is neither an object nor a string"
        if "id" in value and not _is_text(value["id"]):
            return f"{name}.id is not a string"
    for name in ("authorizations", "response_urls"):
        value = payload.get(name)
        if value is not None and not _list_of_objects(value):
            return f"{name} is not a list of objects"
    for name in ("event", "view", "message", "previous_message", "container", "function_data"):
        value = payload.get(name)
        if value is not None and not isinstance(value, dict):
            return f"{name} is not an object"
    for name in ("response_url", "trigger_id", "team_id", "user_id", "enterprise_id", "type"):
        value = payload.get(name)
        if value is not None and not _is_text(value):
            return f"{name} is not a string"
    return None


def _command(payload: Mapping[str, Any]) -> str | None:
    if not _is_id(payload.get("user_id")) or not _is_id(payload.get("team_id")):
        return "a slash command without a user or a team"
    for name in ("command", "text", "trigger_id", "response_url"):
        if not _is_text(payload.get(name, "")):
            return f"{name} is not text"
    return None


def _action(payload: Mapping[str, Any]) -> str | None:
    found = _who(payload)
    if found:
        return found
    actions = payload.get("actions")
    if not _list_of_objects(actions) or not actions:
        return "a button click without actions"
    for action in actions:
        if not _is_text(action.get("action_id")):
            return "an action without an action_id"
        for name in ("value", "block_id"):
            if not _is_text(action.get(name, "")):
                return f"action.{name} is not text"
    if not _is_text(payload.get("trigger_id", "")):
        return "trigger_id is not text"
    return None


def _view(payload: Mapping[str, Any]) -> str | None:
    found = _who(payload)
    if found:
        return found
    view = payload.get("view")
    if not isinstance(view, dict):
        return "a modal submission without its view"
    if not _is_text(view.get("callback_id")):
        return "a view without a callback_id"
    if not _is_text(view.get("private_metadata", "")):
        return "view.private_metadata is not text"
    state = view.get("state", {})
    values = state.get("values", {}) if isinstance(state, dict) else None
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        return "view.state.values is not an object of objects"
    return None


def _event(payload: Mapping[str, Any]) -> str | None:
    event = payload.get("event")
    if not isinstance(event, dict) or not _is_text(event.get("type")):
        return "an event callback without an event"
    if not _is_id(payload.get("team_id")):
        return "an event callback without a team"
    for name in ("user", "channel", "tab", "thread_ts", "ts", "subtype", "channel_type"):
        value = event.get(name)
        if value is not None and not _is_text(value):
            return f"event.{name} is not text"
    for name in _EVENT_NEEDS.get(event["type"], ()):
        if not _is_id(event.get(name)):
            return f"a {event['type']} event without a valid {name}"
    if event.get("user") is not None and not _is_id(event["user"]):
        return "event.user is not a Slack id"
    return None


# What the events Upward subscribes to must carry for their handlers to act.
_EVENT_NEEDS = {"app_home_opened": ("user",), "message": ("channel",)}


def _url_verification(payload: Mapping[str, Any]) -> str | None:
    return None if _is_text(payload.get("challenge")) else "url_verification without a challenge"


def _who(payload: Mapping[str, Any]) -> str | None:
    """Interactive payloads: who clicked or submitted, in which team."""
    user = payload.get("user")
    if not isinstance(user, dict) or not _is_id(user.get("id")):
        return "an interaction without a user"
    team = payload.get("team")
    team_id = team.get("id") if isinstance(team, dict) else user.get("team_id")
    if not _is_id(team_id):
        return "an interaction without a team"
    return None


_CHECKS = {
    Kind.COMMAND: _command,
    Kind.ACTION: _action,
    Kind.SUBMISSION: _view,
    Kind.CLOSED: _view,
    Kind.EVENT: _event,
    Kind.URL_VERIFICATION: _url_verification,
}


def _impossible_text(payload: Mapping[str, Any]) -> str | None:
    """NUL or a lone surrogate anywhere but in a modal's answers: Slack never sends them,
    and Postgres can neither store nor compare them. In a modal's answers they are the
    person's typing, and the form's own check asks them to retype it, field by field."""
    view = payload.get("view")
    answers = view.get("state") if isinstance(view, dict) else None
    stack: list[object] = [payload]
    while stack:
        item = stack.pop()
        if item is answers:
            continue
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and _IMPOSSIBLE.search(item):
            return "text with NUL or a lone surrogate"
    return None


# --- values -----------------------------------------------------------------------------

_IMPOSSIBLE = re.compile("[\x00\ud800-\udfff]")


def _is_text(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TEXT


def _is_id(value: object) -> bool:
    return isinstance(value, str) and _SLACK_ID.fullmatch(value) is not None


def _list_of_objects(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)
