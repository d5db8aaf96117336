"""`python -m bot import people.csv`: the CSV parser, the directory service and the CLI,
against the real databases and the fake Slack."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.people_csv import CsvFileError, LineError, parse_people_csv, parse_seniority
from bot.services.people.directory import (
    DirectoryImportService,
    ImportReport,
    ImportStoppedError,
    SlackUserDirectory,
    enrich_from_directory,
    management_chains,
)
from bot.services.people.workspaces import ensure_default_program, ensure_workspace
from bot.slack.gateway import SlackGateway
from models import DirectoryEntry, Person, Role, Seniority, Workspace
from tests.support import BOT_TOKEN, ROOT, TEAM_ID, app_env, free_port

HEADER = "email,department,title,seniority,manager_email\n"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack_sdk's WebClient uses HTTP(S)_PROXY and ignores NO_PROXY: keep 127.0.0.1 direct.
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def someone(fake_slack, new_id: Callable[[str], str]) -> Callable[..., tuple[str, str]]:
    """A fresh Slack user id and email; in the fake Slack's directory unless in_slack=False."""

    def make(in_slack: bool = True, deleted: bool = False) -> tuple[str, str]:
        user_id = new_id("U")
        email = f"{user_id.lower()}@example.com"
        if in_slack:
            fake_slack.add_user(user_id, email=email, deleted=deleted)
        return user_id, email

    return make


@pytest.fixture
def directory(sessions, clock, fake_slack) -> Callable[..., DirectoryImportService]:
    def make(batch_size: int = 500) -> DirectoryImportService:
        gateway = SlackGateway(BOT_TOKEN, fake_slack.url)
        return DirectoryImportService(sessions, clock, SlackUserDirectory(gateway), batch_size)

    return make


def run(service: DirectoryImportService, text: str, dry_run: bool = False) -> ImportReport:
    return service.import_people(parse_people_csv(text), dry_run)


def entry(sessions, user_id: str) -> DirectoryEntry | None:
    with sessions() as session:
        return session.scalars(
            select(DirectoryEntry)
            .join(Workspace, DirectoryEntry.workspace_id == Workspace.id)
            .where(Workspace.slack_team_id == TEAM_ID, DirectoryEntry.slack_user_id == user_id)
        ).one_or_none()


def person(sessions, user_id: str) -> Person:
    with sessions() as session:
        return session.scalars(
            select(Person)
            .join(Workspace, Person.workspace_id == Workspace.id)
            .where(Workspace.slack_team_id == TEAM_ID, Person.slack_user_id == user_id)
        ).one()


def join(sessions, clock, user_id: str, team_id: str = TEAM_ID, **fields) -> None:
    """A participant who joined through the modal, before any import."""
    with sessions.begin() as session:
        workspace = ensure_workspace(session, team_id, clock.now())
        program = ensure_default_program(session, workspace, clock.now())
        session.add(
            Person(
                workspace_id=workspace.id,
                program_id=program.id,
                slack_user_id=user_id,
                role=Role.MENTEE,
                joined_at=clock.now(),
                updated_at=clock.now(),
                **fields,
            )
        )


def looked_up(fake_slack) -> list[str]:
    return [call.args["email"] for call in fake_slack.calls_to("users.lookupByEmail")]


# --- the CSV parser (pure) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1", Seniority.EARLY_CAREER),
        ("5", Seniority.EXECUTIVE),
        ("Junior", Seniority.EARLY_CAREER),
        (" early career ", Seniority.EARLY_CAREER),
        ("Early-Career", Seniority.EARLY_CAREER),
        ("MID", Seniority.ESTABLISHED),
        ("established", Seniority.ESTABLISHED),
        ("Senior", Seniority.SENIOR),
        ("director", Seniority.DIRECTOR),
        ("VP", Seniority.EXECUTIVE),
        ("C-Level", Seniority.EXECUTIVE),
        ("c level", Seniority.EXECUTIVE),
        ("Executive", Seniority.EXECUTIVE),
    ],
)
def test_seniority_accepts_numbers_and_labels(cell, expected):
    assert parse_seniority(cell) is expected


