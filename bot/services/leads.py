"""Who leads the program: MENTOR_LEADS plus workspace admins and owners."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from bot.slack.errors import SlackError
from bot.slack.gateway import SlackUser

log = logging.getLogger(__name__)


class UserDirectory(Protocol):
    def user(self, user_id: str) -> SlackUser: ...


class LeadPolicy:
    def __init__(self, configured: Iterable[str], directory: UserDirectory) -> None:
        self._configured = frozenset(configured)
        self._directory = directory

    def is_lead(self, user_id: str) -> bool:
        if user_id in self._configured:
            return True
        try:
            user = self._directory.user(user_id)
        except SlackError as error:
            # Fail closed: without Slack's word, nobody gets lead-only data.
            log.warning("users.info failed for a lead check: %s", error.code)
            return False
        return (user.is_admin or user.is_owner) and not user.deleted
