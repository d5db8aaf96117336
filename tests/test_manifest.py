"""manifest.json must match what the code listens to and calls."""

from __future__ import annotations

import json

from bot.slack.oauth import BOT_SCOPES, REDIRECT_PATH
from tests.support import ROOT

MANIFEST = json.loads((ROOT / "manifest.json").read_text())
# Web API methods the app calls, and the bot scope each needs (Slack's method pages).
SCOPES_FOR_METHODS = {
    "chat.postMessage": "chat:write",
    "conversations.open": "im:write",
    "users.info": "users:read",
}


def test_one_slash_command_to_the_events_path():
    (command,) = MANIFEST["features"]["slash_commands"]
    assert command["command"] == "/mentor"
    assert command["url"].endswith("/slack/events")


def test_interactivity_and_events_point_at_the_events_path():
    settings = MANIFEST["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert "app_home_opened" in settings["event_subscriptions"]["bot_events"]
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def test_add_to_slack_asks_for_the_manifests_scopes_and_returns_to_the_redirect_path():
    # OAuth installs ask for BOT_SCOPES; an app created from the manifest has these.
    assert list(BOT_SCOPES) == MANIFEST["oauth_config"]["scopes"]["bot"]
    (redirect,) = MANIFEST["oauth_config"]["redirect_urls"]
    assert redirect.endswith(REDIRECT_PATH)
    # Uninstalls stop sending at once; Grid orgs can install org-wide.
    events = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)
    assert MANIFEST["settings"]["org_deploy_enabled"] is True


def test_scopes_cover_every_method_the_app_calls():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert "commands" in scopes
    assert set(SCOPES_FOR_METHODS.values()) <= scopes
    # DESIGN: delivery checks channel history for a message's idempotency key.
    assert {"im:history", "mpim:history"} <= scopes


def test_app_calls_no_method_outside_the_table(slack, fake_slack, new_id):
    """Drive the main flows and compare what reached Slack with the scope table."""
    from tests.support.slack_requests import join_values

    user = new_id()
    fake_slack.add_user(user)
    slack.command(user, "join")
    slack.view_submission(user, "upward_join", join_values())
    fake_slack.wait_for("chat.postMessage")
    fake_slack.wait_for("views.publish")
    called = {c.method for c in fake_slack.calls} - {"response_url", "auth.test"}
    no_scope_needed = {"views.open", "views.publish"}
    assert called - no_scope_needed <= set(SCOPES_FOR_METHODS)