@pytest.mark.parametrize("cell", ["0", "6", "intern", "senior-ish", "3.5"])
def test_seniority_refuses_anything_else(cell):
    with pytest.raises(ValueError):  # noqa: PT011 - the message is the parser's own
        parse_seniority(cell)


def test_bom_odd_header_case_aliases_and_extra_columns():
    text = (
        "\ufeff Email , DEPARTMENT,Slack User ID,Cost centre,Manager,Seniority\r\n"
        "Ada@Example.COM,Data,u0ada0001,CC-1,Boss@Example.com,vp\r\n"
        ',"Design\nand UX",U0BOB0001,,,\r\n'
        ",,,,,\r\n"
        "not-an-email,,,,,7\r\n"
    )
    parsed = parse_people_csv(text)
    assert [(r.line, r.email, r.slack_user_id) for r in parsed.rows] == [
        (2, "ada@example.com", "U0ADA0001"),
        (3, None, "U0BOB0001"),  # a quoted cell over two physical lines is still one row
    ]
    ada = parsed.rows[0]
    assert (ada.department, ada.manager_email, ada.seniority) == (
        "Data",
        "boss@example.com",
        Seniority.EXECUTIVE,
    )
    assert parsed.rows[1].department == "Design\nand UX"
    # The blank row (line 4) is neither good nor bad; line numbers still count it.
    assert parsed.errors == [
        LineError(
            5,
            "email 'not-an-email' is not an email address; seniority '7' is not 1-5 or one of: "
            "early career (or junior), established (or mid), senior, director, "
            "executive (or vp, c-level)",
        )
    ]
    assert parsed.total == 3


def test_each_bad_cell_is_named_on_its_line():
    text = (
        HEADER + "a b@example.com,,,,\n"
        ",Sales,,,\n"
        f"ok@example.com,{'D' * 81},{'T' * 121},,\n"
        "ok2@example.com,,,,boss at example\n"
        "ok3@example.com,,,,\n"
    )
    parsed = parse_people_csv(text)
    assert [(e.line, e.message) for e in parsed.errors] == [
        (2, "email 'a b@example.com' is not an email address"),
        (3, "needs an email or a slack_id"),
        (
            4,
            "department is 81 characters; the limit is 80; "
            "title is 121 characters; the limit is 120",
        ),
        (5, "manager_email 'boss at example' is not an email address"),
    ]
    assert [r.line for r in parsed.rows] == [6]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("\ufeff\n", "the file is empty"),
        ("name,department\nAda,Data\n", "the header needs an email or a slack_id column"),
    ],
)
def test_a_file_without_a_usable_header_is_refused_whole(text, message):
    with pytest.raises(CsvFileError, match=message):
        parse_people_csv(text)


# --- the import service -------------------------------------------------------------------


def test_import_stores_one_entry_per_person_with_managers_resolved(
    directory, sessions, fake_slack, someone
):
    (boss, boss_email), (ada, _) = someone(in_slack=False), someone()
    bob, bob_email = someone()
    text = (
        "slack_id,email,department,title,seniority,manager_email\n"
        f"{boss},{boss_email},Exec,CEO,c-level,\n"
        f"{ada},,Data,Analyst,junior,{boss_email}\n"
        f",{bob_email.upper()},Data,Lead,senior,{boss_email}\n"
    )
    report = run(directory(), text)
    assert (report.total, report.imported, report.skipped) == (3, 3, 0)
    assert report.bad == report.warnings == []
    # The manager and ada have Slack ids in the file: only bob needs a look-up.
    assert looked_up(fake_slack) == [bob_email]
    stored = entry(sessions, bob)
    assert stored is not None
    assert (stored.email, stored.department, stored.title, stored.seniority) == (
        bob_email,
        "Data",
        "Lead",
        Seniority.SENIOR,
    )
    assert (stored.manager_email, stored.manager_user_id) == (boss_email, boss)
    assert entry(sessions, ada).manager_user_id == boss
    assert entry(sessions, boss).manager_user_id is None


