"""A workspace's installation: installed (or again), uninstalled, its token refused.

Bolt's OAuth flow stores an installation in slack_sdk's tables; this service keeps the
``workspace`` row in step with it. Uninstalling (the ``app_uninstalled`` or
``tokens_revoked`` event) stops the workspace at once: its installation rows go, its
planned messages are cancelled in the same transaction, its cached token is forgotten,
and the outbox cancels anything a sender claimed already. Its data stays for the grace
period (DELETE_AFTER_UNINSTALL_DAYS), so a reinstall keeps it; then it is deleted.

Only many-workspace deployments (SLACK_CLIENT_ID) use this: with one SLACK_BOT_TOKEN the
operator manages the token, and nothing here runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, and_, delete, or_, select, update
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
    def __init__(self, sessions: sessionmaker[Session], clock: Clock, client_id: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._client_id = client_id
        # Set by the composition root: the token cache lives with the gateways.
        self.forget_token: Callable[[str], None] = lambda team_id: None

    def installed(self, team_id: str | None, enterprise_id: str | None, *, org_wide: bool) -> None:
        """A (re)install: the workspace is live again. An org-wide install serves every
        workspace of the org already known; the others get their row on first use."""
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            if team_id and not org_wide:
                workspace = ensure_workspace(session, team_id, now)
                workspace.enterprise_id = enterprise_id or workspace.enterprise_id
                workspace.uninstalled_at = None
            if org_wide and enterprise_id:
                session.execute(
                    update(Workspace)
                    .where(Workspace.enterprise_id == enterprise_id)
                    .values(uninstalled_at=None)
                )
            teams = self._known_teams(session, team_id, enterprise_id, org_wide)
        for team in teams:
            self.forget_token(team)

    def remember_enterprise(self, team_id: str, enterprise_id: str) -> None:
        """A request from a workspace of a Grid org with an org-wide installation: note
        the org once, so the clock's sends find that installation's token for it. A
        known org is never overwritten from a request."""
        with unit_of_work(self._sessions) as session:
            workspace = ensure_workspace(session, team_id, self._clock.now())
            if workspace.enterprise_id is None:
                workspace.enterprise_id = enterprise_id

    def uninstalled(
        self, team_id: str | None, enterprise_id: str | None, *, org_wide: bool
    ) -> Stopped:
        """Slack says the app was removed: from a workspace, or (org_wide) from a Grid
        org, whose workspaces without an installation of their own stop with it."""
        if (org_wide and not enterprise_id) or (not org_wide and not team_id):
            log.warning("an uninstall without its %s was ignored", "org" if org_wide else "team")
            return Stopped((), 0)
        with unit_of_work(self._sessions) as session:
            if org_wide:
                self._delete_installations(
                    session,
                    lambda t: and_(t.c.enterprise_id == enterprise_id, t.c.team_id.is_(None)),
                )
            else:
                self._delete_installations(session, lambda t: t.c.team_id == team_id)
            teams = self._teams_left_without_a_token(session, team_id, enterprise_id, org_wide)
            cancelled = self._stop(session, teams)
        for team in self._known_teams_of(team_id, enterprise_id, org_wide):
            self.forget_token(team)
        log.info(
            "uninstalled from %s: %d planned messages cancelled",
            ", ".join(teams) or "no workspace Upward knows",
            cancelled,
        )
        return Stopped(tuple(teams), cancelled)

    def token_refused(self, team_id: str, token: str) -> Stopped:
        """Slack refused a token (revoked, uninstalled): that token's installation is
        gone. Only rows holding this very token go, so a reinstall that happened since
        (another replica may still have had the old token cached) is kept; the
        workspace stops only if it has no working installation left."""
        with unit_of_work(self._sessions) as session:
            self._delete_installations(session, lambda t: t.c.bot_token == token)
            teams = self._teams_left_without_a_token(session, team_id, None, org_wide=False)
            cancelled = self._stop(session, teams)
        self.forget_token(team_id)
        return Stopped(tuple(teams), cancelled)

    # --- helpers ---------------------------------------------------------------------

    def _delete_installations(
        self, session: Session, which: Callable[[Table], ColumnElement[bool]]
    ) -> None:
        """Bolt keeps each installation in two tables with the same columns."""
        for table in (bots, installations):
            session.execute(delete(table).where(table.c.client_id == self._client_id, which(table)))

    def _teams_left_without_a_token(
        self, session: Session, team_id: str | None, enterprise_id: str | None, org_wide: bool
    ) -> list[str]:
        """The workspaces this uninstall leaves with no installation at all: no bot row of
        their own, and none of their org's org-wide one."""
        candidates = select(Workspace.slack_team_id, Workspace.enterprise_id)
        if org_wide:
            candidates = candidates.where(Workspace.enterprise_id == enterprise_id)
        else:
            candidates = candidates.where(Workspace.slack_team_id == team_id)
        left = []
        for team, org in session.execute(candidates).all():
            own = bots.c.team_id == team
            via_org = and_(
                bots.c.is_enterprise_install.is_(True),
                bots.c.team_id.is_(None),
                bots.c.enterprise_id == org,
            )
            still = session.scalar(
                select(bots.c.id)
                .where(bots.c.client_id == self._client_id, or_(own, via_org) if org else own)
                .limit(1)
            )
            if still is None:
                left.append(team)
        return left

    def _stop(self, session: Session, teams: list[str]) -> int:
        if not teams:
            return 0
        session.execute(
            update(Workspace)
            .where(Workspace.slack_team_id.in_(teams), Workspace.uninstalled_at.is_(None))
            .values(uninstalled_at=self._clock.now())
        )
        ids = select(Workspace.id).where(Workspace.slack_team_id.in_(teams))
        return session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.workspace_id.in_(ids),
                OutboundMessage.status == OutboxStatus.PENDING,
            )
            .values(status=OutboxStatus.CANCELLED, last_error=UNINSTALLED)
            .execution_options(synchronize_session=False)
        ).rowcount

    @staticmethod
    def _known_teams(
        session: Session, team_id: str | None, enterprise_id: str | None, org_wide: bool
    ) -> list[str]:
        which = [Workspace.slack_team_id == team_id] if team_id else []
        if org_wide and enterprise_id:
            which.append(Workspace.enterprise_id == enterprise_id)
        if not which:
            return []
        return list(session.scalars(select(Workspace.slack_team_id).where(or_(*which))))

    def _known_teams_of(
        self, team_id: str | None, enterprise_id: str | None, org_wide: bool
    ) -> list[str]:
        with self._sessions() as session:
            return self._known_teams(session, team_id, enterprise_id, org_wide)
