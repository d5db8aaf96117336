"""The outcomes section in Slack and in the files: hidden numbers never print, Slack's
limits hold however many areas and commitments there are, and user text is escaped."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

from bot.services.reports.chart_process import ChartProcess
from bot.shapes.report import (
    ConfidenceChange,
    Moment,
    SharedCommitment,
    SignalRates,
    aggregate,
    commitment_counts,
    confidence_change,
)
from bot.slack.limits import MESSAGE_BLOCKS as MAX_MESSAGE_BLOCKS
from bot.views.chart_data import chart_data, decode, encode
from bot.views.dashboard import MAX_DASHBOARD_BLOCKS, dashboard_blocks
from bot.views.report import report_message
from bot.views.report_chart import report_chart
from bot.views.report_files import outcomes_csv, report_json, report_markdown
from tests.support.report_samples import NOW, sample_outcomes, sample_report
from tests.support.text_objects import mrkdwn_text
from tests.views.test_report import assert_inside_slack_limits, huge_report, payload, rendered
from tests.views.test_report_files import png_size


def test_the_outcomes_section_reads_as_words_for_each_role():
    text = rendered(report_message(sample_report(outcomes=sample_outcomes())).blocks)
    assert "*Outcomes: what changed after the program*" in text
    assert "• Running a session: *2.0 → 4.0* (+2.0; 7 people)" in text
    assert "At the end (6 answered): would take part again *83%* · would recommend *67%*" in text
    assert "say their senior opened a door *50%*" in text
    assert "_1 more area with fewer than 3 people: not shown_" in text
    # Two seniors answered at the start: their confidence is not shown.
    assert "Confidence, start → end: _not enough answers yet (fewer than 3)_" in text
    assert "9 made · 3 kept · 2 in progress · 1 dropped · 3 not followed up yet" in text
    # App Home's totals add up too (nothing left for the lead to work out).
    home = rendered(dashboard_blocks(sample_report(outcomes=sample_outcomes()), []))
    assert "9 made · 3 kept · 2 in progress · 1 dropped · 3 not followed up yet" in home


def test_hidden_outcomes_never_print_a_number_even_when_built_by_hand():
    outcomes = sample_outcomes()
    mentors = outcomes.roles[0]
    # Past the factories: a value with two people behind it must still not show.
    sneaky = ConfidenceChange("ai-tools", "AI", "mentor", 2, 1.1, 4.9, 3.8)
    mentors = replace(
        mentors,
        overall=ConfidenceChange("", "All areas", "mentor", 2, 1.2, 4.8, 3.6),
        confidence=(sneaky,),
        signals=(
            SignalRates(
                Moment.END, "mentor", aggregate(0.91, 2), aggregate(0.92, 2), aggregate(0.93, 1)
            ),
        ),
    )
    report = sample_report(
        outcomes=replace(
            outcomes,
            roles=(mentors, outcomes.roles[1]),
            commitments=replace(commitment_counts(2, made=0, kept=0, in_progress=0, dropped=0,
                                                  no_answer=0, shared=0), made=7),
        )
    )  # fmt: skip
    for text in (
        rendered(report_message(report).blocks),
        rendered(dashboard_blocks(report, [])),
        report_markdown(report),
        outcomes_csv(report).decode("utf-8-sig"),
    ):
        for number in ("1.1", "4.9", "1.2", "4.8", "3.8", "3.6", "91", "92", "93", "7 made"):
            assert number not in text
    data = json.loads(report_json(sample_report(outcomes=sample_outcomes())))["outcomes"]
    hidden = data["roles"][0]["confidence"][-1]
    assert (hidden["people"], hidden["before"], hidden["hidden"]) == (2, None, True)
    assert data["roles"][1]["overall"]["hidden"] is True


def test_a_huge_outcomes_section_stays_inside_slack_limits():
    outcomes = sample_outcomes()
    areas = tuple(
        confidence_change(
            f"skill-{i}", "Skill <!here> " * 20, "mentor", people=5, before=2, after=4
        )
        for i in range(60)
    )
    shared = tuple(SharedCommitment(f"USENIOR{i}", "x" * 200, NOW) for i in range(30))
    mentors = replace(outcomes.roles[0], confidence=areas)
    report = replace(
        huge_report(),
        outcomes=replace(outcomes, roles=(mentors, outcomes.roles[1]), shared_commitments=shared),
    )
    data = payload(report_message(report).blocks)
    assert len(data) <= MAX_MESSAGE_BLOCKS
    assert_inside_slack_limits(data)
    home = payload(dashboard_blocks(report, []))
    assert len(home) <= MAX_DASHBOARD_BLOCKS
    assert_inside_slack_limits(home)
    text = rendered(report_message(report).blocks)
    assert "<!here>" not in text
    assert "…and 20 more" in text  # ten shared commitments shown of thirty


def test_shared_commitments_are_escaped_in_slack_and_markdown():
    report = sample_report(outcomes=sample_outcomes())
    blocks = payload(report_message(report).blocks)
    # Who, as a mention, beside what they wrote as plain text: shown as typed.
    (fields,) = [b["fields"] for b in blocks if "<@UMENTEE12>" in json.dumps(b.get("fields"))]
    assert [f["type"] for f in fields[:2]] == ["mrkdwn", "plain_text"]
    assert fields[1]["text"] == "Ask <!here> & the team | for *feedback* monthly"
    assert "<!here>" not in mrkdwn_text(blocks)
    assert "Ask \\<!here\\> & the team \\| for \\*feedback\\* monthly" in report_markdown(report)


def test_the_outcomes_csv_has_one_row_per_measure_and_no_free_text():
    report = sample_report(outcomes=sample_outcomes())
    rows = list(csv.DictReader(io.StringIO(outcomes_csv(report).decode("utf-8-sig"))))
    measures = {r["measure"] for r in rows}
    assert measures == {
        "asked",
        "answered",
        "skipped",
        "confidence",
        "would_again_yes",
        "recommend_yes",
        "sponsored_yes",
        "commitments_made",
        "commitments_kept",
        "commitments_in_progress",
        "commitments_dropped",
        "commitments_not_followed_up",
        "commitments_shared",
    }
    assert "feedback" not in outcomes_csv(report).decode("utf-8-sig")
    (running,) = [r for r in rows if r["area"] == "running_a_session"]
    assert (running["people"], running["before"], running["after"], running["change"]) == (
        "7",
        "2.0",
        "4.0",
        "2.0",
    )


def test_a_report_nobody_was_asked_about_has_no_outcomes_section():
    report = sample_report()
    assert "Outcomes" not in rendered(report_message(report).blocks)
    assert "Outcomes" not in rendered(dashboard_blocks(report, []))
    assert "Nobody has been asked about outcomes yet." in report_markdown(report)
    assert outcomes_csv(report).decode("utf-8-sig").count("\n") == 1  # the header


def test_the_chart_gets_an_outcomes_panel_of_visible_numbers_only():
    report = sample_report(outcomes=sample_outcomes())
    chart = chart_data(report)
    assert [(c.label, c.before, c.after) for c in chart.confidence] == [
        ("Juniors: All areas", 2.4, 3.8),
        ("Juniors: Running a session", 2.0, 4.0),
        ("Juniors: AI and new tools", 3.2, 3.6),
    ]  # not Data (two people), nothing of the seniors (two answered)
    assert [r.label for r in chart.rates] == [
        "Juniors · take part again · end",
        "Juniors · recommend · end",
        "Juniors · senior opened a door · end",
    ]
    assert decode(encode(chart)) == chart
    assert "UMENTEE12" not in encode(chart).decode()  # no people, no commitments
    png = report_chart(report)
    assert png_size(png) == (1600, 900)
    assert ChartProcess().png(report) == png
    assert png != report_chart(sample_report())  # the panel is drawn


def test_a_line_with_every_rate_hidden_says_so_once():
    outcomes = sample_outcomes()
    few = aggregate(1.0, 2)
    seniors = replace(
        outcomes.roles[1], signals=(SignalRates(Moment.END, "mentee", few, few, None),)
    )
    report = sample_report(outcomes=replace(outcomes, roles=(outcomes.roles[0], seniors)))
    text = rendered(report_message(report).blocks)
    assert "At the end (2 answered): _not enough answers yet (fewer than 3)_" in text
    assert text.count("not enough answers yet") == 2  # this line, and the seniors' confidence
