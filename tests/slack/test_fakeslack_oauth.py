"""The fake Slack with many installations: OAuth, uninstalls, and workspaces kept apart.

Driven by slack_sdk's WebClient as the app's OAuth flow and its per-workspace clients use it.
"""

import json
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from bot.sandbox.fakeslack import FakeSlack, server
from bot.sandbox.fakeslack.server import BOT_SCOPES

ALICE = "U0ALICE01"  # in the first workspace (the constructor's)
BRUNO = "U0BRUNO01"  # in Beta
ORG_A, ORG_B, OUTSIDER = "W0ORGA001", "W0ORGB001", "U0OUTSIDE"
BETA, GRID_A, GRID_B, ELSEWHERE = "T0BETA001", "T0GRIDA01", "T0GRIDB01", "T0ELSE001"
GRID = "E0GRID001"
MANIFEST = Path(__file__).parents[2] / "manifest.json"


@pytest.fixture
def fake():
    with FakeSlack() as slack:
        slack.add_user(ALICE, email="alice@example.com")
        slack.add_user(BRUNO, team_id=BETA, email="bruno@example.com")
        slack.add_team(GRID_A, enterprise_id=GRID, name="Grid A")
        slack.add_team(GRID_B, enterprise_id=GRID, name="Grid B")
        slack.add_user(ORG_A, team_id=GRID_A)
        slack.add_user(ORG_B, team_id=GRID_B)
        slack.add_user(OUTSIDER, team_id=ELSEWHERE)
        yield slack


@pytest.fixture
def oauth(fake):
    """The client an app's OAuth redirect handler uses: no token, the app's credentials."""
    return WebClient(base_url=fake.url)


def exchange(fake, oauth, code, **extra):
    return oauth.oauth_v2_access(
        client_id=fake.client_id, client_secret=fake.client_secret, code=code, **extra
    )


def install(fake, oauth, team_id, **kwargs):
    """Install and exchange the code: the new installation's bot client."""
    answer = exchange(fake, oauth, fake.install(team_id, **kwargs))
    return WebClient(token=answer["access_token"], base_url=fake.url)


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(SlackApiError) as raised:
        call(*args, **kwargs)
    return raised.value.response["error"]


def home():
    return View(type="home", blocks=[SectionBlock(text="Hello")])


def modal():
    return View(type="modal", title="Check-in", blocks=[SectionBlock(text="How did it go?")])


# -- the OAuth exchange


def test_bot_scopes_are_the_manifests():
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))

    assert list(BOT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]


def test_install_then_exchange_the_code_for_a_working_bot_token(fake, oauth):
    code = fake.install(BETA, team_name="Beta Co", user_id=BRUNO)

    answer = exchange(fake, oauth, code)

    assert answer["ok"]
    assert answer["app_id"] == fake.app_id
    assert answer["token_type"] == "bot"
    assert answer["access_token"].startswith("xoxb-")
    assert answer["access_token"] != fake.token
    assert answer["scope"] == ",".join(BOT_SCOPES)
    assert answer["authed_user"] == {"id": BRUNO}
    assert answer["team"] == {"id": BETA, "name": "Beta Co"}
    assert answer["enterprise"] is None
    assert answer["is_enterprise_install"] is False
    assert fake.bot_token_of(BETA) == answer["access_token"]
    # slack_sdk sent the credentials with HTTP Basic auth, and no token.
    call = fake.calls_to("oauth.v2.access")[0]
    assert call.headers["Authorization"].startswith("Basic ")
    assert (call.team_id, call.enterprise_id) == (None, None)

    who = WebClient(token=answer["access_token"], base_url=fake.url).auth_test()
    assert who["team_id"] == BETA
    assert who["team"] == "Beta Co"
    assert who["url"] == "https://beta-co.slack.com/"
    assert who["user_id"] == answer["bot_user_id"]
    assert who["user_id"] != fake.bot_user_id
    assert who["bot_id"] != fake.bot_id
    assert who["is_enterprise_install"] is False
    assert "enterprise_id" not in who


def test_credentials_may_come_as_form_fields(fake, oauth):
    code = fake.install(BETA)

    answer = oauth.api_call(
        "oauth.v2.access",
        data={"client_id": fake.client_id, "client_secret": fake.client_secret, "code": code},
    )

    assert answer["team"]["id"] == BETA
    assert "Authorization" not in fake.calls_to("oauth.v2.access")[0].headers


