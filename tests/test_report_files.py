"""The report as files: CSV, Markdown, JSON, the PNG chart, and `python -m bot report`."""

from __future__ import annotations

import csv
import io
import json
import os
import struct
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from matplotlib.figure import Figure

from bot.copy import UNMATCHED_FOR_LEAD
from bot.services.report_model import (
    AtRiskPair,
    Engagement,
    FunnelStage,
    PairCounts,
    PersonRow,
    Recognition,
    Report,
    RiskReason,
    SharedComment,
    SkillBalance,
    Stage,
    WaitingPerson,
    WeekActivity,
    aggregate,
)
from bot.views.report_chart import MAX_WEEK_LABELS, _weekly_panel, report_chart
from bot.views.report_files import report_csv, report_json, report_markdown
from tests.conftest import ROOT
from tests.engine_setup import enrolled_program, matched_program

BOM = b"\xef\xbb\xbf"
HEADER = [
    "program",
    "user_id",
    "role",
    "status",
    "department",
    "title",
    "email",
    "joined_at",
    "waiting_reason",
    "pair_id",
    "partner_user",
    "pair_status",
    "pair_started",
    "pair_ended",
    "prompts_delivered",
    "sessions_live",
    "sessions_async",
    "weeks_skipped",
    "last_session_at",
    "at_risk",
    "checkins_asked",
    "checkins_answered",
]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LEARNED = "Learned how prompt chaining works"
BLOCKERS = "Our calendars | never line up <script>"


def person(user_id: str, **changes: object) -> PersonRow:
    row = PersonRow(
        user_id=user_id,
        role="mentor",
        status="active",
        department="Data",
        title="Analyst",
        email=f"{user_id.lower()}@example.com",
        joined_at=datetime(2026, 9, 1, 10, 0, tzinfo=UTC),
        waiting_reason=None,
    )
    return replace(row, **changes)


def full_report(**changes: object) -> Report:
    """A program in its eleventh week, with something in every section."""
    weeks = tuple(
        WeekActivity(date(2026, 9, 7) + timedelta(weeks=i), 3, i % 2 + 1, 1, int(i % 3 == 0))
        for i in range(11)
    )
    report = Report(
        team_id="T0REPORT1",
        program_id=7,
        program_name="Autumn cohort",
        start_date=date(2026, 9, 7),
        length_weeks=12,
        generated_at=NOW,
        funnel=(
            FunnelStage(Stage.JOINED, 5, 4),
            FunnelStage(Stage.MATCHED, 3, 3),
            FunnelStage(Stage.FIRST_SESSION, 3, 3),
            FunnelStage(Stage.THREE_SESSIONS, 2, 2),
            FunnelStage(Stage.COMPLETED, 0, 0),
        ),
        pairs=PairCounts(active=3, at_risk=1, ended=1, completed=0, ended_early=1),
        at_risk=(
            AtRiskPair(
                pair_id=12,
                mentor_user="UMENTOR01",
                mentee_user="UMENTEE01",
                channel_id="C0PAIR012",
                reasons=(RiskReason.NO_ACTIVITY, RiskReason.SENIOR_SKIPPING),
                idle_weeks=3,
                detail=None,
                since=datetime(2026, 11, 9, 9, 0, tzinfo=UTC),
                nudged_at=None,
            ),
        ),
        engagement=Engagement(
            prompts_delivered=33,
            prompts_engaged=25,
            sessions_live=16,
            sessions_async=11,
            weeks_skipped=4,
            checkins_asked=20,
            checkins_answered=16,
            response_rate=aggregate(0.8, 6),
            rating_mentors=aggregate(4.5, 2),  # two people: must never show
            rating_mentees=aggregate(None, 0),
        ),
        skills=(
            SkillBalance("ai-tools", "AI tools", wanted=4, offered=1, capacity=2, focus=True),
            SkillBalance("data-analytics", "Data analytics", 1, 2, 4, focus=False),
        ),
        waitlist=(
            WaitingPerson("UWAIT0001", "mentee", "no_skill_fit", datetime(2026, 9, 1, tzinfo=UTC)),
        ),
        recognition=Recognition(thanked=2, shoutouts=1),
        weekly=weeks,
        shared_comments=(
            SharedComment("UMENTEE02", "mentee", LEARNED, BLOCKERS, NOW - timedelta(days=2)),
        ),
        rows=(
            person(
                "UMENTOR01",
                pair_id=12,
                partner_user="UMENTEE01",
                pair_status="active",
                pair_started=datetime(2026, 9, 1, 12, 0, tzinfo=UTC),
                prompts_delivered=11,
                sessions_live=5,
                sessions_async=2,
                weeks_skipped=2,
                last_session_at=datetime(2026, 10, 30, 15, 0, tzinfo=UTC),
                at_risk="no_activity+senior_skipping",
                checkins_asked=5,
                checkins_answered=4,
            ),
            person(
                "UMENTEE01",
                role="mentee",
                title="CFO",
                pair_id=12,
                partner_user="UMENTOR01",
                pair_status="active",
            ),
            person("UWAIT0001", role="mentee", waiting_reason="no_skill_fit"),
        ),
    )
    return replace(report, **changes)


