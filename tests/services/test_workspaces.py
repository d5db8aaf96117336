"""Many workspaces: each one's token, its own stop on uninstall, and nothing crossing.

The installation rows are written by slack_sdk's own store (as Bolt's OAuth flow does),
and the outbox sends through the production classes to the fake Slack.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import func, select

from bot.config import Settings
from bot.container import Services, build_services
from bot.services.outbox.delivery import Outgoing, enqueue
from bot.services.people.workspaces import ensure_workspace
from bot.slack.errors import WorkspaceGoneError
from bot.slack.oauth import installation_store
from bot.slack.workspaces import InstalledTokens
from models import OutboundMessage, OutboxStatus, Workspace, bots
from tests.support import BOT_TOKEN, FixedClock
from tests.support.oauth import oauth_settings

CLIENT_ID = "1111111111.2222222222"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def install(
    engine,
    *,
    team_id: str | None,
    token: str,
    enterprise_id: str | None = None,
    org_wide: bool = False,
    at: datetime = NOW,
) -> None:
    installation_store(engine, CLIENT_ID).save(
        Installation(
            app_id="A0UPWARD01",
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=token,
            bot_id="B0UPWARD01",
            bot_user_id="U0UPWARDBOT",
            bot_scopes="chat:write",
            user_id="U0INSTALLER",
            is_enterprise_install=org_wide,
            installed_at=at.timestamp(),
        )
    )


def settings(fake_slack, url: str) -> Settings:
    return oauth_settings(fake_slack, url)


@pytest.fixture
def services(own_sessions, own_url, fake_slack) -> Iterator[Services]:
    """The many-workspace graph on the test's database (built before any install: it
    reads installations when it needs a token, as a running deployment does)."""
    built = build_services(settings(fake_slack, own_url), FixedClock(NOW), own_sessions)
    yield built
    built.close()


@pytest.fixture
def tokens(own_sessions) -> InstalledTokens:
    return InstalledTokens(own_sessions, CLIENT_ID)


def workspace(own_sessions, team_id: str, enterprise_id: str | None = None) -> int:
    with own_sessions.begin() as s:
        row = ensure_workspace(s, team_id, NOW)
        row.enterprise_id = enterprise_id
        s.flush()
        return row.id


def test_each_workspace_gets_its_own_installations_token(own_sessions, tokens, new_id):
    engine = own_sessions.kw["bind"]
    a, b = new_id("T"), new_id("T")
    install(engine, team_id=a, token="xoxb-a")
    install(engine, team_id=b, token="xoxb-b-old", at=NOW - timedelta(days=3))
    install(engine, team_id=b, token="xoxb-b", at=NOW)  # a reinstall: the newest wins
    assert tokens.bot_token(a) == "xoxb-a"
    assert tokens.bot_token(b) == "xoxb-b"
    with pytest.raises(WorkspaceGoneError):
        tokens.bot_token(new_id("T"))  # never installed: refused, never another's token


def test_a_grid_workspace_uses_its_own_install_before_its_orgs(own_sessions, tokens, new_id):
    engine = own_sessions.kw["bind"]
    org, own, served = new_id("E"), new_id("T"), new_id("T")
    install(engine, team_id=None, enterprise_id=org, org_wide=True, token="xoxb-org")
    install(engine, team_id=own, enterprise_id=org, token="xoxb-own")
    workspace(own_sessions, own, org)
    workspace(own_sessions, served, org)
    assert tokens.bot_token(own) == "xoxb-own"
    assert tokens.bot_token(served) == "xoxb-org"
    # A workspace outside the org never gets the org's token.
    workspace(own_sessions, outsider := new_id("T"), new_id("E"))
    with pytest.raises(WorkspaceGoneError):
        tokens.bot_token(outsider)


def plan(own_sessions, workspace_id: int, channel: str, key: str) -> None:
    with own_sessions.begin() as s:
        enqueue(
            s,
            workspace_id,
            Outgoing(key=key, kind="test", text=f"hello {key}", due_at=NOW, channel_id=channel),
            NOW,
        )


def status(own_sessions, key: str) -> tuple[str, str | None]:
    with own_sessions() as s:
        found = s.execute(
            select(OutboundMessage.status, OutboundMessage.last_error).where(
                OutboundMessage.key == key
            )
        ).one()
        return found.status, found.last_error


def test_a_revoked_token_stops_its_workspace_and_not_the_others(
    own_sessions, fake_slack, new_id, services
):
    """B's token is refused (invalid_auth): B's messages are cancelled, B is marked
    uninstalled and its token forgotten; A's go out with A's token."""
    engine = own_sessions.kw["bind"]
    a, b = new_id("T"), new_id("T")
    install(engine, team_id=a, token=BOT_TOKEN)  # the fake knows this one
    install(engine, team_id=b, token="xoxb-revoked-by-slack")
    users = [new_id(), new_id()]
    for user in users:
        fake_slack.add_user(user)
    channel = services.slack.for_team(a).open_conversation(users)
    ws_a, ws_b = workspace(own_sessions, a), workspace(own_sessions, b)
    keys_a = [f"a-{new_id()}" for _ in range(3)]
    keys_b = [f"b-{new_id()}" for _ in range(3)]
    for key_a, key_b in zip(keys_a, keys_b, strict=True):
        plan(own_sessions, ws_a, channel, key_a)
        plan(own_sessions, ws_b, "C0BSCHANNEL", key_b)
    report = services.due.delivery.deliver_due(NOW)
    assert report.sent == 3
    assert [status(own_sessions, k)[0] for k in keys_a] == [OutboxStatus.SENT] * 3
    assert {status(own_sessions, k)[0] for k in keys_b} == {OutboxStatus.CANCELLED}
    # Slack accepted A's three, in A's channel, and nothing of B's anywhere.
    accepted = [
        m["metadata"]["event_payload"]["key"]
        for messages in fake_slack.all_messages().values()
        for m in messages
        if m.get("metadata", {}).get("event_type") == "upward_outbox"
    ]
    assert sorted(k for k in accepted if k in keys_a + keys_b) == sorted(keys_a)
    with own_sessions() as s:
        stopped = s.scalar(select(Workspace.uninstalled_at).where(Workspace.id == ws_b))
        assert stopped is not None
        assert s.scalar(select(Workspace.uninstalled_at).where(Workspace.id == ws_a)) is None
        assert s.scalar(select(func.count()).where(bots.c.team_id == b)) == 0
    with pytest.raises(WorkspaceGoneError):
        services.slack.for_team(b)


def test_uninstalling_cancels_what_was_planned_and_a_reinstall_starts_again(
    own_sessions, fake_slack, new_id, services
):
    engine = own_sessions.kw["bind"]
    a, b = new_id("T"), new_id("T")
    install(engine, team_id=a, token=BOT_TOKEN)
    install(engine, team_id=b, token=BOT_TOKEN + "-b")
    ws_a, ws_b = workspace(own_sessions, a), workspace(own_sessions, b)
    key_a, key_b = f"a-{new_id()}", f"b-{new_id()}"
    plan(own_sessions, ws_a, "C0ACHANNEL", key_a)
    plan(own_sessions, ws_b, "C0BCHANNEL", key_b)
    stopped = services.installs.uninstalled(b, None, org_wide=False)
    assert stopped.team_ids == (b,)
    assert stopped.cancelled == 1
    assert status(own_sessions, key_b) == (OutboxStatus.CANCELLED, "uninstalled")
    assert status(own_sessions, key_a)[0] == OutboxStatus.PENDING
    with pytest.raises(WorkspaceGoneError):
        services.slack.for_team(b)
    # Reinstalled within the grace period: the same workspace row, live again.
    install(engine, team_id=b, token="xoxb-new-b")
    services.installs.installed(b, None, org_wide=False)
    with own_sessions() as s:
        assert s.scalar(select(Workspace.uninstalled_at).where(Workspace.id == ws_b)) is None
    assert services.slack.for_team(b).token == "xoxb-new-b"


def test_an_org_wide_uninstall_stops_the_orgs_workspaces_but_not_one_installed_itself(
    own_sessions, fake_slack, new_id, services
):
    engine = own_sessions.kw["bind"]
    org, served, own = new_id("E"), new_id("T"), new_id("T")
    install(engine, team_id=None, enterprise_id=org, org_wide=True, token="xoxb-org")
    install(engine, team_id=own, enterprise_id=org, token="xoxb-own")
    workspace(own_sessions, served, org)
    workspace(own_sessions, own, org)
    stopped = services.installs.uninstalled(None, org, org_wide=True)
    assert stopped.team_ids == (served,)
    with pytest.raises(WorkspaceGoneError):
        services.slack.for_team(served)
    assert services.slack.for_team(own).token == "xoxb-own"


def test_a_rate_limited_workspace_never_slows_another(own_sessions, fake_slack, new_id, services):
    """Slack's limits are per workspace: A's 429 pause holds A's messages back; B's go
    out at once, on B's own pace."""
    engine = own_sessions.kw["bind"]
    a, b = new_id("T"), new_id("T")
    install(engine, team_id=a, token=BOT_TOKEN)
    install(engine, team_id=b, token="xoxb-b-token")
    fake_slack.add_team(b)
    ws_a, ws_b = workspace(own_sessions, a), workspace(own_sessions, b)
    code = fake_slack.install(b)  # the fake learns B's installation and token
    token_b = fake_slack.bot_token_of(b)
    assert code
    with own_sessions.begin() as s:
        s.execute(bots.update().where(bots.c.team_id == b).values(bot_token=token_b))
    services.slack.forget(b)
    users_b = [new_id(), new_id()]
    for user in users_b:
        fake_slack.add_user(user, team_id=b)
    channel_b = services.slack.for_team(b).open_conversation(users_b)
    # A was told to wait a minute on chat.postMessage.
    services.slack.for_team(a).limits.pause("chat.postMessage", 60)
    keys_a = [f"a-{new_id()}" for _ in range(3)]
    keys_b = [f"b-{new_id()}" for _ in range(3)]
    for key in keys_a:
        plan(own_sessions, ws_a, "C0ACHANNEL", key)
    for key in keys_b:
        plan(own_sessions, ws_b, channel_b, key)
    report = services.due.delivery.deliver_due(NOW)
    assert [status(own_sessions, k)[0] for k in keys_b] == [OutboxStatus.SENT] * 3
    assert {status(own_sessions, k)[0] for k in keys_a} == {OutboxStatus.PENDING}
    assert report.sent == 3
    assert services.slack.for_team(b).limits.remaining("chat.postMessage") == 0