def test_a_code_is_single_use(fake, oauth):
    code = fake.install(BETA)
    exchange(fake, oauth, code)

    assert error_of(exchange, fake, oauth, code) == "invalid_code"
    assert error_of(exchange, fake, oauth, "123.456.not-a-code") == "invalid_code"


def test_wrong_client_credentials_are_refused_and_spend_no_code(fake, oauth):
    code = fake.install(BETA)

    bad_secret = error_of(
        oauth.oauth_v2_access, client_id=fake.client_id, client_secret="guess", code=code
    )
    bad_id = error_of(
        oauth.oauth_v2_access, client_id="999.999", client_secret=fake.client_secret, code=code
    )

    assert bad_secret == "bad_client_secret"
    assert bad_id == "invalid_client_id"
    assert exchange(fake, oauth, code)["team"]["id"] == BETA


def test_the_redirect_uri_must_match_the_install_pages(fake, oauth):
    code = fake.install(BETA, redirect_uri="https://upward.example/slack/oauth_redirect")

    wrong = error_of(exchange, fake, oauth, code, redirect_uri="https://evil.example/")
    right = exchange(fake, oauth, code, redirect_uri="https://upward.example/slack/oauth_redirect")

    assert wrong == "bad_redirect_uri"
    assert right["team"]["id"] == BETA


def test_a_code_expires(fake, oauth, monkeypatch):
    monkeypatch.setattr(server, "CODE_TTL", 0.0)

    assert error_of(exchange, fake, oauth, fake.install(BETA)) == "invalid_code"


def test_reinstalling_keeps_a_live_token(fake, oauth):
    first = exchange(fake, oauth, fake.install(BETA))["access_token"]
    again = exchange(fake, oauth, fake.install(BETA))["access_token"]

    assert again == first


# -- tokens


def test_unknown_and_app_level_tokens(fake):
    unknown = WebClient(token="xoxb-1-2-nobody", base_url=fake.url)
    app_level = WebClient(token=fake.app_token, base_url=fake.url)

    assert error_of(unknown.users_info, user=ALICE) == "invalid_auth"
    assert error_of(app_level.users_info, user=ALICE) == "not_allowed_token_type"
    assert fake.calls_to("users.info")[0].team_id is None


def test_calls_record_the_workspace_of_their_token(fake, oauth):
    first = WebClient(token=fake.token, base_url=fake.url)
    beta = install(fake, oauth, BETA)

    first.users_info(user=ALICE)
    beta.users_info(user=BRUNO)

    calls = fake.calls_to("users.info")
    assert [(c.args["user"], c.team_id, c.enterprise_id) for c in calls] == [
        (ALICE, fake.team_id, None),
        (BRUNO, BETA, None),
    ]


# -- workspaces kept apart


def test_a_workspace_bot_sees_only_its_own_people(fake, oauth):
    first = WebClient(token=fake.token, base_url=fake.url)
    beta = install(fake, oauth, BETA)

    assert beta.users_info(user=BRUNO)["user"]["team_id"] == BETA
    assert error_of(beta.users_info, user=ALICE) == "user_not_found"
    assert error_of(first.users_info, user=BRUNO) == "user_not_found"
    assert error_of(beta.users_lookupByEmail, email="alice@example.com") == "users_not_found"
    assert error_of(beta.conversations_open, users=ALICE) == "user_not_found"
    assert error_of(beta.conversations_open, users=[BRUNO, ALICE]) == "user_not_found"
    assert error_of(beta.views_publish, user_id=ALICE, view=home()) == "invalid_arguments"
    assert error_of(beta.chat_postMessage, channel=ALICE, text="hi") == "channel_not_found"
    assert error_of(beta.chat_postEphemeral, channel=BETA, user=ALICE, text="hi") == (
        "user_not_in_channel"
    )
    assert beta.views_publish(user_id=BRUNO, view=home())["view"]["team_id"] == BETA
    trigger = fake.new_trigger_id(ALICE)
    assert error_of(beta.views_open, trigger_id=trigger, view=modal()) == "invalid_trigger_id"
    assert first.views_open(trigger_id=trigger, view=modal())["ok"]


