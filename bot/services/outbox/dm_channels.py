"""The DM between a person and Upward: opened once, kept on ``Person.dm_channel_id``.

conversations.open is Tier 3, so the id is cached, and the database column is the one
cache of it (every process and replica shares it). Someone with no Person row (a lead
who never joined) gets the DM opened each time; Slack returns the same one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import unit_of_work
from bot.slack.errors import NotDeliverableError
from bot.slack.workspaces import SlackWorkspaces
from models import Person, Workspace

T = TypeVar("T")

STALE = "channel_not_found"  # a kept id Slack no longer knows (the app was reinstalled)


class DmChannels:
    def __init__(self, sessions: sessionmaker[Session], slack: SlackWorkspaces) -> None:
        self._sessions = sessions
        self._slack = slack

    def channel(self, user_id: str, *, person_id: int | None = None, team_id: str = "") -> str:
        """The DM's id: the kept one, or a newly opened one (then kept)."""
        with self._sessions() as session:
            person = _person(session, user_id, person_id, team_id)
            if person is not None and person.dm_channel_id:
                return person.dm_channel_id
        return self._open(user_id, person_id, team_id)

    def using(
        self,
        user_id: str,
        send: Callable[[str], T],
        *,
        person_id: int | None = None,
        team_id: str = "",
    ) -> T:
        """``send(channel)``; if Slack no longer knows the kept id, open the DM again and
        send once more (channel_not_found means nothing was posted)."""
        try:
            return send(self.channel(user_id, person_id=person_id, team_id=team_id))
        except NotDeliverableError as error:
            if error.code != STALE:
                raise
        return send(self._open(user_id, person_id, team_id))

    def _open(self, user_id: str, person_id: int | None, team_id: str) -> str:
        channel = self._slack.for_team(team_id).open_conversation([user_id])
        with unit_of_work(self._sessions) as session:
            person = _person(session, user_id, person_id, team_id)
            if person is not None:
                person.dm_channel_id = channel
        return channel


def _person(session: Session, user_id: str, person_id: int | None, team_id: str) -> Person | None:
    if person_id is not None:
        return session.get(Person, person_id)
    if not team_id:
        return None
    return session.scalars(
        select(Person)
        .join(Workspace, Person.workspace_id == Workspace.id)
        .where(Workspace.slack_team_id == team_id, Person.slack_user_id == user_id)
    ).one_or_none()
