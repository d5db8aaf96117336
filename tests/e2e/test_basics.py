"""The running app, driven the way Slack drives it: signatures, help, health, odd input."""

from __future__ import annotations

import time

import requests

from tests.support import BOT_TOKEN, LEAD_ID
from tests.support.slack_requests import SIGNING_SECRET, reply_text


def test_health_is_ok_when_the_database_answers(running_app):
    response = requests.get(running_app.base_url + "/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_unknown_paths_are_404(running_app):
    assert requests.get(running_app.base_url + "/admin", timeout=5).status_code == 404


def test_forged_signature_is_rejected(slack, new_id):
    body = slack.command_body(new_id(), "help")
    response = slack.post(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    assert response.status_code == 401


def test_request_older_than_five_minutes_is_rejected(slack, new_id):
    six_minutes_ago = int(time.time()) - 6 * 60
    response = slack.command(new_id(), "help", timestamp=six_minutes_ago)
    assert response.status_code == 401


def test_missing_signature_headers_are_rejected(running_app):
    response = requests.post(
        running_app.base_url + "/slack/events",
        data="command=%2Fmentor&text=help",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    )
    assert response.status_code == 401


def test_body_changed_after_signing_is_rejected(slack, new_id):
    body = slack.command_body(new_id(), "help")
    ts = str(int(time.time()))
    signature = slack.verifier.generate_signature(timestamp=ts, body=body)
    response = slack.post(
        body + "&text=leave",
        "application/x-www-form-urlencoded",
        timestamp=int(ts),
        signature=signature,
    )
    assert response.status_code == 401


def test_mentor_alone_shows_help_quickly_and_privately(slack, new_id, fake_slack):
    user = new_id()
    fake_slack.add_user(user)
    started = time.monotonic()
    response = slack.command(user, "")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 3, f"Slack gives up after 3 s; took {elapsed:.2f}s"
    body = response.json()
    assert body.get("response_type", "ephemeral") == "ephemeral"
    assert "/mentor join" in str(body["blocks"])
    assert "/mentor report" not in str(body["blocks"])


def test_leads_see_their_commands_in_help(slack):
    body = slack.command(LEAD_ID, "help").json()
    assert "/mentor report" in str(body["blocks"])


def test_workspace_admins_are_leads_too(slack, new_id, fake_slack):
    admin = new_id()
    fake_slack.add_user(admin, is_admin=True)
    assert "/mentor report" in str(slack.command(admin, "help").json()["blocks"])


def test_unknown_sub_command_gets_help_with_the_word_escaped(slack, new_id, fake_slack):
    user = new_id()
    fake_slack.add_user(user)
    response = slack.command(user, "<!channel> please")
    assert response.status_code == 200
    text = str(response.json()["blocks"])
    assert "I don't know" in text
    assert "&lt;!channel&gt;" in text
    assert "<!channel>" not in text


def test_lead_only_commands_refuse_non_leads_politely(slack, new_id, fake_slack):
    user = new_id()
    fake_slack.add_user(user)
    for sub in ("report", "match", "program"):
        assert "is for program leads" in reply_text(slack.command(user, sub))
    assert "Putting the report together" in reply_text(slack.command(LEAD_ID, "report"))
    assert "haven't joined" in reply_text(slack.command(user, "goals"))


def test_lead_check_fails_closed_when_slack_is_down(slack, new_id, fake_slack):
    user = new_id()
    fake_slack.add_user(user, is_admin=True)
    fake_slack.fail_next("users.info", "internal_error", times=5)
    assert "is for program leads" in reply_text(slack.command(user, "report"))


def test_odd_payloads_get_an_answer_not_a_500(slack, new_id):
    # An interactive payload that is not JSON, and one for a button we never sent.
    response = slack.post("payload=%7Bnot-json", "application/x-www-form-urlencoded")
    assert response.status_code < 500
    response = slack.block_action(new_id(), "some_old_button")
    assert response.status_code == 200


def test_tokens_and_secrets_never_reach_the_logs(running_app, slack, new_id, fake_slack):
    user = new_id()
    fake_slack.add_user(user)
    slack.command(user, "help")
    log = running_app.log()
    assert "authenticated as" in log  # the log is really being captured
    assert BOT_TOKEN not in log
    assert SIGNING_SECRET not in log