def test_each_distinct_email_is_looked_up_once(directory, fake_slack, someone):
    (_, boss_email), (_, ada_email), (_, bob_email) = someone(), someone(), someone()
    text = HEADER + (
        f"{ada_email},,,,{boss_email}\n"  # the manager's row comes later in the file
        f"{bob_email},,,,{boss_email}\n"
        f"{boss_email},,,,\n"
    )
    report = run(directory(), text)
    assert report.imported == 3
    assert sorted(looked_up(fake_slack)) == sorted([ada_email, bob_email, boss_email])


def test_a_manager_slack_does_not_know_is_a_warning_and_the_row_is_kept(
    directory, sessions, someone
):
    (ada, ada_email), (_, gone) = someone(), someone(in_slack=False)
    report = run(directory(), HEADER + f"{ada_email},Data,,,{gone}\n")
    assert report.imported == 1
    assert report.bad == []
    assert [(w.line, w.message) for w in report.warnings] == [
        (2, f"manager {gone} has no Slack user; manager left unset")
    ]
    stored = entry(sessions, ada)
    assert (stored.manager_email, stored.manager_user_id) == (gone, None)


def test_slack_id_is_trusted_over_email_and_unknown_or_deactivated_people_are_bad_rows(
    directory, sessions, fake_slack, someone
):
    (ada, ada_email), (_, stranger) = someone(in_slack=False), someone(in_slack=False)
    left, left_email = someone(deleted=True)
    text = (
        "slack_user_id,email\n"
        f"{ada},{ada_email}\n"  # nobody in Slack has this email: the id wins, no look-up
        f",{stranger}\n"
        f",{left_email}\n"
    )
    report = run(directory(), text)
    assert report.imported == 1
    assert [(b.line, b.message) for b in report.bad] == [
        (3, "no Slack user with that email"),
        (4, "that Slack user is deactivated"),
    ]
    assert looked_up(fake_slack) == [stranger, left_email]
    assert entry(sessions, ada) is not None
    assert entry(sessions, left) is None


def test_a_second_row_for_the_same_person_is_a_duplicate(directory, sessions, someone):
    ada, ada_email = someone()
    text = (
        "email,slack_id,department\n"
        f"{ada_email},,First\n"
        f"{ada_email.upper()},,Second\n"
        f",{ada},Third\n"
    )
    report = run(directory(), text)
    assert report.imported == 1
    assert [(b.line, b.message) for b in report.bad] == [
        (3, "duplicate of line 2"),
        (4, "duplicate of line 2"),
    ]
    assert entry(sessions, ada).department == "First"


def test_blank_cells_keep_what_is_stored(directory, sessions, someone):
    (ada, ada_email), (boss, boss_email) = someone(in_slack=False), someone(in_slack=False)
    header = "slack_id,email,department,title,seniority,manager\n"
    service = directory()
    run(
        service,
        header + f"{boss},{boss_email},,,,\n{ada},{ada_email},Data,Analyst,2,{boss_email}\n",
    )
    first = entry(sessions, ada)
    assert first.manager_user_id == boss
    report = run(service, header + f"{ada},,,Senior analyst,,\n")
    assert report.imported == 1
    again = entry(sessions, ada)
    assert (again.email, again.department, again.seniority) == (
        first.email,
        "Data",
        Seniority.ESTABLISHED,
    )
    assert again.title == "Senior analyst"
    assert (again.manager_email, again.manager_user_id) == (
        first.manager_email,
        first.manager_user_id,
    )


