"""The report's outcomes section: exact numbers on a hand-built cohort
(tests/support/report_outcomes.py), the privacy floor, and people who paused or left."""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import asdict

import pytest

from bot.sandbox.fakeslack.blockkit import check_message_blocks, check_view
from bot.services.outcomes.surveys import SurveyService
from bot.services.reports.report import ReportService
from bot.shapes.report import Moment, Participation
from bot.views.dashboard import dashboard_blocks
from bot.views.report import report_message
from bot.views.report_files import outcomes_csv, report_csv, report_json, report_markdown
from tests.support import FixedClock
from tests.support.report_outcomes import (
    OTHER_SECRET,
    SECRET_EVIDENCE,
    SECRET_TEXTS,
    SHARED_TEXTS,
    build_outcomes,
)
from tests.support.reports import NOW, ScenarioBuilder
from tests.support.text_objects import mrkdwn_text, plain_text
from tests.views.test_report_files import read_csv, run_report

MENTOR, MENTEE = "mentor", "mentee"


@pytest.fixture
def cohort(own_sessions, new_id) -> ScenarioBuilder:
    return build_outcomes(ScenarioBuilder(own_sessions, new_id))


def report_of(sessions, builder: ScenarioBuilder, **kwargs):
    return ReportService(sessions, FixedClock(NOW)).build(builder.scenario.team, None, **kwargs)


def confidence(role_outcomes) -> dict[str, tuple]:
    return {
        c.area: (c.people, c.before, c.after, c.change)
        for c in (role_outcomes.overall, *role_outcomes.confidence)
    }


def test_confidence_changes_per_area_and_role_over_people_who_answered_both(own_sessions, cohort):
    outcomes = report_of(own_sessions, cohort).outcomes
    juniors, seniors = outcomes.role(MENTOR), outcomes.role(MENTEE)
    assert confidence(juniors) == {
        # Every area shown (not data-analytics); j5 skipped the end, so is not in it.
        "": (4, 2.0, 3.5, 1.5),
        "feedback_to_senior": (4, 1.5, 3.5, 2.0),
        "ai-tools": (4, 3.0, 4.5, 1.5),
        "influencing_a_decision": (4, 1.0, 2.5, 1.5),
        "running_a_session": (4, 2.5, 3.5, 1.0),
        "data-analytics": (2, None, None, None),  # two people: hidden
    }
    # Biggest change first, hidden last; areas in words.
    assert [c.name for c in juniors.confidence] == [
        "Giving feedback to a senior person",
        "AI and new tools",
        "Influencing a decision",
        "Running a session",
        "Data analytics",
    ]
    assert juniors.confidence[-1].hidden
    assert confidence(seniors) == {"": (4, 2.0, 3.0, 1.0), "ai-tools": (4, 2.0, 3.0, 1.0)}


def test_who_was_asked_what_each_person_once(own_sessions, cohort):
    outcomes = report_of(own_sessions, cohort).outcomes
    assert outcomes.role(MENTOR).participation == (
        Participation(Moment.BEFORE, MENTOR, 5, 5, 0),
        Participation(Moment.AFTER, MENTOR, 5, 4, 1),
        Participation(Moment.END, MENTOR, 5, 4, 1),
        # j1 (two pairs) once; j3's is planned for tomorrow: not asked yet.
        Participation(Moment.DAY_60, MENTOR, 2, 2, 0),
    )
    assert outcomes.role(MENTEE).participation == (
        Participation(Moment.BEFORE, MENTEE, 4, 4, 0),
        Participation(Moment.AFTER, MENTEE, 4, 4, 0),
        Participation(Moment.END, MENTEE, 4, 3, 1),
        Participation(Moment.DAY_30, MENTEE, 3, 2, 0),
        # s3 left after answering: kept, and counted once.
        Participation(Moment.DAY_60, MENTEE, 3, 3, 0),
    )


def test_signal_rates_per_checkpoint_and_role(own_sessions, cohort):
    outcomes = report_of(own_sessions, cohort).outcomes
    (end, day60) = outcomes.role(MENTOR).signals
    assert (end.checkpoint, day60.checkpoint) == (Moment.END, Moment.DAY_60)
    assert (end.would_again.value, end.would_again.people) == (0.75, 4)
    assert (end.recommend.value, end.recommend.people) == (0.75, 4)
    assert end.sponsored is not None
    assert (end.sponsored.value, end.sponsored.people) == (0.5, 4)
    # Two juniors answered 60 days on: every rate hidden.
    assert day60.sponsored is not None
    for rate in (day60.would_again, day60.recommend, day60.sponsored):
        assert (rate.value, rate.people, rate.hidden) == (None, 2, True)
    (end, day60) = outcomes.role(MENTEE).signals
    assert end.would_again.value == pytest.approx(2 / 3)
    assert end.recommend.value == pytest.approx(2 / 3)
    assert end.sponsored is None  # never asked of seniors
    assert (day60.would_again.value, day60.recommend.value, day60.would_again.people) == (
        1.0,
        1.0,
        3,
    )


