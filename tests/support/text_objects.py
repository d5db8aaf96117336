"""Which text in a view or message Slack would read as mrkdwn, and which as plain text.

Typed text is safe in either when it is escaped in mrkdwn or kept in a plain_text
object, which Slack shows as is (no mentions, no formatting)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def text_objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every Block Kit text object ({"type": "mrkdwn"|"plain_text", "text": …}) inside."""
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            yield node
        for value in node.values():
            yield from text_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from text_objects(value)


def mrkdwn_text(node: Any) -> str:
    """All the mrkdwn text inside, one object per line."""
    return "\n".join(t["text"] for t in text_objects(node) if t["type"] == "mrkdwn")


def plain_text(node: Any) -> str:
    """All the plain_text inside, one object per line."""
    return "\n".join(t["text"] for t in text_objects(node) if t["type"] == "plain_text")
