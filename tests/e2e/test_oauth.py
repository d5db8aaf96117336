"""Many workspaces: "Add to Slack" end to end, each request with its workspace's token.

The app runs as production runs it with SLACK_CLIENT_ID/SECRET (no bot token), on a
database of its own; the fake Slack plays Slack's install page, its oauth.v2.access
and every installation's tokens, and refuses a token used outside its workspace.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db import make_session_factory
from bot.services.outbox.delivery import Outgoing, enqueue
from bot.services.people.workspaces import ensure_workspace
from models import OutboundMessage, Workspace, bots, oauth_states
from tests.support.oauth import install, start_install
from tests.support.polling import wait_until
from tests.support.slack_requests import SlackSender, join_values, reply_text


def installed_bots(oauth_db, team_id: str | None = None, enterprise_id: str | None = None) -> int:
    with oauth_db.connect() as conn:
        which = bots.c.team_id == team_id if team_id else bots.c.enterprise_id == enterprise_id
        return conn.scalar(select(func.count()).select_from(bots).where(which))


def test_the_install_page_shows_add_to_slack_with_the_apps_scopes(oauth_running, fake_slack):
    _, state, page = start_install(oauth_running.base_url)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Add to Slack" in page.text
    assert "client_id=" + fake_slack.client_id in page.text
    assert "chat%3Awrite" in page.text or "chat:write" in page.text
    assert state
    # Bolt ties the state to this browser with a cookie: a link sent elsewhere fails.
    assert state in page.headers.get("Set-Cookie", "")


def test_an_install_stores_the_workspace_and_its_people_can_use_upward(
    oauth_running, fake_slack, oauth_db, new_id
):
    team = new_id("T")
    done = install(oauth_running.base_url, fake_slack, team)
    assert done.status_code == 200, done.text
    assert "Upward is installed" in done.text
    assert "/mentor join" in done.text
    assert "/mentor program" in done.text
    assert installed_bots(oauth_db, team) == 1
    token = fake_slack.bot_token_of(team)
    with oauth_db.connect() as conn:
        assert (
            conn.scalar(select(Workspace.uninstalled_at).where(Workspace.slack_team_id == team))
            is None
        )
    # A request from the new workspace is authorised with its installation's token.
    user = new_id()
    fake_slack.add_user(user, team_id=team)
    sender = SlackSender(oauth_running.base_url, fake_slack, team)
    assert sender.command(user, "join").status_code == 200
    (opened,) = fake_slack.wait_for("views.open")
    assert opened.headers["Authorization"] == f"Bearer {token}"
    assert opened.team_id == team
    assert token not in oauth_running.log()  # nothing logs a token


def test_a_forged_or_reused_state_is_refused_and_stores_nothing(
    oauth_running, fake_slack, oauth_db, new_id
):
    team = new_id("T")
    browser, state, _ = start_install(oauth_running.base_url)
    forged = browser.get(
        oauth_running.base_url + "/slack/oauth_redirect",
        params={"code": fake_slack.install(team), "state": "not-a-state-we-issued"},
        timeout=10,
    )
    assert forged.status_code in (400, 401)
    assert "expired" in forged.text
    assert "Start the install again" in forged.text
    assert installed_bots(oauth_db, team) == 0
    # The real state, once; a second use of it is refused like a forged one.
    first = browser.get(
        oauth_running.base_url + "/slack/oauth_redirect",
        params={"code": fake_slack.install(team), "state": state},
        timeout=10,
    )
    assert first.status_code == 200
    again = browser.get(
        oauth_running.base_url + "/slack/oauth_redirect",
        params={"code": fake_slack.install(team), "state": state},
        timeout=10,
    )
    assert again.status_code in (400, 401)
    assert installed_bots(oauth_db, team) == 1
    with oauth_db.connect() as conn:  # the state was used up
        assert (
            conn.scalar(
                select(func.count()).select_from(oauth_states).where(oauth_states.c.state == state)
            )
            == 0
        )


def test_a_cancelled_install_says_so_and_stores_nothing(oauth_running, fake_slack, oauth_db):
    with oauth_db.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(bots))
    browser, state, _ = start_install(oauth_running.base_url)
    page = browser.get(
        oauth_running.base_url + "/slack/oauth_redirect",
        params={"error": "access_denied", "state": state},
        timeout=10,
    )
    assert page.status_code == 200
    assert "Install cancelled" in page.text
    assert "Nothing was stored" in page.text
    with oauth_db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(bots)) == before


def test_a_request_from_a_workspace_without_an_installation_is_refused(
    oauth_running, fake_slack, new_id
):
    team, user = new_id("T"), new_id()
    fake_slack.add_user(user, team_id=team)
    answer = SlackSender(oauth_running.base_url, fake_slack, team).command(user, "join")
    assert answer.status_code == 200
    # Bolt answers through the command's response_url, with our words.
    (said,) = fake_slack.wait_for("response_url")
    assert "not installed in this workspace" in said.args["text"]
    assert reply_text(answer) == ""
    assert fake_slack.calls_to("views.open") == []


def test_an_org_wide_install_serves_every_workspace_of_the_org(
    oauth_running, fake_slack, oauth_db, new_id
):
    org, first, second = new_id("E"), new_id("T"), new_id("T")
    for team in (first, second):
        fake_slack.add_team(team, enterprise_id=org)
    done = install(oauth_running.base_url, fake_slack, None, enterprise_id=org, org_wide=True)
    assert done.status_code == 200, done.text
    assert "every workspace of" in done.text
    assert installed_bots(oauth_db, enterprise_id=org) == 1
    org_token = fake_slack.bot_token_of(enterprise_id=org)
    for n, team in enumerate((first, second), start=1):
        user = new_id()
        fake_slack.add_user(user, team_id=team)
        sender = SlackSender(
            oauth_running.base_url, fake_slack, team, enterprise_id=org, org_wide=True
        )
        assert sender.command(user, "join").status_code == 200
        assert sender.view_submission(user, "upward_join", join_values()).status_code == 200
        # The welcome DM goes out with the org's token, to the person in their workspace.
        welcome = fake_slack.wait_for("chat.postMessage", count=n)[-1]
        assert welcome.headers["Authorization"] == f"Bearer {org_token}"
        assert welcome.enterprise_id == org
        assert fake_slack.conversations_opened[welcome.args["channel"]] == (user,)
    with oauth_db.connect() as conn:
        orgs = conn.execute(
            select(Workspace.slack_team_id, Workspace.enterprise_id).where(
                Workspace.slack_team_id.in_([first, second])
            )
        ).all()
    assert sorted(orgs) == sorted([(first, org), (second, org)])


# --- uninstalling --------------------------------------------------------------------


def plan_message(oauth_db, team_id: str, new_id) -> str:
    """A message planned for later in the workspace, as the scheduler plans prompts."""
    sessions = make_session_factory(oauth_db)
    key = f"later-{new_id()}"
    with sessions.begin() as s:
        workspace = ensure_workspace(s, team_id, datetime.now(UTC))
        enqueue(
            s,
            workspace.id,
            Outgoing(
                key=key,
                kind="test",
                text="next week",
                due_at=datetime.now(UTC) + timedelta(days=7),
                user_id=new_id(),
            ),
            datetime.now(UTC),
        )
    return key


def outbox_status(oauth_db, key: str) -> tuple[str, str | None]:
    with oauth_db.connect() as conn:
        found = conn.execute(
            select(OutboundMessage.status, OutboundMessage.last_error).where(
                OutboundMessage.key == key
            )
        ).one()
    return found.status, found.last_error


def uninstalled_at(oauth_db, team_id: str):
    with oauth_db.connect() as conn:
        return conn.scalar(
            select(Workspace.uninstalled_at).where(Workspace.slack_team_id == team_id)
        )


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0UPWARDBOT"]}},
    ],
    ids=["app_uninstalled", "tokens_revoked"],
)
def test_an_uninstall_event_stops_that_workspace_and_a_reinstall_brings_it_back(
    oauth_running, fake_slack, oauth_db, new_id, event
):
    gone, other = new_id("T"), new_id("T")
    for team in (gone, other):
        assert install(oauth_running.base_url, fake_slack, team).status_code == 200
    later = {team: plan_message(oauth_db, team, new_id) for team in (gone, other)}
    fake_slack.uninstall(gone)  # Slack revokes the token, then tells the app
    sender = SlackSender(oauth_running.base_url, fake_slack, gone)
    assert sender.event({**event, "event_ts": "1700000000.000100"}).status_code == 200
    # Bolt acks events first and runs their listener after.
    assert wait_until(lambda: installed_bots(oauth_db, gone) == 0, timeout=10)
    assert uninstalled_at(oauth_db, gone) is not None
    assert outbox_status(oauth_db, later[gone]) == ("cancelled", "uninstalled")
    # The other workspace is untouched.
    assert installed_bots(oauth_db, other) == 1
    assert uninstalled_at(oauth_db, other) is None
    assert outbox_status(oauth_db, later[other]) == ("pending", None)
    # A request from the removed workspace is refused as one never installed.
    user = new_id()
    fake_slack.add_user(user, team_id=gone)
    sender.command(user, "join")
    (said,) = fake_slack.wait_for("response_url")
    assert "not installed in this workspace" in said.args["text"]
    # Reinstalled within the grace period: the same workspace, live again, a new token.
    assert install(oauth_running.base_url, fake_slack, gone).status_code == 200
    assert uninstalled_at(oauth_db, gone) is None
    sender.command(user, "join")
    opened = fake_slack.wait_for("views.open")[-1]
    assert opened.headers["Authorization"] == f"Bearer {fake_slack.bot_token_of(gone)}"


def test_revoking_only_user_tokens_changes_nothing(oauth_running, fake_slack, oauth_db, new_id):
    team = new_id("T")
    assert install(oauth_running.base_url, fake_slack, team).status_code == 200
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U0SOMEONE"], "bot": []}}
    sender = SlackSender(oauth_running.base_url, fake_slack, team)
    assert sender.event(event).status_code == 200
    assert wait_until(lambda: "for user tokens only" in oauth_running.log(), timeout=10)
    assert installed_bots(oauth_db, team) == 1
    assert uninstalled_at(oauth_db, team) is None


def test_an_org_wide_uninstall_stops_that_org_and_no_other(
    oauth_running, fake_slack, oauth_db, new_id
):
    orgs = {new_id("E"): new_id("T"), new_id("E"): new_id("T")}
    senders = {}
    for org, team in orgs.items():
        fake_slack.add_team(team, enterprise_id=org)
        assert install(oauth_running.base_url, fake_slack, None, enterprise_id=org, org_wide=True)
        user = new_id()
        fake_slack.add_user(user, team_id=team)
        senders[org] = SlackSender(
            oauth_running.base_url, fake_slack, team, enterprise_id=org, org_wide=True
        )
        assert senders[org].command(user, "join").status_code == 200  # the team is known now
    leaving, staying = list(orgs)
    fake_slack.uninstall(enterprise_id=leaving)
    assert senders[leaving].event({"type": "app_uninstalled"}).status_code == 200
    assert wait_until(lambda: installed_bots(oauth_db, enterprise_id=leaving) == 0, timeout=10)
    assert uninstalled_at(oauth_db, orgs[leaving]) is not None
    assert installed_bots(oauth_db, enterprise_id=staying) == 1
    assert uninstalled_at(oauth_db, orgs[staying]) is None


def test_an_install_code_slack_refuses_is_not_logged(oauth_running, fake_slack, oauth_db):
    browser, state, _ = start_install(oauth_running.base_url)
    code = "1234567890.bogus-code-4c7f9a"
    page = browser.get(
        oauth_running.base_url + "/slack/oauth_redirect",
        params={"code": code, "state": state},
        timeout=10,
    )
    assert page.status_code == 401
    assert "Slack did not confirm the install" in page.text
    log = oauth_running.log()
    assert "bogus-code" not in log
    assert state not in log
    assert fake_slack.client_secret not in log


def test_with_one_token_an_uninstall_event_is_acked_and_changes_nothing(
    slack, running_app, sessions, new_id
):
    """SLACK_BOT_TOKEN: the token is the operator's; the event is logged for them."""
    user = new_id()
    slack.fake.add_user(user)
    slack.view_submission(user, "upward_join", join_values())
    slack.fake.wait_for("chat.postMessage")
    assert slack.event({"type": "app_uninstalled"}).status_code == 200
    assert wait_until(lambda: "Slack says app_uninstalled" in running_app.log(), timeout=10)
    with sessions() as s:
        workspace = s.scalars(
            select(Workspace).where(Workspace.slack_team_id == slack.team_id)
        ).one()
        assert workspace.uninstalled_at is None