def test_commitments_are_counted_at_their_latest_follow_up(own_sessions, cohort):
    counts = report_of(own_sessions, cohort).outcomes.commitments
    assert (counts.seniors, counts.made, counts.shared) == (3, 5, 2)
    # s1's first: in progress at 30 days, done at 60; s1's second: done at 30 days;
    # s2's: dropped at 60; s3's first: in progress at 60; s3's second: never followed up.
    assert (counts.kept, counts.in_progress, counts.dropped, counts.no_answer) == (2, 1, 1, 1)
    assert not counts.hidden


def test_only_shared_commitments_reach_the_lead_and_never_how_they_go(own_sessions, cohort):
    report = report_of(own_sessions, cohort, detail=True)
    shared = report.outcomes.shared_commitments
    assert {(c.senior_user, c.text) for c in shared} == {
        (cohort.scenario.users["s1"], text) for text in SHARED_TEXTS
    }
    everything = repr(asdict(report))
    for secret in (*SECRET_TEXTS, OTHER_SECRET, SECRET_EVIDENCE, "Demo booked"):
        assert secret not in everything
    assert "dropped" not in repr([asdict(c) for c in shared])


def test_fewer_than_three_seniors_hide_the_commitment_counts(own_sessions, new_id):
    b = ScenarioBuilder(own_sessions, new_id)
    for name in ("j1", "s1", "s2"):
        b.person(name, "mentee" if name.startswith("s") else "mentor", skills=["ai-tools"])
    for name in ("s1", "s2"):
        survey = b.survey(name, "end", role="mentee", would_again="yes", recommend="yes")
        b.commitment(name, survey, 1, f"{name} will listen more")
        b.assessment(name, "before", {"ai-tools": 2})
        b.assessment(name, "after", {"ai-tools": 5})
    outcomes = report_of(own_sessions, b).outcomes
    counts = outcomes.commitments
    assert counts.hidden
    assert (counts.seniors, counts.made, counts.kept, counts.dropped) == (2, None, None, None)
    seniors = outcomes.role(MENTEE)
    (ai_tools,) = seniors.confidence
    assert (ai_tools.people, ai_tools.before, ai_tools.after, ai_tools.hidden) == (
        2,
        None,
        None,
        True,
    )
    # No area has three people, so "all areas shown" has nobody in it.
    assert (seniors.overall.people, seniors.overall.before) == (0, None)
    (end,) = seniors.signals
    assert (end.would_again.value, end.would_again.hidden) == (None, True)
    assert outcomes.shared_commitments == ()


def test_the_csv_rows_carry_shared_commitments_but_not_who_answered(own_sessions, cohort):
    """People are told leads see only totals over three people: so no per-person column
    says who answered or skipped; a count of shared commitments is theirs to give."""
    report = report_of(own_sessions, cohort, detail=True)
    users = cohort.scenario.users
    assert [row.commitments_shared for row in report.rows if row.user_id == users["s1"]] == [2]
    assert sum(row.commitments_shared for row in report.rows if row.user_id != users["s1"]) == 0
    header = report_csv(report).decode("utf-8-sig").splitlines()[0].split(",")
    outcome_columns = [c for c in header if c.startswith(("survey", "assessment", "would"))]
    assert outcome_columns == []
    assert header[-1] == "commitments_shared"


def test_the_partner_still_sees_commitments_only_as_the_survey_shows_them(own_sessions, cohort):
    """The report changes nothing of what a partner sees: j2 sees s2's commitment in App
    Home (not whether it was dropped); s2 sees nothing of j2's answers."""
    surveys = SurveyService(own_sessions, FixedClock(NOW))
    team, users = cohort.scenario.team, cohort.scenario.users
    (seen,) = surveys.commitments_for_home(team, users["j2"])
    assert (seen.senior_user, seen.texts, seen.mine) == (users["s2"], (SECRET_TEXTS[0],), False)
    assert SECRET_EVIDENCE not in repr(seen)
    assert "dropped" not in repr(seen)
    (own,) = surveys.commitments_for_home(team, users["s2"])
    assert own.mine


