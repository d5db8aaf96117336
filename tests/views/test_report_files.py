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
from datetime import date, timedelta

import pytest
from matplotlib.figure import Figure

from bot.copy import UNMATCHED_FOR_LEAD
from bot.shapes.report import Report, WeekActivity, aggregate
from bot.views.report_chart import MAX_WEEK_LABELS, _weekly_panel, report_chart
from bot.views.report_files import report_csv, report_json, report_markdown
from tests.support import ROOT
from tests.support.programs import enrolled_program, matched_program
from tests.support.report_samples import (
    BLOCKERS,
    LEARNED,
    empty_report,
    person_row,
    sample_report,
    shared_comment,
)

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
    "commitments_shared",
]


def small_groups_report() -> Report:
    """Two mentors rated their pairs, no mentee has yet, and six people were asked."""
    engagement = replace(
        sample_report().engagement,
        response_rate=aggregate(0.8, 6),
        rating_mentors=aggregate(4.5, 2),  # two people: must never show
        rating_mentees=aggregate(None, 0),
    )
    return sample_report(engagement=engagement)


def read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    assert data.startswith(BOM)
    reader = csv.DictReader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


# --- CSV -------------------------------------------------------------------------------


def test_csv_has_one_row_per_person_and_pair_under_the_documented_header():
    header, rows = read_csv(report_csv(sample_report()))
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
    report = sample_report(
        program_name=text, rows=(person_row("U1", department=text, title=text, email=text),)
    )
    (row,) = read_csv(report_csv(report))[1]
    for column in ("program", "department", "title", "email"):
        assert row[column] == "'" + text


def test_csv_leaves_ordinary_text_and_numbers_alone():
    report = sample_report(rows=(person_row("U1", department="R&D - EMEA", title="Head of Data"),))
    (row,) = read_csv(report_csv(report))[1]
    assert (row["department"], row["title"], row["sessions_live"]) == (
        "R&D - EMEA",
        "Head of Data",
        "0",
    )


def test_csv_carries_no_ratings_or_comments():
    engagement = replace(sample_report().engagement, rating_mentees=aggregate(3.7, 5))
    text = report_csv(sample_report(engagement=engagement)).decode("utf-8-sig")
    assert "rating" not in text.splitlines()[0]
    assert "3.7" not in text
    assert "4.3" not in text  # the sample's mentors' rating
    assert "prompt chaining" not in text
    assert "calendars" not in text


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_has_every_section_of_the_report():
    text = report_markdown(sample_report())
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
    assert "| Joined | 10 | 8 | 18 |" in text
    assert "| 2026-09-07 | 3 | 1 | 1 | 1 |" in text
    assert "Short of mentors: AI and new tools (2 mentees)." in text
    assert "program 7 (started 2026-09-07, 12 weeks). Generated 2026-11-23 09:00 UTC." in text
    assert "Thank-yous sent to mentors: 2" in text
    assert LEARNED in text


def test_markdown_hides_aggregates_of_fewer_than_three_people():
    text = report_markdown(small_groups_report())
    assert "4.5" not in text
    assert "Rating given by mentors: hidden (fewer than 3 people)" in text
    assert "Rating given by mentees: no answers yet" in text
    assert "Check-in response rate: 80% (6 people)" in text


def test_markdown_says_why_in_words_and_names_people_by_their_slack_id():
    text = report_markdown(sample_report())
    assert (
        "- Pair 12: UMENTOR12 (mentor) and UMENTEE12 (mentee): no session for 3 weeks; "
        "the mentee skipped or snoozed two prompts in a row. At risk since 2026-11-09."
    ) in text
    assert f"- UWAIT1 (mentor): {UNMATCHED_FOR_LEAD['no_skill_fit']}" in text
    assert "no_activity" not in text
    assert "<@" not in text


def test_markdown_escapes_what_people_typed():
    comment = shared_comment(1, "red \x1b[31malert\x07", BLOCKERS)
    text = report_markdown(sample_report(program_name="Q1 | *all* <b>", shared_comments=(comment,)))
    assert "red \\[31malert" in text
    assert "\x1b" not in text
    assert "Q1 \\| \\*all\\* \\<b\\>" in text
    assert "<script>" not in text
    assert "calendars \\| never" in text


def test_markdown_of_an_empty_program_says_so():
    text = report_markdown(empty_report())
    for words in (
        "no start date yet",
        "No activity yet.",
        "Nobody is waiting.",
        "None: every active pair is on track.",
        "Check-in response rate: no answers yet",
    ):
        assert words in text


# --- JSON ------------------------------------------------------------------------------


def test_json_round_trips_with_dates_enums_and_min_group():
    text = report_json(sample_report())
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["min_group"] == 3
    assert data["generated_at"] == "2026-11-23T09:00:00+00:00"
    assert data["start_date"] == "2026-09-07"
    assert data["funnel"][0] == {"stage": "joined", "mentors": 10, "mentees": 8}
    assert data["at_risk"][0]["reasons"] == ["no_activity", "senior_skipping"]
    assert len(data["rows"]) == 3


def test_json_marks_hidden_aggregates_and_leaves_their_value_out():
    text = report_json(small_groups_report())
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
        sample_report(),
        empty_report(),
        # Weeks but nothing happened in them yet.
        empty_report(weekly=(WeekActivity(date(2026, 11, 16), 0, 0, 0, 0),)),
        # "$" would start TeX in matplotlib text; a program name is only a name.
        sample_report(program_name="Budget $ team $$ 100% _x_ ^"),
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
    assert png_size(report_chart(sample_report(weekly=weeks)))[0] > 0


def test_chart_is_the_same_for_the_same_report():
    assert report_chart(sample_report()) == report_chart(sample_report())


def test_chart_never_loads_pyplot():
    # pyplot keeps global figures and may pick a GUI backend: not in a server.
    code = (
        "import sys\n"
        "from tests.support.report_samples import empty_report, sample_report\n"
        "from bot.views.report_chart import report_chart\n"
        "report_chart(sample_report()); report_chart(empty_report())\n"
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
    pytest.importorskip("bot.services.reports.report")
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