def empty_report(**changes: object) -> Report:
    """A program nobody has joined yet."""
    report = replace(
        full_report(),
        start_date=None,
        funnel=tuple(FunnelStage(stage, 0, 0) for stage in Stage),
        pairs=PairCounts(0, 0, 0, 0, 0),
        at_risk=(),
        engagement=Engagement(0, 0, 0, 0, 0, 0, 0, *(aggregate(None, 0),) * 3),
        skills=(),
        waitlist=(),
        recognition=Recognition(0, 0),
        weekly=(),
        shared_comments=(),
        rows=(),
    )
    return replace(report, **changes)


def read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    assert data.startswith(BOM)
    reader = csv.DictReader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


# --- CSV -------------------------------------------------------------------------------


def test_csv_has_one_row_per_person_and_pair_under_the_documented_header():
    header, rows = read_csv(report_csv(full_report()))
    assert header == HEADER
    assert len(rows) == 3
    mentor, _, waiting = rows
    assert mentor["program"] == "Autumn cohort"
    assert mentor["joined_at"] == "2026-09-01T10:00:00+00:00"
    assert mentor["pair_id"] == "12"
    assert mentor["at_risk"] == "no_activity+senior_skipping"
    assert (mentor["pair_ended"], mentor["waiting_reason"]) == ("", "")
    assert (waiting["pair_id"], waiting["waiting_reason"]) == ("", "no_skill_fit")


def test_csv_of_a_report_without_rows_is_only_the_header():
    header, rows = read_csv(report_csv(empty_report()))
    assert (header, rows) == (HEADER, [])


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("https://evil.example","x")', "+1 555", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_csv_makes_a_formula_looking_cell_plain_text(text):
    report = full_report(
        program_name=text, rows=(person("U1", department=text, title=text, email=text),)
    )
    (row,) = read_csv(report_csv(report))[1]
    for column in ("program", "department", "title", "email"):
        assert row[column] == "'" + text


def test_csv_leaves_ordinary_text_and_numbers_alone():
    report = full_report(rows=(person("U1", department="R&D - EMEA", title="Head of Data"),))
    (row,) = read_csv(report_csv(report))[1]
    assert (row["department"], row["title"], row["sessions_live"]) == (
        "R&D - EMEA",
        "Head of Data",
        "0",
    )


