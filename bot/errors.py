"""Errors that carry a message meant for the person who caused them."""

from __future__ import annotations

from collections.abc import Mapping


class UserFacingError(Exception):
    """A service refused a request; ``message`` is safe to show the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotJoinedError(UserFacingError):
    pass


class NotALeadError(UserFacingError):
    """A lead-only action by someone who is not a lead (a forged or stale button, too)."""


class FormErrors(UserFacingError):
    """Field errors for a modal, keyed by the block_id of each field (a StrEnum value).

    Handlers send them back as ``response_action: errors`` so Slack shows each message
    under its own field and the person keeps everything they typed.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)

    def for_slack(self) -> dict[str, str]:
        return {str(field): message for field, message in self.errors.items()}