def test_joined_participants_get_hr_details_and_a_reimport_changes_nothing(
    directory, sessions, clock, someone
):
    (ada, ada_email), (boss, boss_email) = someone(), someone()
    join(sessions, clock, ada, department="Typed in the modal", seniority=1, tz="Europe/Paris")
    text = HEADER + f"{ada_email},Data,Analyst,director,{boss_email}\n{boss_email},Exec,,5,\n"

    clock.advance(hours=1)
    imported_at = clock.now()
    report = run(directory(), text)
    assert (report.imported, report.participants_updated) == (2, 1)
    joined = person(sessions, ada)
    assert (joined.department, joined.title, joined.seniority, joined.email) == (
        "Data",
        "Analyst",
        Seniority.DIRECTOR,
        ada_email,
    )
    assert joined.manager_user_id == boss
    assert joined.tz == "Europe/Paris"  # not HR's business
    assert joined.updated_at == clock.now()

    clock.advance(hours=1)
    again = run(directory(), text)
    assert (again.imported, again.participants_updated) == (2, 0)
    assert person(sessions, ada).updated_at == imported_at  # nothing changed this time
    with sessions() as session:
        rows = session.scalars(
            select(DirectoryEntry).where(DirectoryEntry.slack_user_id.in_([ada, boss]))
        ).all()
    assert len(rows) == 2
    assert {row.imported_at for row in rows} == {clock.now()}


def test_a_rate_limited_lookup_is_retried(directory, sessions, fake_slack, someone):
    ada, ada_email = someone()
    fake_slack.rate_limit_next("users.lookupByEmail", retry_after=0)
    report = run(directory(), HEADER + f"{ada_email},Data,,,\n")
    assert (report.imported, report.bad) == (1, [])
    assert looked_up(fake_slack) == [ada_email, ada_email]
    assert entry(sessions, ada).department == "Data"


def test_batches_commit_so_a_failure_midway_keeps_the_batches_before_it(
    directory, sessions, fake_slack, someone
):
    users = [someone(in_slack=False) for _ in range(5)]
    text = "slack_id,email\n" + "".join(
        f"{user_id},\n" if i < 2 else f",{email}\n" for i, (user_id, email) in enumerate(users)
    )
    fake_slack.fail_next("users.lookupByEmail", "invalid_auth")
    with pytest.raises(
        ImportStoppedError, match=r"line 4: .*'invalid_auth'.* 2 rows before it were imported"
    ):
        run(directory(batch_size=2), text)
    assert [entry(sessions, user_id) is not None for user_id, _ in users] == [True, True] + [
        False
    ] * 3


def test_a_dry_run_asks_slack_but_writes_nothing(directory, sessions, clock, fake_slack, someone):
    (ada, ada_email), (_, stranger) = someone(), someone(in_slack=False)
    join(sessions, clock, ada, department="Old")
    report = run(directory(), HEADER + f"{ada_email},New,,,\n{stranger},,,,\n", dry_run=True)
    assert (report.imported, report.participants_updated, report.skipped) == (1, 1, 1)
    assert [(b.line, b.message) for b in report.bad] == [(3, "no Slack user with that email")]
    assert len(looked_up(fake_slack)) == 2
    assert entry(sessions, ada) is None
    assert person(sessions, ada).department == "Old"


# --- what matching and joining read ---------------------------------------------------------


@pytest.fixture
def workspace_id(sessions, clock, new_id) -> int:
    with sessions.begin() as session:
        return ensure_workspace(session, new_id("T"), clock.now()).id


def add_entries(sessions, clock, workspace_id: int, managers: dict[str, str | None]) -> None:
    with sessions.begin() as session:
        for user_id, manager_id in managers.items():
            session.add(
                DirectoryEntry(
                    workspace_id=workspace_id,
                    slack_user_id=user_id,
                    manager_user_id=manager_id,
                    imported_at=clock.now(),
                )
            )


