"""Many workspaces: "Add to Slack" end to end, each request with its workspace's token.

The app runs as production runs it with SLACK_CLIENT_ID/SECRET (no bot token), on a
database of its own; the fake Slack plays Slack's install page, its oauth.v2.access
and every installation's tokens, and refuses a token used outside its workspace.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.db import make_engine
from models import Workspace, bots, oauth_states
from tests.conftest import DATABASE_KINDS, _empty_database
from tests.support import RunningApp
from tests.support.oauth import install, oauth_app, start_install
from tests.support.slack_requests import SlackSender, join_values, reply_text


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def oauth_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A database of this module's own: the app acts on every workspace in it."""
    yield from _empty_database(request.param, tmp_path_factory)


@pytest.fixture(scope="module")
def app(oauth_url, fake_slack_server, tmp_path_factory) -> Iterator[RunningApp]:
    log_path = tmp_path_factory.mktemp("oauth") / "app.log"
    with oauth_app(oauth_url, fake_slack_server, log_path) as running:
        yield running


@pytest.fixture(scope="module")
def db(oauth_url):
    engine = make_engine(oauth_url)
    yield engine
    engine.dispose()


def installed_bots(db, team_id: str | None = None, enterprise_id: str | None = None) -> int:
    with db.connect() as conn:
        which = bots.c.team_id == team_id if team_id else bots.c.enterprise_id == enterprise_id
        return conn.scalar(select(func.count()).select_from(bots).where(which))


def test_the_install_page_shows_add_to_slack_with_the_apps_scopes(app, fake_slack):
    _, state, page = start_install(app.base_url)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Add to Slack" in page.text
    assert "client_id=" + fake_slack.client_id in page.text
    assert "chat%3Awrite" in page.text or "chat:write" in page.text
    assert state
    # Bolt ties the state to this browser with a cookie: a link sent elsewhere fails.
    assert state in page.headers.get("Set-Cookie", "")


def test_an_install_stores_the_workspace_and_its_people_can_use_upward(app, fake_slack, db, new_id):
    team = new_id("T")
    done = install(app.base_url, fake_slack, team)
    assert done.status_code == 200, done.text
    assert "Upward is installed" in done.text
    assert "/mentor join" in done.text
    assert "/mentor program" in done.text
    assert installed_bots(db, team) == 1
    token = fake_slack.bot_token_of(team)
    with db.connect() as conn:
        assert (
            conn.scalar(select(Workspace.uninstalled_at).where(Workspace.slack_team_id == team))
            is None
        )
    # A request from the new workspace is authorised with its installation's token.
    user = new_id()
    fake_slack.add_user(user, team_id=team)
    sender = SlackSender(app.base_url, fake_slack, team)
    assert sender.command(user, "join").status_code == 200
    (opened,) = fake_slack.wait_for("views.open")
    assert opened.headers["Authorization"] == f"Bearer {token}"
    assert opened.team_id == team
    assert token not in app.log()  # nothing logs a token


def test_a_forged_or_reused_state_is_refused_and_stores_nothing(app, fake_slack, db, new_id):
    team = new_id("T")
    browser, state, _ = start_install(app.base_url)
    forged = browser.get(
        app.base_url + "/slack/oauth_redirect",
        params={"code": fake_slack.install(team), "state": "not-a-state-we-issued"},
        timeout=10,
    )
    assert forged.status_code in (400, 401)
    assert "expired" in forged.text
    assert "Start the install again" in forged.text
    assert installed_bots(db, team) == 0
    # The real state, once; a second use of it is refused like a forged one.
    first = browser.get(
        app.base_url + "/slack/oauth_redirect",
        params={"code": fake_slack.install(team), "state": state},
        timeout=10,
    )
    assert first.status_code == 200
    again = browser.get(
        app.base_url + "/slack/oauth_redirect",
        params={"code": fake_slack.install(team), "state": state},
        timeout=10,
    )
    assert again.status_code in (400, 401)
    assert installed_bots(db, team) == 1
    with db.connect() as conn:  # the state was used up
        assert (
            conn.scalar(
                select(func.count()).select_from(oauth_states).where(oauth_states.c.state == state)
            )
            == 0
        )


def test_a_cancelled_install_says_so_and_stores_nothing(app, fake_slack, db):
    browser, state, _ = start_install(app.base_url)
    page = browser.get(
        app.base_url + "/slack/oauth_redirect",
        params={"error": "access_denied", "state": state},
        timeout=10,
    )
    assert page.status_code == 200
    assert "Install cancelled" in page.text
    assert "Nothing was stored" in page.text


def test_a_request_from_a_workspace_without_an_installation_is_refused(app, fake_slack, new_id):
    team, user = new_id("T"), new_id()
    fake_slack.add_user(user, team_id=team)
    answer = SlackSender(app.base_url, fake_slack, team).command(user, "join")
    assert answer.status_code == 200
    # Bolt answers through the command's response_url, with our words.
    (said,) = fake_slack.wait_for("response_url")
    assert "not installed in this workspace" in said.args["text"]
    assert reply_text(answer) == ""
    assert fake_slack.calls_to("views.open") == []


def test_an_org_wide_install_serves_every_workspace_of_the_org(app, fake_slack, db, new_id):
    org, first, second = new_id("E"), new_id("T"), new_id("T")
    for team in (first, second):
        fake_slack.add_team(team, enterprise_id=org)
    done = install(app.base_url, fake_slack, None, enterprise_id=org, org_wide=True)
    assert done.status_code == 200, done.text
    assert "every workspace of" in done.text
    assert installed_bots(db, enterprise_id=org) == 1
    org_token = fake_slack.bot_token_of(enterprise_id=org)
    for n, team in enumerate((first, second), start=1):
        user = new_id()
        fake_slack.add_user(user, team_id=team)
        sender = SlackSender(app.base_url, fake_slack, team, enterprise_id=org, org_wide=True)
        assert sender.command(user, "join").status_code == 200
        assert sender.view_submission(user, "upward_join", join_values()).status_code == 200
        # The welcome DM goes out with the org's token, to the person in their workspace.
        welcome = fake_slack.wait_for("chat.postMessage", count=n)[-1]
        assert welcome.headers["Authorization"] == f"Bearer {org_token}"
        assert welcome.enterprise_id == org
        assert fake_slack.conversations_opened[welcome.args["channel"]] == (user,)
    with db.connect() as conn:
        orgs = conn.execute(
            select(Workspace.slack_team_id, Workspace.enterprise_id).where(
                Workspace.slack_team_id.in_([first, second])
            )
        ).all()
    assert sorted(orgs) == sorted([(first, org), (second, org)])
