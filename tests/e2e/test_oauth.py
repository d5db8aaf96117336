"""Many workspaces: "Add to Slack" end to end, each request with its workspace's token.

The app runs as production runs it with SLACK_CLIENT_ID/SECRET (no bot token), on a
database of its own; the fake Slack plays Slack's install page, its oauth.v2.access
and every installation's tokens, and refuses a token used outside its workspace.
"""

from __future__ import annotations

from sqlalchemy import func, select

from models import Workspace, bots, oauth_states
from tests.support.oauth import install, start_install
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


def test_a_cancelled_install_says_so_and_stores_nothing(oauth_running, fake_slack):
    browser, state, _ = start_install(oauth_running.base_url)
    page = browser.get(
        oauth_running.base_url + "/slack/oauth_redirect",
        params={"error": "access_denied", "state": state},
        timeout=10,
    )
    assert page.status_code == 200
    assert "Install cancelled" in page.text
    assert "Nothing was stored" in page.text


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