def test_management_chains_walk_up_the_tree_and_through_participants(sessions, clock, workspace_id):
    with sessions() as session:
        team_id = session.get(Workspace, workspace_id).slack_team_id
    # ceo <- vp <- (lead, lead2) ; lead <- ic ; a participant outside the directory
    # reports to ic; the CEO's own manager is only known from their participant row.
    add_entries(
        sessions,
        clock,
        workspace_id,
        {"UCEO": None, "UVP": "UCEO", "ULEAD": "UVP", "ULEAD2": "UVP", "UIC": "ULEAD"},
    )
    join(sessions, clock, "UINTERN", team_id=team_id, manager_user_id="UIC")
    join(sessions, clock, "UCEO", team_id=team_id, manager_user_id="UBOARD")
    with sessions() as session:
        chains = management_chains(session, workspace_id)
    assert chains == {
        "UCEO": frozenset({"UBOARD"}),
        "UVP": frozenset({"UCEO", "UBOARD"}),
        "ULEAD": frozenset({"UVP", "UCEO", "UBOARD"}),
        "ULEAD2": frozenset({"UVP", "UCEO", "UBOARD"}),
        "UIC": frozenset({"ULEAD", "UVP", "UCEO", "UBOARD"}),
        "UINTERN": frozenset({"UIC", "ULEAD", "UVP", "UCEO", "UBOARD"}),
    }


def test_management_chains_survive_cycles_and_long_chains(sessions, clock, workspace_id):
    managers: dict[str, str | None] = {"UA": "UB", "UB": "UC", "UC": "UA", "UX": "UA"}
    managers |= {f"UL{i}": f"UL{i + 1}" for i in range(2000)}  # deeper than any recursion
    add_entries(sessions, clock, workspace_id, managers)
    with sessions() as session:
        chains = management_chains(session, workspace_id)
    assert chains["UA"] == frozenset({"UB", "UC"})
    assert chains["UC"] == frozenset({"UA", "UB"})
    assert chains["UX"] == frozenset({"UA", "UB", "UC"})
    assert chains["UL0"] == frozenset(f"UL{i}" for i in range(1, 2001))
    assert chains["UL1999"] == frozenset({"UL2000"})


def test_enrich_from_directory_fills_only_what_the_person_left_empty(
    sessions, clock, workspace_id, new_id
):
    with sessions.begin() as session:
        team_id = session.get(Workspace, workspace_id).slack_team_id
        session.add(
            DirectoryEntry(
                workspace_id=workspace_id,
                slack_user_id="UADA",
                email="ada@example.com",
                department="Data",
                title="Analyst",
                seniority=2,
                manager_user_id="UBOSS",
                imported_at=clock.now(),
            )
        )
    join(sessions, clock, "UADA", team_id=team_id, department="Typed in the modal")
    join(sessions, clock, "UNOBODY", team_id=team_id)
    with sessions.begin() as session:
        for user_id in ("UADA", "UNOBODY"):
            enrich_from_directory(
                session,
                session.scalars(
                    select(Person).where(
                        Person.workspace_id == workspace_id, Person.slack_user_id == user_id
                    )
                ).one(),
            )
    with sessions() as session:
        ada, nobody = (
            session.scalars(
                select(Person).where(
                    Person.workspace_id == workspace_id, Person.slack_user_id == user_id
                )
            ).one()
            for user_id in ("UADA", "UNOBODY")
        )
    assert (ada.department, ada.title, ada.seniority, ada.email, ada.manager_user_id) == (
        "Typed in the modal",
        "Analyst",
        2,
        "ada@example.com",
        "UBOSS",
    )
    assert (nobody.department, nobody.title, nobody.email) == (None, None, None)


# --- the CLI, as an operator runs it ----------------------------------------------------------


