"""Finding a participant by the ids Slack gives us."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Person, Workspace


def find_person(session: Session, team_id: str, user_id: str) -> Person | None:
    """The person with this Slack user id in this workspace, skills loaded; None if they
    never joined."""
    return session.scalars(
        select(Person)
        .join(Workspace, Person.workspace_id == Workspace.id)
        .where(Workspace.slack_team_id == team_id, Person.slack_user_id == user_id)
        .options(selectinload(Person.skills))
    ).one_or_none()