def test_a_program_nobody_was_asked_about_has_no_outcomes(own_sessions, new_id):
    b = ScenarioBuilder(own_sessions, new_id)
    b.person("j1", "mentor", skills=["ai-tools"])
    outcomes = report_of(own_sessions, b).outcomes
    assert not outcomes.asked
    assert all(not r.participation and not r.signals for r in outcomes.roles)
    assert outcomes.commitments.seniors == 0


def test_what_a_lead_can_show_a_sponsor_from_slack_and_every_file(own_sessions, cohort):
    """The same numbers in the report, App Home, both CSVs, Markdown and JSON; the shared
    commitments escaped in Slack; nothing unshared, and no evidence, anywhere."""
    report = report_of(own_sessions, cohort, detail=True)
    message = report_message(report)
    blocks = [b.to_dict() for b in message.blocks]  # slack_sdk's validators run here
    assert check_message_blocks(blocks) is None
    slack = json.dumps(blocks, ensure_ascii=False)
    home = [b.to_dict() for b in dashboard_blocks(report, [])]
    assert check_view({"type": "home", "blocks": home}, view_type="home") is None
    home_text = json.dumps(home, ensure_ascii=False)
    markdown = report_markdown(report)
    people_csv = report_csv(report).decode("utf-8-sig")
    outcomes = outcomes_csv(report).decode("utf-8-sig")
    as_json = report_json(report)

    assert "Giving feedback to a senior person: *1.5 → 3.5* (+2.0; 4 people)" in slack
    assert "All areas shown: *2.0 → 3.0* (+1.0; 4 people)" in slack  # the seniors
    assert "would take part again *75%*" in slack
    assert "*Seniors' commitments* (3 seniors): 5 made · 2 kept" in slack
    # A shared commitment is shown as typed (plain text): never a ping, never formatting.
    assert "Ask <@U1> & co for a demo" in plain_text(blocks).splitlines()
    assert "<@U1>" not in mrkdwn_text(blocks)
    assert "confidence 2.0 → 3.5 (+1.5)" in home_text
    assert "| Giving feedback to a senior person | 4 | 1.5 | 3.5 | +2.0 |" in markdown
    rows = list(csv.DictReader(io.StringIO(outcomes)))
    by_measure = {(r["measure"], r["role"], r["checkpoint"], r["area"]): r for r in rows}
    assert by_measure[("confidence", "mentor", "", "all")]["change"] == "1.5"
    assert by_measure[("confidence", "mentor", "", "data-analytics")]["note"] == (
        "hidden: fewer than 3 people"
    )
    assert by_measure[("sponsored_yes", "mentor", "end", "")]["value"] == "0.5"
    assert by_measure[("would_again_yes", "mentor", "day60", "")]["value"] == ""
    assert by_measure[("commitments_kept", "mentee", "", "")]["value"] == "2"
    assert by_measure[("answered", "mentee", "day60", "")]["value"] == "3"
    assert json.loads(as_json)["outcomes"]["commitments"]["kept"] == 2

    everything = "\n".join(
        (slack, home_text, markdown, people_csv, outcomes, as_json, message.text)
    )
    for secret in (*SECRET_TEXTS, OTHER_SECRET, SECRET_EVIDENCE, "Demo booked"):
        assert secret not in everything
    for shared in SHARED_TEXTS:
        assert shared not in people_csv + outcomes  # no free text in the CSVs at all


@pytest.fixture
def cli_env(own_url) -> dict[str, str]:
    """The CLI's environment: the cohort's database, and no Slack settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTOR_"))}
    return {**env, "DATABASE_URL": own_url}


def test_python_m_bot_report_prints_the_outcomes_csv(cli_env, cohort):
    result = run_report(cli_env, "--team", cohort.scenario.team, "--format", "outcomes")
    assert result.returncode == 0, result.stderr.decode()
    header, rows = read_csv(result.stdout)
    assert header[:3] == ["program", "measure", "role"]
    (overall,) = [
        r
        for r in rows
        if r["measure"] == "confidence" and r["area"] == "all" and r["role"] == "mentee"
    ]
    assert (overall["people"], overall["before"], overall["after"]) == ("4", "2.0", "3.0")
    markdown = run_report(cli_env, "--team", cohort.scenario.team).stdout.decode()
    assert "## Outcomes" in markdown
    assert "- Kept: 2" in markdown