def test_csv_carries_no_ratings_or_comments():
    engagement = replace(full_report().engagement, rating_mentees=aggregate(3.7, 5))
    text = report_csv(full_report(engagement=engagement)).decode("utf-8-sig")
    assert "rating" not in text.splitlines()[0]
    assert "3.7" not in text
    assert "prompt chaining" not in text
    assert "calendars" not in text


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_has_every_section_of_the_report():
    text = report_markdown(full_report())
    for heading in (
        "# Reverse mentoring report: Autumn cohort",
        "## Funnel",
        "## Pairs",
        "## At-risk pairs",
        "## Engagement",
        "## Skills: demand and supply",
        "## Waiting list",
        "## Recognition",
        "## Weekly activity",
        "## Shared comments",
    ):
        assert heading + "\n" in text
    assert "| Joined | 5 | 4 | 9 |" in text
    assert "| 2026-09-07 | 3 | 1 | 1 | 1 |" in text
    assert "Short of mentors: AI tools (2 mentees)." in text
    assert "program 7 (started 2026-09-07, 12 weeks). Generated 2026-11-23 09:00 UTC." in text
    assert "Thank-yous sent to mentors: 2" in text
    assert LEARNED in text


def test_markdown_hides_aggregates_of_fewer_than_three_people():
    text = report_markdown(full_report())
    assert "4.5" not in text
    assert "Rating given by mentors: hidden (fewer than 3 people)" in text
    assert "Rating given by mentees: no answers yet" in text
    assert "Check-in response rate: 80% (6 people)" in text


def test_markdown_says_why_in_words_and_names_people_by_their_slack_id():
    text = report_markdown(full_report())
    assert (
        "- Pair 12: UMENTOR01 (mentor) and UMENTEE01 (mentee): no session for 3 weeks; "
        "the mentee skipped or snoozed two prompts in a row. At risk since 2026-11-09."
    ) in text
    assert f"- UWAIT0001 (mentee): {UNMATCHED_FOR_LEAD['no_skill_fit']}" in text
    assert "no_activity" not in text
    assert "<@" not in text


def test_markdown_escapes_what_people_typed():
    comment = SharedComment("U2", "mentor", "red \x1b[31malert\x07", BLOCKERS, NOW)
    text = report_markdown(full_report(program_name="Q1 | *all* <b>", shared_comments=(comment,)))
    assert "red \\[31malert" in text
    assert "\x1b" not in text
    assert "Q1 \\| \\*all\\* \\<b\\>" in text
    assert "<script>" not in text
    assert "calendars \\| never" in text


def test_markdown_of_an_empty_program_says_so():
    text = report_markdown(empty_report())
    assert "no start date yet" in text
    assert "No activity yet." in text
    assert "Nobody is waiting." in text
    assert "None: every active pair is on track." in text
    assert "Check-in response rate: no answers yet" in text


# --- JSON ------------------------------------------------------------------------------


def test_json_round_trips_with_dates_enums_and_min_group():
    text = report_json(full_report())
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["min_group"] == 3
    assert data["generated_at"] == "2026-11-23T09:00:00+00:00"
    assert data["start_date"] == "2026-09-07"
    assert data["funnel"][0] == {"stage": "joined", "mentors": 5, "mentees": 4}
    assert data["at_risk"][0]["reasons"] == ["no_activity", "senior_skipping"]
    assert len(data["rows"]) == 3


def test_json_marks_hidden_aggregates_and_leaves_their_value_out():
    text = report_json(full_report())
    engagement = json.loads(text)["engagement"]
    assert engagement["rating_mentors"] == {"value": None, "people": 2, "hidden": True}
    assert engagement["rating_mentees"] == {"value": None, "people": 0, "hidden": False}
    assert engagement["response_rate"] == {"value": 0.8, "people": 6, "hidden": False}
    assert "4.5" not in text


# --- the chart ---------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize(
    "report",
    [
        full_report(),
        empty_report(),
        # Weeks but nothing happened in them yet.
        replace(empty_report(), weekly=(WeekActivity(date(2026, 11, 16), 0, 0, 0, 0),)),
        # "$" would start TeX in matplotlib text; a program name is only a name.
        full_report(program_name="Budget $ team $$ 100% _x_ ^"),
    ],
    ids=["full", "empty", "quiet-week", "dollar-name"],
)
def test_chart_is_a_slide_sized_png(report):
    width, height = png_size(report_chart(report))
    assert 1400 <= width <= 1800
    assert 800 <= height <= 1000


