"""The way out to Slack for each workspace: its bot token, its rate limits, its gateway.

Slack's limits are per workspace per app, and so is everything here: each team gets
its own :class:`SlackGateway` (token, 429 pauses, users.info cache), so a busy or
rate-limited workspace never slows another.

Two kinds of deployment pick the token differently:

- :class:`OneToken`: ``SLACK_BOT_TOKEN``, one workspace, as before OAuth;
- :class:`InstalledTokens`: ``SLACK_CLIENT_ID``/``SECRET``, many workspaces installed
  with "Add to Slack"; each token is read from slack_sdk's installation tables (kept by
  Bolt's OAuth flow), cached a minute, and forgotten at once on uninstall. A token Slack
  refuses (revoked, uninstalled) raises :class:`WorkspaceGoneError` and is reported to
  ``on_gone`` (team, token), which removes that installation.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.errors import SlackError, WorkspaceGoneError
from bot.slack.gateway import SlackGateway
from bot.slack.rate_limits import RateLimits
from models import Workspace, bots

log = logging.getLogger(__name__)

TOKEN_CACHE_SECONDS = 60.0  # an uninstall forgets at once; this is for other replicas
NOT_INSTALLED = "not_installed"  # ours, not Slack's: no installation for this team


class TokenSource(Protocol):
    many: bool

    def bot_token(self, team_id: str) -> str:
        """The team's bot token; WorkspaceGoneError if it has none."""
        ...

    def forget(self, team_id: str) -> None: ...


class OneToken:
    """SLACK_BOT_TOKEN: the one workspace's token, whatever team a request names (a
    token only ever works in its own workspace, so Slack itself keeps teams apart)."""

    many = False

    def __init__(self, token: str) -> None:
        self._token = token

    def bot_token(self, team_id: str) -> str:
        return self._token

    def forget(self, team_id: str) -> None:
        return None


class InstalledTokens:
    """Tokens of OAuth installations: a workspace's own install, or its Enterprise Grid
    org's org-wide install."""

    many = True

    def __init__(
        self,
        sessions: sessionmaker[Session],
        client_id: str,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._client_id = client_id
        self._monotonic = monotonic
        self._cache: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def bot_token(self, team_id: str) -> str:
        now = self._monotonic()
        with self._lock:
            hit = self._cache.get(team_id)
        if hit is not None and now - hit[0] < TOKEN_CACHE_SECONDS:
            return hit[1]
        token = self._look_up(team_id)
        if token is None:
            raise WorkspaceGoneError("installation", NOT_INSTALLED, team_id)
        with self._lock:
            self._cache[team_id] = (now, token)
        return token

    def forget(self, team_id: str) -> None:
        with self._lock:
            self._cache.pop(team_id, None)

    def _look_up(self, team_id: str) -> str | None:
        """The newest bot token: the team's own installation before its org's."""
        with self._sessions() as session:
            known = session.execute(
                select(Workspace.enterprise_id, Workspace.uninstalled_at).where(
                    Workspace.slack_team_id == team_id
                )
            ).one_or_none()
            enterprise, gone = known if known is not None else (None, None)
            # An uninstalled workspace has no token, even if a row was left behind.
            if gone is not None:
                return None
            own = bots.c.team_id == team_id
            org = and_(bots.c.is_enterprise_install.is_(True), bots.c.enterprise_id == enterprise)
            row = session.execute(
                select(bots.c.bot_token)
                .where(
                    bots.c.client_id == self._client_id,
                    bots.c.bot_token.is_not(None),
                    or_(own, org) if enterprise else own,
                )
                .order_by(bots.c.team_id.is_(None), bots.c.installed_at.desc(), bots.c.id.desc())
                .limit(1)
            ).first()
        return None if row is None else str(row[0])


class SlackWorkspaces:
    """A gateway per workspace (see the module docstring)."""

    def __init__(
        self,
        api_url: str,
        tokens: TokenSource,
        *,
        limits_for: Callable[[str], RateLimits] = lambda team_id: RateLimits(),
        on_rate_limited: Callable[[str, float], None] | None = None,
        on_gone: Callable[[str, str], None] | None = None,
    ) -> None:
        self._api_url = api_url
        self._tokens = tokens
        self._limits_for = limits_for
        self._on_rate_limited = on_rate_limited
        self._on_gone = on_gone
        self._gateways: dict[str, SlackGateway] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, gateway: SlackGateway) -> SlackWorkspaces:
        """One workspace served by ``gateway`` (tests, benchmarks, the one-token CLI)."""
        workspaces = cls("", OneToken(gateway.token))
        workspaces._gateways[""] = gateway
        return workspaces

    @property
    def many(self) -> bool:
        return self._tokens.many

    def for_team(self, team_id: str) -> SlackGateway:
        """The team's gateway; WorkspaceGoneError if the team has no installation."""
        key = team_id if self.many else ""  # one token: one gateway, one set of limits
        token = self._tokens.bot_token(team_id)
        with self._lock:
            gateway = self._gateways.get(key)
            if gateway is None or gateway.token != token:
                gateway = self._gateways[key] = self._build(key, token)
        return gateway

    def forget(self, team_id: str) -> None:
        """Drop the team's token and gateway: its next call looks the installation up."""
        self._tokens.forget(team_id)
        with self._lock:
            self._gateways.pop(team_id, None)

    def _build(self, team_id: str, token: str) -> SlackGateway:
        on_dead = None
        if self.many:

            def on_dead(error: SlackError) -> None:
                log.warning("workspace %s: Slack refused its token (%s)", team_id, error.code)
                self.forget(team_id)
                if self._on_gone is not None:
                    self._on_gone(team_id, token)

        return SlackGateway(
            token,
            self._api_url,
            self._limits_for(team_id),
            on_rate_limited=self._on_rate_limited,
            on_token_dead=on_dead,
        )
