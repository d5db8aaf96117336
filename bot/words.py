"""Counted nouns in English: "1 pair", "3 pairs", "1 person", "2 people"."""

from __future__ import annotations


def counted(n: int, one: str, many: str | None = None, *, bold: bool = False) -> str:
    """``n`` and the noun that agrees with it; ``bold`` stars the number for mrkdwn."""
    number = f"*{n}*" if bold else str(n)
    return f"{number} {one if n == 1 else many or one + 's'}"
