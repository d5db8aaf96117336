"""Settings: every variable from DESIGN.md, checked, with one clear line on failure."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import DEFAULT_API_URL, SettingsError, load_settings
from tests.support import ROOT

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "0123456789abcdef0123"}


def test_defaults():
    s = load_settings(GOOD)
    assert s.api_url == DEFAULT_API_URL
    assert s.database_url == "sqlite:///upward.db"
    assert s.port == 3000
    assert s.leads == frozenset()
    assert not s.socket_mode


def test_every_variable_is_read():
    s = load_settings(
        {
            **GOOD,
            "SLACK_APP_TOKEN": "xapp-1-A1-abc",
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
            "DATABASE_URL": "postgresql://u:p@db:5432/upward",
            "PORT": "8080",
            "MENTOR_LEADS": " U012AB3CD, W0456EFGH ,",
        }
    )
    assert s.socket_mode
    assert s.api_url == "http://127.0.0.1:9999/api/"
    assert s.database_url == "postgresql+psycopg://u:p@db:5432/upward"
    assert s.port == 8080
    assert s.leads == {"U012AB3CD", "W0456EFGH"}


def test_socket_mode_needs_no_signing_secret():
    s = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert s.signing_secret is None


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({**GOOD, "SLACK_SIGNING_SECRET": "not-hex!"}, "SLACK_SIGNING_SECRET"),
        ({**GOOD, "SLACK_APP_TOKEN": "xoxb-wrong-kind"}, "SLACK_APP_TOKEN"),
        ({**GOOD, "SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({**GOOD, "DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({**GOOD, "DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL"),
        ({**GOOD, "PORT": "http"}, "PORT"),
        ({**GOOD, "PORT": "0"}, "PORT"),
        ({**GOOD, "MENTOR_LEADS": "alice,U012AB3CD"}, "MENTOR_LEADS"),
    ],
)
def test_bad_values_name_the_variable(env, named):
    with pytest.raises(SettingsError, match=named):
        load_settings(env)


OAUTH = {
    "SLACK_CLIENT_ID": "1234567890.9876543210",
    "SLACK_CLIENT_SECRET": "s3cr3t-client-secret",
    "SLACK_SIGNING_SECRET": GOOD["SLACK_SIGNING_SECRET"],
}


def test_the_mode_follows_the_settings():
    one = load_settings(GOOD)
    assert not one.many_workspaces
    assert one.bot_token == GOOD["SLACK_BOT_TOKEN"]
    many = load_settings(OAUTH)
    assert many.many_workspaces
    assert many.bot_token is None
    assert (many.client_id, many.client_secret) == (
        OAUTH["SLACK_CLIENT_ID"],
        OAUTH["SLACK_CLIENT_SECRET"],
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        # Both modes at once: which one was meant is not ours to guess.
        ({**OAUTH, "SLACK_BOT_TOKEN": "xoxb-1-2-abc"}, "SLACK_BOT_TOKEN and SLACK_CLIENT_ID"),
        ({k: v for k, v in OAUTH.items() if k != "SLACK_CLIENT_SECRET"}, "SLACK_CLIENT_SECRET"),
        ({k: v for k, v in OAUTH.items() if k != "SLACK_CLIENT_ID"}, "SLACK_CLIENT_ID"),
        ({**OAUTH, "SLACK_CLIENT_ID": "upward"}, "SLACK_CLIENT_ID"),
        ({k: v for k, v in OAUTH.items() if k != "SLACK_SIGNING_SECRET"}, "SLACK_SIGNING_SECRET"),
        ({**OAUTH, "SLACK_APP_TOKEN": "xapp-1-A1-abc"}, "SLACK_APP_TOKEN"),
    ],
)
def test_bad_combinations_of_modes_name_the_variable(env, named):
    with pytest.raises(SettingsError, match=named):
        load_settings(env)


def test_a_bad_combination_stops_the_start_with_one_line():
    result = run_app({**OAUTH, "SLACK_BOT_TOKEN": "xoxb-1-2-abc"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("upward: SLACK_BOT_TOKEN and SLACK_CLIENT_ID")
    assert OAUTH["SLACK_CLIENT_SECRET"] not in result.stderr + result.stdout


def test_repr_never_shows_secrets():
    s = load_settings({**GOOD, "DATABASE_URL": "postgresql://u:hunter2@db/x"})
    shown = repr(s)
    assert "xoxb" not in shown
    assert "0123456789abcdef" not in shown
    assert "hunter2" not in shown
    many = repr(load_settings(OAUTH))
    assert OAUTH["SLACK_CLIENT_SECRET"] not in many
    assert "many_workspaces=True" in many


def run_app(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    return subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_deployment_without_a_token_says_what_to_set_and_exits_2():
    # The container sets DATABASE_URL: a missing token there is never a silent sandbox.
    result = run_app({"DATABASE_URL": "sqlite:////tmp/never-created.db"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_BOT_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_half_done_setup_says_what_to_set_and_exits_2():
    # No Slack settings at all start the sandbox (test_sandbox.py); a signing secret
    # without its token is someone setting up real Slack.
    result = run_app({"SLACK_SIGNING_SECRET": GOOD["SLACK_SIGNING_SECRET"]})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_BOT_TOKEN" in lines[0]
    assert "manifest.json" in lines[0]
    assert "Traceback" not in result.stderr


def test_malformed_value_exits_2_with_one_line():
    result = run_app({**GOOD, "PORT": "99999"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "upward: PORT must be a number from 1 to 65535 (got '99999')."
    ]


def test_a_token_slack_rejects_exits_2_without_printing_it(fake_slack):
    result = run_app(
        {**GOOD, "SLACK_BOT_TOKEN": "xoxb-wrong-9999", "SLACK_API_URL": fake_slack.url}
    )
    assert result.returncode == 2
    assert "invalid_auth" in result.stderr
    assert "xoxb-wrong-9999" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_the_uninstall_grace_period_is_whole_days_from_1_to_3650():
    assert load_settings(GOOD).delete_after_days == 30
    assert load_settings({**GOOD, "DELETE_AFTER_UNINSTALL_DAYS": "7"}).delete_after_days == 7
    for bad in ("0", "3651", "7.5", "a week"):
        with pytest.raises(SettingsError, match="DELETE_AFTER_UNINSTALL_DAYS") as raised:
            load_settings({**GOOD, "DELETE_AFTER_UNINSTALL_DAYS": bad})
        assert "\n" not in str(raised.value)