def test_a_workspace_bot_cannot_use_another_workspaces_conversations(fake, oauth):
    first = WebClient(token=fake.token, base_url=fake.url)
    beta = install(fake, oauth, BETA)
    dm = first.conversations_open(users=ALICE)["channel"]["id"]
    ts = first.chat_postMessage(channel=dm, text="welcome")["ts"]

    assert error_of(beta.chat_postMessage, channel=dm, text="hi") == "channel_not_found"
    assert error_of(beta.chat_update, channel=dm, ts=ts, text="edited") == "channel_not_found"
    assert error_of(beta.conversations_history, channel=dm) == "channel_not_found"
    assert error_of(beta.conversations_replies, channel=dm, ts=ts) == "channel_not_found"
    assert error_of(beta.conversations_open, channel=dm) == "channel_not_found"
    assert [m["text"] for m in fake.messages(dm)] == ["welcome"]

    # And the other way round: Beta's DM, opened and posted by Beta's bot, is Beta's.
    beta_dm = beta.conversations_open(users=BRUNO)["channel"]["id"]
    posted = beta.chat_postMessage(channel=beta_dm, text="bonjour")["message"]
    assert posted["team"] == BETA
    assert posted["user"] == beta.auth_test()["user_id"]
    assert error_of(first.conversations_history, channel=beta_dm) == "channel_not_found"
    assert error_of(first.chat_postMessage, channel=beta_dm, text="hi") == "channel_not_found"
    assert [m["text"] for m in beta.conversations_history(channel=beta_dm)["messages"]] == [
        "bonjour"
    ]


def test_a_channel_the_fake_never_saw_becomes_the_first_posters(fake, oauth):
    first = WebClient(token=fake.token, base_url=fake.url)
    beta = install(fake, oauth, BETA)

    beta.chat_postMessage(channel="C0BETAGEN", text="hello beta")

    assert error_of(first.chat_postMessage, channel="C0BETAGEN", text="hi") == "channel_not_found"
    fake.add_channel("C0BETANEW", "beta-news", team_id=BETA)
    assert beta.chat_postMessage(channel="C0BETANEW", text="news")["ok"]
    assert error_of(first.conversations_history, channel="C0BETANEW") == "channel_not_found"


def test_views_stay_in_their_workspace(fake, oauth):
    first = WebClient(token=fake.token, base_url=fake.url)
    beta = install(fake, oauth, BETA)
    view = first.views_publish(user_id=ALICE, view=home())["view"]

    assert view["team_id"] == fake.team_id
    assert error_of(beta.views_update, view_id=view["id"], view=home()) == "not_found"
    assert first.views_update(view_id=view["id"], view=home())["view"]["team_id"] == fake.team_id


# -- Enterprise Grid


def test_an_org_wide_install_acts_in_every_workspace_of_its_org(fake, oauth):
    code = fake.install(None, enterprise_id=GRID, is_enterprise_install=True, user_id=ORG_A)

    answer = exchange(fake, oauth, code)
    org = WebClient(token=answer["access_token"], base_url=fake.url)

    assert answer["team"] is None
    assert answer["enterprise"] == {"id": GRID, "name": f"Org {GRID}"}
    assert answer["is_enterprise_install"] is True
    assert fake.bot_token_of(enterprise_id=GRID) == answer["access_token"]
    assert fake.bot_token_of(GRID_A) == answer["access_token"]  # no install of its own
    assert fake.bot_token_of(ELSEWHERE) is None
    who = org.auth_test()
    assert who["enterprise_id"] == GRID
    assert who["is_enterprise_install"] is True
    assert who["team_id"] == GRID
    assert who["url"] == f"https://{GRID.lower()}.enterprise.slack.com/"
    assert who["user_id"] == answer["bot_user_id"]

    assert org.users_info(user=ORG_A)["user"]["team_id"] == GRID_A
    assert org.users_info(user=ORG_B)["user"]["team_id"] == GRID_B
    for user in (ORG_A, ORG_B):
        dm = org.conversations_open(users=user)["channel"]["id"]
        assert org.chat_postMessage(channel=dm, text="hi")["message"]["team"] == (
            GRID_A if user == ORG_A else GRID_B
        )
        assert org.views_publish(user_id=user, view=home())["ok"]
    assert org.conversations_open(users=[ORG_A, ORG_B])["channel"]["id"].startswith("G")

    assert error_of(org.users_info, user=OUTSIDER) == "user_not_found"
    assert error_of(org.users_info, user=ALICE) == "user_not_found"
    assert error_of(org.conversations_open, users=OUTSIDER) == "user_not_found"
    assert {(c.team_id, c.enterprise_id) for c in fake.calls if c.method != "oauth.v2.access"} == {
        (None, GRID)
    }


