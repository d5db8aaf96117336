"""Errors that carry a message meant for the person who caused them."""

from __future__ import annotations


class UserFacingError(Exception):
    """A service refused a request; ``message`` is safe to show the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotJoinedError(UserFacingError):
    pass
