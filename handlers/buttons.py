"""Reading the values we put on buttons. Slack sends them back as we sent them; anything
else is a stale or forged button, answered politely rather than with a stack trace."""

from __future__ import annotations

from bot import copy
from bot.errors import UserFacingError
from bot.ids import row_id


def button_parts(value: object, n: int) -> list[str]:
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) != n:
        raise UserFacingError(copy.STALE_BUTTON)
    return parts


def button_int(value: object) -> int:
    try:
        return row_id(value)
    except ValueError:
        raise UserFacingError(copy.STALE_BUTTON) from None
