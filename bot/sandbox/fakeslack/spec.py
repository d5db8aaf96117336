"""Check Web API calls against Slack's published OpenAPI spec (see SPEC_LICENSE.md).

The spec dates from 2020. What it is too old to know is kept in the short allowlists below, each
entry with its reason; nothing goes there to silence a mistake of the app's own.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).with_name("slack_web_openapi_v2.json")


@dataclass(frozen=True)
class SlackError:
    """A failed Web API answer: Slack's error string, optional details, the HTTP status."""

    error: str
    messages: tuple[str, ...] = ()
    status: int = 200

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


@dataclass(frozen=True)
class Param:
    type: str  # "string", "boolean", "integer" or "number", as in the spec
    required: bool = False
    json: bool = False  # holds a JSON array or object (or a string that parses to one)


# Methods added after the spec was frozen.
_NEW_METHODS: dict[str, dict[str, Param]] = {
    # Upload flow that replaced files.upload (2024): step 1 of slack_sdk's files_upload_v2.
    "files.getUploadURLExternal": {
        "filename": Param("string", required=True),
        "length": Param("integer", required=True),
        "alt_txt": Param("string"),
        "snippet_type": Param("string"),
    },
    # Step 3 of files_upload_v2: shares the uploaded files (arguments as slack_sdk sends them).
    "files.completeUploadExternal": {
        "files": Param("string", required=True, json=True),
        "channel_id": Param("string"),
        "channels": Param("string"),
        "initial_comment": Param("string"),
        "thread_ts": Param("string"),
    },
    # Socket Mode (2021) opens its WebSocket URL with this method.
    "apps.connections.open": {},
}

# Arguments added to existing methods after the spec was frozen.
_NEW_ARGS: dict[str, dict[str, Param]] = {
    # Message metadata (2022).
    "chat.postMessage": {"metadata": Param("string", json=True)},
    "chat.update": {
        "metadata": Param("string", json=True),  # message metadata (2022)
        # Newer than the spec; slack_sdk's chat_update sends them.
        "reply_broadcast": Param("boolean"),
        "file_ids": Param("string"),
        "markdown_text": Param("string"),
    },
    # Message metadata (2022) is only returned when asked for.
    "conversations.history": {"include_all_metadata": Param("boolean")},
    "conversations.replies": {"include_all_metadata": Param("boolean")},
    # Workflow-triggered modals use an interactivity pointer instead of a trigger_id.
    "views.open": {"interactivity_pointer": Param("string")},
    "views.push": {"interactivity_pointer": Param("string")},
}

# slack_sdk sends team_id on every call of a WebClient(team_id=...), which Bolt builds per listener.
_EVERY_METHOD_ARGS = {"team_id": Param("string")}

# Either-or rules the spec only states in prose: (methods, any of these args, error if none is set).
_EITHER_OR_RULES = (
    (
        frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update"}),
        ("text", "blocks", "attachments", "markdown_text"),  # markdown_text: chat.update only
        "no_text",
    ),
    (frozenset({"conversations.open"}), ("channel", "users"), "users_list_not_supplied"),
)

# A JSON argument that does not parse gets the method's own error where Slack documents one.
_MALFORMED_JSON_ERRORS = {"blocks": "invalid_blocks_format", "metadata": "invalid_metadata_format"}

_BOOLEAN_STRINGS = frozenset({"true", "false", "1", "0"})
_INTEGER = re.compile(r"-?\d+")


@functools.cache
def methods() -> dict[str, dict[str, Param]]:
    """Every known method's arguments: the spec's, then the allowlists. Loaded once per process."""
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    params_by_method: dict[str, dict[str, Param]] = {}
    for path, operations in spec["paths"].items():
        params: dict[str, Param] = {}
        for operation in operations.values():
            for p in operation.get("parameters", []):
                if p["name"] == "token":  # travels in the Authorization header instead
                    continue
                params[p["name"]] = Param(
                    type=p["type"],
                    required=bool(p.get("required")),
                    json="JSON" in p.get("description", ""),
                )
        params_by_method[path.removeprefix("/")] = params
    params_by_method.update(_NEW_METHODS)
    for name, extra in _NEW_ARGS.items():
        params_by_method[name] = {**params_by_method[name], **extra}
    return {name: {**params, **_EVERY_METHOD_ARGS} for name, params in params_by_method.items()}


def decode_json_args(method: str, args: dict[str, Any]) -> dict[str, Any]:
    """Copy of args with JSON-string arguments (blocks, view, metadata...) decoded.

    A value that does not parse stays a string, for check() to report.
    """
    known = methods().get(method)
    decoded = dict(args)
    for name, value in args.items():
        param = known.get(name) if known else None
        if param and param.json and isinstance(value, str):
            with contextlib.suppress(json.JSONDecodeError):
                decoded[name] = json.loads(value)
    return decoded


def check(method: str, args: Mapping[str, Any]) -> SlackError | None:
    """None if Slack would accept this call's arguments, else the error it would answer.

    args must have gone through decode_json_args first.
    """
    known = methods().get(method)
    if known is None:
        return SlackError("unknown_method", status=404)
    messages = [
        f"[ERROR] missing required field: {name}"
        for name, param in known.items()
        if param.required and name not in args
    ]
    for name, value in args.items():
        param = known.get(name)
        if param is None:
            messages.append(f"[ERROR] unknown field: {name}")
        elif not _fits(value, param):
            expected = "JSON array or object" if param.json else param.type
            problem = f"[ERROR] {name}: expected {expected}"
            if name in _MALFORMED_JSON_ERRORS:
                return SlackError(_MALFORMED_JSON_ERRORS[name], (problem,))
            messages.append(problem)
    if messages:
        return SlackError("invalid_arguments", tuple(messages))
    for rule_methods, any_of, error in _EITHER_OR_RULES:
        if method in rule_methods and not any(args.get(name) for name in any_of):
            return SlackError(error)
    return None


def _fits(value: Any, param: Param) -> bool:
    if param.json:
        return isinstance(value, list | dict)
    return _TYPE_CHECKS[param.type](value)


def _is_boolean(value: Any) -> bool:
    return isinstance(value, bool) or value in _BOOLEAN_STRINGS


def _is_integer(value: Any) -> bool:
    if isinstance(value, str):
        return _INTEGER.fullmatch(value) is not None
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return False
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# Form and query values are all strings; JSON bodies carry real booleans and numbers.
_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "boolean": _is_boolean,
    "integer": _is_integer,
    "number": _is_number,
    "string": lambda value: isinstance(value, str),
}
