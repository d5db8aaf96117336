"""Who leads the program: MENTOR_LEADS plus workspace admins and owners."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from bot import copy
from bot.errors import NotALeadError
from bot.slack.errors import SlackError
from bot.slack.gateway import SlackUser

log = logging.getLogger(__name__)


class UserDirectory(Protocol):
    def user(self, user_id: str) -> SlackUser: ...


class Directories(Protocol):
    def for_team(self, team_id: str) -> UserDirectory: ...


class LeadPolicy:
    def __init__(self, configured: Iterable[str], directories: Directories) -> None:
        self._configured = frozenset(configured)
        self._directories = directories

    def is_lead(self, team_id: str, user_id: str) -> bool:
        """An admin or owner of *this* workspace (its own users.info, with its token)."""
        if user_id in self._configured:
            return True
        try:
            user = self._directories.for_team(team_id).user(user_id)
        except SlackError as error:
            # Fail closed: without Slack's word, nobody gets lead-only data.
            log.warning("users.info failed for a lead check: %s", error.code)
            return False
        return (user.is_admin or user.is_owner) and not user.deleted

    def require(self, team_id: str, user_id: str, command: str) -> None:
        """The one lead check: every lead-only service method starts with it."""
        if not self.is_lead(team_id, user_id):
            # Non-leads never see lead-only buttons: a click from one is stale or forged.
            log.warning("a lead-only action (%s) by a non-lead was refused", command)
            raise NotALeadError(copy.LEAD_ONLY.format(command=command))