def test_a_refused_old_token_never_undoes_a_reinstall(own_sessions, fake_slack, new_id, services):
    """Another replica still had the old token cached when the workspace reinstalled:
    Slack refuses it, and only that token's installation goes; the new one stays live."""
    engine = own_sessions.kw["bind"]
    team = new_id("T")
    install(engine, team_id=team, token="xoxb-old", at=NOW - timedelta(hours=1))
    install(engine, team_id=team, token="xoxb-new", at=NOW)
    ws = workspace(own_sessions, team)
    stopped = services.installs.token_refused(team, "xoxb-old")
    assert stopped.team_ids == ()
    with own_sessions() as s:
        assert s.scalar(select(Workspace.uninstalled_at).where(Workspace.id == ws)) is None
        tokens = s.scalars(select(bots.c.bot_token).where(bots.c.team_id == team)).all()
    assert tokens == ["xoxb-new"]
    assert services.slack.for_team(team).token == "xoxb-new"
    # The new token refused too: now nothing is left, and the workspace stops.
    assert services.installs.token_refused(team, "xoxb-new").team_ids == (team,)
    with pytest.raises(WorkspaceGoneError):
        services.slack.for_team(team)


def test_an_uninstall_without_its_team_or_org_touches_nothing(
    own_sessions, fake_slack, new_id, services
):
    """An org-wide event must name its org, a workspace's its team: never a wildcard."""
    engine = own_sessions.kw["bind"]
    org, team = new_id("E"), new_id("T")
    install(engine, team_id=None, enterprise_id=org, org_wide=True, token="xoxb-org")
    install(engine, team_id=team, token="xoxb-team")
    assert services.installs.uninstalled(None, None, org_wide=True).team_ids == ()
    assert services.installs.uninstalled(None, org, org_wide=False).team_ids == ()
    with own_sessions() as s:
        left = set(s.scalars(select(bots.c.bot_token)))
    assert {"xoxb-org", "xoxb-team"} <= left
