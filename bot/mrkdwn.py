"""User text: escaping it for mrkdwn, and telling when it cannot be kept at all."""

from __future__ import annotations

import re

# C0 and C1 control characters (tab, newline and carriage return are text) and lone
# UTF-16 surrogates, which Slack never sends and Postgres cannot store (a broken emoji).
_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def unreadable(text: str) -> bool:
    """True when ``text`` holds characters no person typed; the form asks again."""
    return _UNREADABLE.search(text) is not None


def escape(text: str) -> str:
    """Neutralise Slack's control characters so user text cannot ping or disguise links.

    Only ``&``, ``<`` and ``>`` are special in mrkdwn; html.escape() would also turn
    quotes into entities that Slack shows literally.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
