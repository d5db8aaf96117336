"""A workspace's installation: installed (or again), uninstalled, its token refused.

Bolt's OAuth flow stores an installation in slack_sdk's tables; this service keeps the
``workspace`` row in step with it. Uninstalling (the ``app_uninstalled`` or
``tokens_revoked`` event, or Slack refusing the token) stops the workspace at once:
its installation rows go, its planned messages are cancelled in the same transaction,
its cached token is forgotten, and the outbox cancels anything a sender claimed
already. Its data stays for the grace period (DELETE_AFTER_UNINSTALL_DAYS), so a
reinstall picks up where it was; then it is deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import unit_of_work
from bot.services.people.workspaces import ensure_workspace
from models import OutboundMessage, OutboxStatus, Workspace, bots, installations

log = logging.getLogger(__name__)

UNINSTALLED = "uninstalled"  # the reason on a cancelled outbox row


@dataclass(frozen=True)
class Stopped:
    team_ids: tuple[str, ...]
    cancelled: int  # planned messages that will not go


class InstallService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        forget_token: Callable[[str], None] = lambda team_id: None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        # Set by the composition root: the token cache lives with the gateways.
        self.forget_token = forget_token

    def installed(self, team_id: str | None, enterprise_id: str | None, *, org_wide: bool) -> None:
        """A (re)install: the workspace is live again. An org-wide install serves every
        workspace of the org already known; the others get their row on first use."""
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            if team_id:
                workspace = ensure_workspace(session, team_id, now)
                workspace.enterprise_id = enterprise_id or workspace.enterprise_id
                workspace.uninstalled_at = None
            if org_wide and enterprise_id:
                session.execute(
                    update(Workspace)
                    .where(Workspace.enterprise_id == enterprise_id)
                    .values(uninstalled_at=None)
                )
        for team in self._teams(team_id, enterprise_id, org_wide):
            self.forget_token(team)

    def remember_enterprise(self, team_id: str, enterprise_id: str) -> None:
        """A request from a Grid workspace: note its org, so the clock's sends find the
        org-wide installation's token for it."""
        with unit_of_work(self._sessions) as session:
            workspace = ensure_workspace(session, team_id, self._clock.now())
            if workspace.enterprise_id != enterprise_id:
                workspace.enterprise_id = enterprise_id

    def uninstalled(
        self, team_id: str | None, enterprise_id: str | None, *, org_wide: bool = False
    ) -> Stopped:
        """Stop everything for the workspace (or, org-wide, for the org's workspaces that
        have no installation of their own)."""
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            teams = self._stopped_teams(session, team_id, enterprise_id, org_wide)
            self._delete_installations(session, team_id, enterprise_id, org_wide)
            cancelled = 0
            if teams:
                session.execute(
                    update(Workspace)
                    .where(Workspace.slack_team_id.in_(teams), Workspace.uninstalled_at.is_(None))
                    .values(uninstalled_at=now)
                )
                ids = select(Workspace.id).where(Workspace.slack_team_id.in_(teams))
                cancelled = session.execute(
                    update(OutboundMessage)
                    .where(
                        OutboundMessage.workspace_id.in_(ids),
                        OutboundMessage.status == OutboxStatus.PENDING,
                    )
                    .values(status=OutboxStatus.CANCELLED, last_error=UNINSTALLED)
                    .execution_options(synchronize_session=False)
                ).rowcount
        for team in teams:
            self.forget_token(team)
        log.info(
            "uninstalled from %s: %d planned messages cancelled",
            ", ".join(teams) or "no known workspace",
            cancelled,
        )
        return Stopped(tuple(teams), cancelled)

    def _stopped_teams(
        self, session: Session, team_id: str | None, enterprise_id: str | None, org_wide: bool
    ) -> list[str]:
        if not org_wide:
            return [team_id] if team_id else []
        # The org's workspaces, but not one with its own (workspace-level) installation.
        own = select(bots.c.team_id).where(bots.c.team_id.is_not(None))
        return list(
            session.scalars(
                select(Workspace.slack_team_id).where(
                    Workspace.enterprise_id == enterprise_id, Workspace.slack_team_id.not_in(own)
                )
            )
        )

    @staticmethod
    def _delete_installations(
        session: Session, team_id: str | None, enterprise_id: str | None, org_wide: bool
    ) -> None:
        for table in (bots, installations):
            if org_wide:
                which = and_(table.c.enterprise_id == enterprise_id, table.c.team_id.is_(None))
            else:
                which = table.c.team_id == team_id
            session.execute(delete(table).where(which))

    def _teams(self, team_id: str | None, enterprise_id: str | None, org_wide: bool) -> list[str]:
        which = [Workspace.slack_team_id == team_id] if team_id else []
        if org_wide and enterprise_id:
            which.append(Workspace.enterprise_id == enterprise_id)
        if not which:
            return []
        with self._sessions() as session:
            return list(session.scalars(select(Workspace.slack_team_id).where(or_(*which))))

    def uninstalled_at(self, team_id: str) -> datetime | None:
        with self._sessions() as session:
            return session.scalar(
                select(Workspace.uninstalled_at).where(Workspace.slack_team_id == team_id)
            )
