"""Escaping for user text shown in mrkdwn."""

from __future__ import annotations


def escape(text: str) -> str:
    """Neutralise Slack's control characters so user text cannot ping or disguise links.

    Only ``&``, ``<`` and ``>`` are special in mrkdwn; html.escape() would also turn
    quotes into entities that Slack shows literally.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