def run_cli(
    env: dict[str, str], *args: str | Path, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "import", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def cli_env(migrated_url, fake_slack) -> dict[str, str]:
    return app_env(migrated_url, fake_slack.url, free_port())


def test_cli_imports_a_file_with_a_progress_bar_and_a_summary(cli_env, sessions, tmp_path, someone):
    (boss, boss_email), (ada, ada_email) = someone(), someone()
    people = tmp_path / "people.csv"
    people.write_text(
        HEADER + f"{boss_email},Exec,CEO,executive,\n{ada_email},Data,Analyst,1,{boss_email}\n",
        encoding="utf-8-sig",
    )
    result = run_cli(cli_env, people)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2 rows: 2 imported (0 participants updated), 0 skipped\n"
    assert "importing" in result.stderr
    assert "2/2" in result.stderr
    stored = entry(sessions, ada)
    assert (stored.department, stored.manager_user_id) == ("Data", boss)


def test_cli_dry_run_reports_the_same_but_writes_nothing(
    cli_env, sessions, fake_slack, tmp_path, someone
):
    (ada, ada_email), (_, stranger) = someone(), someone(in_slack=False)
    people = tmp_path / "people.csv"
    people.write_text(HEADER + f"{ada_email},Data,,,\n{stranger},Data,,,\n")
    result = run_cli(cli_env, people, "--dry-run")
    assert result.returncode == 1, result.stderr
    assert result.stdout == (
        "line 3: no Slack user with that email\n"
        "2 rows: 1 would import (0 participants updated), 1 skipped\n"
    )
    assert sorted(looked_up(fake_slack)) == sorted([ada_email, stranger])
    assert entry(sessions, ada) is None


def test_cli_reports_bad_rows_by_line_and_keeps_the_good_ones(cli_env, sessions, tmp_path, someone):
    (ada, ada_email), (bob, bob_email) = someone(), someone()
    (left, left_email), (_, unknown_manager) = someone(deleted=True), someone(in_slack=False)
    people = tmp_path / "people.csv"
    people.write_text(
        HEADER
        + f"{ada_email},Data,Analyst,junior,\n"  # 2
        + "nobody@example.com,Data,,,\n"  # 3
        + f"{bob_email},Sales,,guru,\n"  # 4
        + f"{left_email},,,,\n"  # 5
        + "\n"  # 6: blank
        + f"{ada_email},Data,,,\n"  # 7
        + f"{bob_email},Sales,Rep,2,{unknown_manager}\n"  # 8
        + ",,Title only,,\n"  # 9
    )
    result = run_cli(cli_env, people)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "line 3: no Slack user with that email",
        "line 4: seniority 'guru' is not 1-5 or one of: early career (or junior), "
        "established (or mid), senior, director, executive (or vp, c-level)",
        "line 5: that Slack user is deactivated",
        "line 7: duplicate of line 2",
        f"line 8: warning: manager {unknown_manager} has no Slack user; manager left unset",
        "line 9: needs an email or a slack_id",
        "7 rows: 2 imported (0 participants updated), 5 skipped",
    ]
    assert entry(sessions, ada).title == "Analyst"
    assert (entry(sessions, bob).title, entry(sessions, bob).manager_email) == (
        "Rep",
        unknown_manager,
    )
    assert entry(sessions, left) is None


def test_cli_without_a_token_or_a_readable_file_says_so_in_one_line(tmp_path, fake_slack):
    env = app_env(f"sqlite:///{tmp_path / 'never.db'}", fake_slack.url, free_port())
    people = tmp_path / "people.csv"
    people.write_text(HEADER)

    no_token = run_cli({**env, "SLACK_BOT_TOKEN": ""}, people)
    assert no_token.returncode == 2
    assert no_token.stdout == ""
    assert no_token.stderr.startswith("upward: SLACK_BOT_TOKEN is not set (or SLACK_CLIENT_ID")
    assert len(no_token.stderr.splitlines()) == 1

    missing = run_cli(env, tmp_path / "missing.csv")
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr.splitlines() == [
        f"upward: cannot read {tmp_path / 'missing.csv'}: No such file or directory"
    ]

    (tmp_path / "latin1.csv").write_bytes(b"email,department\nx@example.com,R\xe9seau\n")
    latin1 = run_cli(env, tmp_path / "latin1.csv")
    assert latin1.returncode == 2
    assert latin1.stderr.splitlines() == [
        f"upward: {tmp_path / 'latin1.csv'} is not UTF-8 text (line 2); "
        'save it as "CSV UTF-8" and try again'
    ]
    assert not (tmp_path / "never.db").exists()