def test_chart_labels_at_most_a_dozen_weeks_of_a_long_program():
    weeks = tuple(
        WeekActivity(date(2026, 6, 1) + timedelta(weeks=i), 5, 2, 2, 1) for i in range(52)
    )
    ax = Figure().subplots()
    _weekly_panel(ax, weeks)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert 1 < len(labels) <= MAX_WEEK_LABELS
    assert labels[0] == "1 Jun\n2026"
    assert any(label.endswith("\n2027") for label in labels)  # the new year is marked
    assert png_size(report_chart(full_report(weekly=weeks)))[0] > 0


def test_chart_is_the_same_for_the_same_report():
    assert report_chart(full_report()) == report_chart(full_report())


def test_chart_never_loads_pyplot():
    # pyplot keeps global figures and may pick a GUI backend: not in a server.
    code = (
        "import sys\n"
        "from tests.test_report_files import empty_report, full_report\n"
        "from bot.views.report_chart import report_chart\n"
        "report_chart(full_report()); report_chart(empty_report())\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "False\n"


# --- python -m bot report ------------------------------------------------------------------


@pytest.fixture
def report_env(own_url) -> dict[str, str]:
    """The CLI's environment: a database, and no Slack settings at all."""
    pytest.importorskip("bot.services.report")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTOR_"))}
    env["DATABASE_URL"] = own_url
    return env


def run_report(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "report", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_cli_prints_the_only_workspaces_report_as_json(
    report_env, own_sessions, own_url, fake_slack, new_id
):
    program = matched_program(own_sessions, fake_slack, new_id, own_url)
    result = run_report(report_env, "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert data["team_id"] == program.team
    assert data["min_group"] == 3
    funnel = {stage["stage"]: stage for stage in data["funnel"]}
    assert (funnel["joined"]["mentors"], funnel["joined"]["mentees"]) == (3, 3)
    assert (funnel["matched"]["mentors"], funnel["matched"]["mentees"]) == (3, 3)
    assert data["pairs"]["active"] == 3
    # Nobody has rated anything: no number, and not "hidden" either.
    assert data["engagement"]["rating_mentors"] == {"value": None, "people": 0, "hidden": False}
    assert data["rows"] == []  # people's details only go in the CSV


def test_cli_writes_markdown_by_default_and_a_csv_file_on_request(
    report_env, own_sessions, own_url, fake_slack, new_id, tmp_path
):
    program = matched_program(own_sessions, fake_slack, new_id, own_url)
    markdown = run_report(report_env, "--team", program.team)
    assert markdown.returncode == 0, markdown.stderr.decode()
    assert b"## Funnel" in markdown.stdout
    target = tmp_path / "report.csv"
    result = run_report(
        report_env, "--team", program.team, "--format", "csv", "--output", str(target)
    )
    assert result.returncode == 0, result.stderr.decode()
    assert str(target).encode() in result.stdout
    header, rows = read_csv(target.read_bytes())
    assert header == HEADER
    assert len(rows) == 6  # three pairs, one row for each person in them
    assert {row["user_id"] for row in rows} == {
        user for p in program.pairs for user in (p.mentor, p.mentee)
    }


def test_cli_unknown_program_is_one_line_and_exit_2(
    report_env, own_sessions, own_url, fake_slack, new_id
):
    program = enrolled_program(own_sessions, fake_slack, new_id, own_url)
    result = run_report(report_env, "--team", program.team, "--program", "No such program")
    assert result.returncode == 2
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("upward: ")


def test_cli_asks_for_a_team_when_there_are_several(
    report_env, own_sessions, own_url, fake_slack, new_id
):
    for _ in range(2):
        enrolled_program(own_sessions, fake_slack, new_id, own_url)
    result = run_report(report_env)
    assert result.returncode == 2
    (line,) = result.stderr.decode().splitlines()
    assert "--team" in line
