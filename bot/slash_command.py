"""Parsing the text after /mentor."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Sub(StrEnum):
    HELP = "help"
    JOIN = "join"
    LEAVE = "leave"
    PAUSE = "pause"
    RESUME = "resume"
    STATUS = "status"
    GOALS = "goals"
    REPORT = "report"
    MATCH = "match"
    PROGRAM = "program"


@dataclass(frozen=True)
class Command:
    sub: Sub | None  # None: not a sub-command we know
    word: str  # what the person typed first, for "I don't know `x`"
    args: str


def parse_command(text: str | None) -> Command:
    """``/mentor`` alone is help; case and surrounding space do not matter."""
    parts = (text or "").strip().split(maxsplit=1)
    if not parts:
        return Command(Sub.HELP, "", "")
    word = parts[0]
    args = parts[1] if len(parts) > 1 else ""
    try:
        return Command(Sub(word.lower()), word, args)
    except ValueError:
        return Command(None, word, args)
