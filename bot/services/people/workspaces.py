"""Workspaces and their default program, created on first use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import DEFAULT_PROGRAM_NAME, Program, Workspace


def ensure_workspace(session: Session, slack_team_id: str, now: datetime) -> Workspace:
    """The workspace row for a team, inserted if this is its first request."""
    query = select(Workspace).where(Workspace.slack_team_id == slack_team_id)
    workspace = session.scalars(query).one_or_none()
    if workspace is not None:
        return workspace
    try:
        # A savepoint, so losing a race with a concurrent first request is not fatal.
        with session.begin_nested():
            workspace = Workspace(slack_team_id=slack_team_id, created_at=now)
            session.add(workspace)
    except IntegrityError:
        return session.scalars(query).one()
    return workspace


def ensure_default_program(session: Session, workspace: Workspace, now: datetime) -> Program:
    """The program people join when nobody has set one up: joining needs no setup."""
    query = select(Program).where(
        Program.workspace_id == workspace.id, Program.is_default.is_(True)
    )
    program = session.scalars(query).one_or_none()
    if program is not None:
        return program
    try:
        with session.begin_nested():
            program = Program(
                workspace_id=workspace.id,
                name=DEFAULT_PROGRAM_NAME,
                is_default=True,
                created_at=now,
            )
            session.add(program)
    except IntegrityError:
        return session.scalars(query).one()
    return program
