"""`python -m bot forget-user` and `forget-workspace`, as an operator runs them: with
DATABASE_URL alone, refusing to delete without --yes when nobody can be asked."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from bot import cli
from models import Person, Workspace
from tests.support import ROOT
from tests.support.reports import ScenarioBuilder


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    # DATABASE_URL only: no Slack setting is needed to delete.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTOR_"))}
    env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,  # not a terminal, as in CI or cron
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def workspace(sessions, new_id) -> ScenarioBuilder:
    b = ScenarioBuilder(sessions, new_id)
    b.person("mentor", "mentor", skills=["ai-tools"])
    b.person("mentee", "mentee", skills=["ai-tools"])
    b.pair("p", "mentor", "mentee", ["met", None])
    b.checkin("p", "mentee", 1, rating=4, learned="a lot")
    return b


def people_named(sessions, user_id: str) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).where(Person.slack_user_id == user_id)) or 0


def test_forget_user_with_yes_deletes_and_prints_counts(migrated_url, sessions, workspace):
    user = workspace.scenario.users["mentee"]
    done = run_cli(migrated_url, "forget-user", user, "--yes")
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith(f"{user} in {workspace.scenario.team}: deleted ")
    assert "1 check-in" in line
    assert "1 skill" in line
    assert "ended 1 pair" in line
    assert "1 former partner will be told" in line
    assert people_named(sessions, user) == 0

    again = run_cli(migrated_url, "forget-user", user, "--yes")
    assert again.returncode == 1
    assert again.stderr.strip() == (
        f"upward: no data for {user} in any workspace (never joined, or already deleted)"
    )


def test_without_yes_and_without_a_terminal_nothing_is_deleted(migrated_url, sessions, workspace):
    user, team = workspace.scenario.users["mentor"], workspace.scenario.team
    refused = run_cli(migrated_url, "forget-user", user)
    assert refused.returncode == 2
    assert "pass --yes" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert people_named(sessions, user) == 1
    refused = run_cli(migrated_url, "forget-workspace", team)
    assert refused.returncode == 2
    assert "pass --yes" in refused.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["forget-user", "nobody"], "'nobody' is not a Slack user id"),
        (["forget-user", "U0ABC", "--team", "t-1"], "'t-1' is not a Slack workspace"),
        (["forget-workspace", "U0ABC"], "'U0ABC' is not a Slack workspace (team) id"),
    ],
)
def test_malformed_ids_are_refused_in_one_line(migrated_url, args, says):
    done = run_cli(migrated_url, *args, "--yes")
    assert done.returncode == 2
    assert says in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_unknown_team_or_user_exits_1(migrated_url, workspace, new_id):
    unknown_team = new_id("T")
    done = run_cli(migrated_url, "forget-workspace", unknown_team, "--yes")
    assert done.returncode == 1
    assert f"no workspace {unknown_team}" in done.stderr
    user = workspace.scenario.users["mentor"]
    done = run_cli(migrated_url, "forget-user", user, "--team", unknown_team, "--yes")
    assert done.returncode == 1
    assert f"no workspace {unknown_team}" in done.stderr
    stranger = new_id()
    done = run_cli(
        migrated_url, "forget-user", stranger, "--team", workspace.scenario.team, "--yes"
    )
    assert done.returncode == 1
    assert f"no data for {stranger} in {workspace.scenario.team}" in done.stderr


def test_a_user_in_two_workspaces_needs_team(migrated_url, sessions, new_id):
    first, second = ScenarioBuilder(sessions, new_id), ScenarioBuilder(sessions, new_id)
    first.person("ada", "mentor", skills=["ai-tools"])
    user = first.scenario.users["ada"]
    second.new_id = lambda prefix="U": user  # the same Slack user, in a second workspace
    second.person("ada", "mentor", skills=["ai-tools"])
    ambiguous = run_cli(migrated_url, "forget-user", user, "--yes")
    assert ambiguous.returncode == 2
    assert "pass --team" in ambiguous.stderr
    done = run_cli(migrated_url, "forget-user", user, "--team", second.scenario.team, "--yes")
    assert done.returncode == 0, done.stderr
    assert people_named(sessions, user) == 1  # still in the first workspace


def test_forget_workspace_deletes_it_and_prints_counts(migrated_url, sessions, workspace):
    team = workspace.scenario.team
    done = run_cli(migrated_url, "forget-workspace", team, "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(f"workspace {team}: deleted 1 workspace, 1 program")
    assert "2 people" in done.stdout
    assert "1 check-in" in done.stdout
    with sessions() as s:
        assert s.scalar(select(func.count()).where(Workspace.slack_team_id == team)) == 0


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "deleted"), [("n\n", False), ("\n", False), ("y\n", True)])
def test_at_a_terminal_it_asks_first(
    monkeypatch, capsys, migrated_url, sessions, workspace, answer, deleted
):
    user = workspace.scenario.users["mentor"]
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    monkeypatch.setattr(sys, "stdin", Terminal(answer))
    status = cli.main(["forget-user", user])
    out = capsys.readouterr().out
    assert "[y/N]" in out
    assert status == (0 if deleted else 1)
    assert people_named(sessions, user) == (0 if deleted else 1)
    assert ("nothing deleted" in out) != deleted