def test_a_workspace_install_on_the_grid_names_its_org(fake, oauth):
    grid_a = install(fake, oauth, GRID_A)

    who = grid_a.auth_test()

    assert (who["team_id"], who["enterprise_id"], who["is_enterprise_install"]) == (
        GRID_A,
        GRID,
        False,
    )
    assert grid_a.users_info(user=ORG_A)["ok"]
    # A workspace install reaches its own workspace only, not the rest of its org.
    assert error_of(grid_a.users_info, user=ORG_B) == "user_not_found"
    assert fake.calls_to("auth.test")[0].enterprise_id == GRID


def test_install_needs_a_team_or_an_org(fake):
    with pytest.raises(ValueError, match="enterprise_id"):
        fake.install(None, is_enterprise_install=True)
    with pytest.raises(ValueError, match="team_id"):
        fake.install(None)
    with pytest.raises(ValueError, match=GRID):
        fake.install(GRID_A, enterprise_id="E0OTHER01")


# -- uninstalling


def test_apps_uninstall_revokes_the_token(fake, oauth):
    beta = install(fake, oauth, BETA)

    wrong = error_of(beta.apps_uninstall, client_id=fake.client_id, client_secret="guess")
    assert wrong == "bad_client_secret"
    assert beta.auth_test()["ok"]

    answer = beta.apps_uninstall(client_id=fake.client_id, client_secret=fake.client_secret)

    assert answer["ok"]
    assert error_of(beta.auth_test) == "token_revoked"
    assert error_of(beta.users_info, user=BRUNO) == "token_revoked"
    assert fake.bot_token_of(BETA) is None
    assert fake.calls_to("apps.uninstall")[-1].team_id == BETA


def test_auth_revoke_revokes_the_calling_token_unless_testing(fake, oauth):
    first = WebClient(token=fake.token, base_url=fake.url)
    beta = install(fake, oauth, BETA)

    assert beta.auth_revoke(test=True)["revoked"] is False
    assert beta.auth_test()["ok"]
    assert beta.auth_revoke()["revoked"] is True
    assert error_of(beta.auth_test) == "token_revoked"
    assert first.auth_test()["team_id"] == fake.team_id  # the other workspace is untouched


def test_reinstalling_after_an_uninstall_issues_a_new_token(fake, oauth):
    old = install(fake, oauth, BETA)
    bot_user = old.auth_test()["user_id"]
    pending = fake.install(BETA)  # a code not exchanged before the app was removed

    fake.uninstall(BETA)

    assert error_of(old.auth_test) == "token_revoked"
    assert error_of(exchange, fake, oauth, pending) == "invalid_code"
    new = install(fake, oauth, BETA)
    assert new.token != old.token
    assert fake.bot_token_of(BETA) == new.token
    assert new.auth_test()["user_id"] == bot_user  # the same bot user comes back
    assert new.users_info(user=BRUNO)["ok"]
    assert error_of(old.users_info, user=BRUNO) == "token_revoked"


def test_uninstall_of_the_org_wide_install(fake, oauth):
    org = install(fake, oauth, None, enterprise_id=GRID, is_enterprise_install=True)

    with pytest.raises(ValueError, match=GRID_A):
        fake.uninstall(GRID_A)  # no workspace install there: only the org-wide one
    fake.uninstall(enterprise_id=GRID)

    assert error_of(org.users_info, user=ORG_A) == "token_revoked"
    assert fake.bot_token_of(GRID_A) is None


def test_the_first_installation_can_be_uninstalled_too(fake):
    first = WebClient(token=fake.token, base_url=fake.url)

    fake.uninstall(fake.team_id)

    assert error_of(first.auth_test) == "token_revoked"
    fake.reset()
    assert first.auth_test()["ok"]  # reset brings back the constructor's installation


# -- across restarts


def test_installations_survive_export_and_import(fake, oauth):
    beta = install(fake, oauth, BETA)
    gone = install(fake, oauth, GRID_A)
    fake.uninstall(GRID_A)
    state = json.loads(json.dumps(fake.export_state()))

    with FakeSlack() as restarted:
        restarted.add_user(BRUNO, team_id=BETA)
        restarted.import_state(state)
        beta_again = WebClient(token=beta.token, base_url=restarted.url)
        gone_again = WebClient(token=gone.token, base_url=restarted.url)
        first = WebClient(token=restarted.token, base_url=restarted.url)

        assert beta_again.auth_test()["team"] == f"Team {BETA}"
        assert beta_again.users_info(user=BRUNO)["ok"]
        assert error_of(gone_again.auth_test) == "token_revoked"
        assert first.auth_test()["team_id"] == restarted.team_id
        assert restarted.bot_token_of(GRID_A) is None
        assert restarted.bot_token_of(BETA) == beta.token
