"""The lead report and dashboard: Slack's limits, privacy of small groups, escaping."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from slack_sdk.models.blocks import Block

from bot import copy
from bot.ids import Action
from bot.shapes.matching import UnmatchedReason
from bot.shapes.report import (
    Aggregate,
    AtRiskPair,
    FileKind,
    FunnelStage,
    PairCounts,
    Recognition,
    Report,
    ReportFile,
    RiskReason,
    SkillBalance,
    Stage,
    aggregate,
)
from bot.slack.limits import MESSAGE_BLOCKS as MAX_MESSAGE_BLOCKS
from bot.views.dashboard import MAX_DASHBOARD_BLOCKS, dashboard_blocks
from bot.views.report import report_message
from tests.support.report_samples import (
    NOW,
    at_risk_pair,
    empty_report,
    sample_report,
    shared_comment,
    waiting_person,
)

NASTY = "<!channel> & <@U123>"
ESCAPED = "&lt;!channel&gt; &amp; &lt;@U123&gt;"
# Nobody has joined, and the one focus skill has nobody on either side: no skills section.
EMPTY = empty_report(skills=(SkillBalance("ai-tools", "AI and new tools", 0, 0, 0, focus=True),))


def payload(blocks: list[Block]) -> list[dict]:
    return [b.to_dict() for b in blocks]  # runs slack_sdk's validators


def texts(node: object, kind: str | None = None) -> list[str]:
    """Every text object's text in a payload, optionally only one type of them."""
    if isinstance(node, dict):
        found = (
            [node["text"]]
            if node.get("type") in {"mrkdwn", "plain_text"} and kind in {None, node["type"]}
            else []
        )
        return found + [t for v in node.values() for t in texts(v, kind)]
    if isinstance(node, list):
        return [t for v in node for t in texts(v, kind)]
    return []


def rendered(blocks: list[Block]) -> str:
    return "\n".join(texts(payload(blocks)))


def buttons(blocks: list[Block]) -> list[dict]:
    found = []
    for block in payload(blocks):
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
        found += [e for e in block.get("elements", []) if e.get("type") == "button"]
    return found


def huge_report() -> Report:
    long_name = ("Leadership in the age of AI " + NASTY) * 10
    return sample_report(
        program_name=long_name,
        at_risk=tuple(
            at_risk_pair(
                i,
                *RiskReason,
                detail="x" * 500,
                nudged_at=NOW if i % 2 else None,
            )
            for i in range(100)
        ),
        waitlist=tuple(
            waiting_person(
                f"UWAITING{i:05}",
                reason=UnmatchedReason.ONLY_BLOCKED.value,
                since=NOW - timedelta(days=i),
            )
            for i in range(500)
        ),
        skills=tuple(
            SkillBalance(f"skill-{i}", long_name, 50, 1, 2, focus=i % 2 == 0) for i in range(6)
        ),
        shared_comments=tuple(shared_comment(i, "L" * 2000, "B" * 2000) for i in range(10)),
    )


def assert_inside_slack_limits(data: list[dict]) -> None:
    for block in data:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            if "text" in block:
                assert len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
    assert len(json.dumps(data)) < 40_000  # chat.postMessage's payload is bounded too


def test_a_huge_report_stays_inside_slack_limits():
    message = report_message(huge_report())
    data = payload(message.blocks)
    assert len(data) <= MAX_MESSAGE_BLOCKS
    assert_inside_slack_limits(data)
    text = rendered(message.blocks)
    assert "…and 92 more — `/mentor report csv` has everyone" in text  # 8 of 100 shown
    assert "…and 485 more — `/mentor report csv` has everyone" in text  # 15 of 500
    assert text.count("<@UWAITING") == 15
    assert "…and 5 older shared comments." in text
    assert "L" * 301 not in text  # comments are trimmed


def test_a_huge_dashboard_leaves_room_for_the_rest_of_home():
    files = [
        ReportFile(FileKind.CSV, f"Report {i} " + NASTY * 20, "https://x.slack.com/f/1", NOW)
        for i in range(50)
    ]
    blocks = dashboard_blocks(huge_report(), files)
    data = payload(blocks)
    assert len(data) <= MAX_DASHBOARD_BLOCKS
    assert_inside_slack_limits(data)
    nudges = [b for b in buttons(blocks) if b["action_id"] == Action.NUDGE_PAIR]
    assert len(nudges) == 10
    assert "…and 90 more" in rendered(blocks)


def test_hidden_aggregates_never_print_a_number():
    engagement = replace(
        sample_report().engagement,
        checkins_asked=11,
        checkins_answered=2,
        response_rate=aggregate(0.37, 2),
        rating_mentors=aggregate(4.5, 2),
        # Even an Aggregate built by hand, past aggregate(), must not show its value.
        rating_mentees=Aggregate(4.7, 1),
    )
    report = sample_report(engagement=engagement)
    for blocks in (report_message(report).blocks, dashboard_blocks(report, [])):
        text = rendered(blocks)
        assert "4.5" not in text
        assert "4.7" not in text
        assert "37%" not in text
        assert text.count("fewer than 3 people") == 3
    engagement_fields = [
        f["text"] for b in payload(report_message(report).blocks) for f in b.get("fields", [])
    ]
    checkins = next(f for f in engagement_fields if f.startswith("*Check-ins*"))
    assert "11 sent" in checkins
    assert "2" not in checkins  # the answered count would give the hidden rate away


def test_aggregates_without_answers_say_so_and_visible_ones_show_their_value():
    quiet = replace(
        sample_report().engagement, checkins_answered=16, rating_mentees=aggregate(None, 0)
    )
    text = rendered(report_message(sample_report(engagement=quiet)).blocks)
    assert "by mentors: 4.3 / 5" in text
    assert "by mentees: _no answers yet_" in text
    assert "response rate 80%" in text
    # Answered check-ins are never shown, only the rate (Slack dates carry epoch seconds).
    assert "16" not in re.sub(r"<!date\^\d+", "<!date^", text)


def test_user_text_is_escaped_in_comments_and_the_program_name():
    report = sample_report(
        program_name=f"Cohort {NASTY}",
        shared_comments=(shared_comment(1, f"learned {NASTY}", f"blocked {NASTY}"),),
        skills=(SkillBalance("ai-tools", f"AI {NASTY}", 1, 1, 2, focus=False),),
        at_risk=(at_risk_pair(41, RiskReason.UNDELIVERABLE, detail=f"`{NASTY}`"),),
    )
    message = report_message(report)
    for blocks in (message.blocks, dashboard_blocks(report, [])):
        mrkdwn = "\n".join(texts(payload(blocks), "mrkdwn"))
        assert "<!channel>" not in mrkdwn
        assert "<@U123>" not in mrkdwn
    mrkdwn = "\n".join(texts(payload(message.blocks), "mrkdwn"))
    assert f"*Learned:* learned {ESCAPED}" in mrkdwn
    assert f"*In the way:* blocked {ESCAPED}" in mrkdwn
    assert f"*AI {ESCAPED}*" in mrkdwn
    # The fallback text is what notifications show: it is parsed like mrkdwn.
    assert ESCAPED in message.text
    assert "<!channel>" not in message.text
    # A header is plain_text, which Slack never parses for mentions: the name as typed.
    assert payload(message.blocks)[0]["text"]["text"] == f"📊 Cohort {NASTY}"


def test_the_empty_program_is_short_and_friendly():
    message = report_message(EMPTY)
    assert len(message.blocks) <= 4
    text = rendered(message.blocks)
    assert "Nobody has joined *Autumn cohort* yet" in text
    assert "Matched" not in text
    assert "%" not in text
    blocks = dashboard_blocks(EMPTY, [])
    text = rendered(blocks)
    assert "Nobody has joined yet" in text
    assert "Latest: none yet" in text
    assert not [b for b in buttons(blocks) if b["action_id"] == Action.NUDGE_PAIR]


def test_joined_but_unmatched_shows_the_funnel_without_zero_sections():
    report = replace(
        EMPTY,
        funnel=(FunnelStage(Stage.JOINED, 4, 0), FunnelStage(Stage.MATCHED, 0, 0)),
        waitlist=(waiting_person("UWAIT1", role="mentor", reason="not_enough_people"),),
    )
    text = rendered(report_message(report).blocks)
    assert "Joined: *4*" in text
    assert "Matched: *0* (0%)" in text  # a share of the mentors who joined
    assert text.count("%") == 1  # no share of zero mentees
    assert copy.REPORT_NO_PAIRS in text
    assert copy.REPORT_NOTHING_SENT in text
    assert "<@UWAIT1> (mentor): nobody on the other side yet" in text
    assert "Recognition" not in text
    assert "Shared check-in comments" not in text


def test_funnel_shows_each_stage_as_a_share_of_who_joined():
    fields = payload(report_message(sample_report()).blocks)[3]["fields"]
    mentors, mentees = (f["text"] for f in fields)
    assert mentors.startswith("*Mentors*")
    assert "Matched: *8* (80%)" in mentors
    assert "3+ sessions: *4* (40%)" in mentors
    assert "Matched: *8* (100%)" in mentees
    assert "Completed: *0* (0%)" in mentees


@pytest.mark.parametrize(
    ("pair", "words"),
    [
        (at_risk_pair(1, RiskReason.NO_ACTIVITY, idle_weeks=3), "no session for 3 weeks"),
        (at_risk_pair(1, RiskReason.NO_ACTIVITY, idle_weeks=1), "no session for a week"),
        (at_risk_pair(1, RiskReason.SENIOR_SKIPPING), "the senior skipped twice in a row"),
        (at_risk_pair(1, RiskReason.LOW_RATING), "a low check-in rating"),
        (
            at_risk_pair(1, RiskReason.UNDELIVERABLE, detail="user_not_found"),
            "Slack could not deliver (`user_not_found`)",
        ),
        (
            at_risk_pair(1, RiskReason.LOW_RATING, RiskReason.NO_ACTIVITY, idle_weeks=2),
            "a low check-in rating; no session for 2 weeks",
        ),
    ],
)
def test_at_risk_pairs_say_why_in_words(pair: AtRiskPair, words: str):
    text = rendered(report_message(sample_report(at_risk=(pair,))).blocks)
    assert f"<@UMENTOR1> & <@UMENTEE1> — {words}" in text


def test_every_waiting_reason_reads_as_words():
    waitlist = tuple(
        waiting_person(f"U{i}", reason=reason.value) for i, reason in enumerate(UnmatchedReason)
    )
    text = rendered(report_message(sample_report(waitlist=waitlist)).blocks)
    for i, reason in enumerate(UnmatchedReason):
        assert f"<@U{i}> (mentee): {copy.UNMATCHED_FOR_LEAD[reason.value]}" in text
    assert f"*Waiting for a partner ({len(waitlist)})*" in text


def test_skills_flag_shortages_and_mark_focus_skills():
    text = rendered(report_message(sample_report()).blocks)
    assert (
        "• *AI and new tools* ⭐ _focus_ — wanted by 6 mentees · offered by 2 mentors"
        "\n      ⚠️ short of mentors: 2 mentees can't be served"
    ) in text
    assert "• *Data* — wanted by 2 mentees · offered by 3 mentors" in text
    assert text.count("short of mentors") == 1


def test_shared_comments_newest_first_at_most_five():
    # Out of order on purpose: the newest is shared_comment(0).
    comments = tuple(shared_comment(i, f"lesson {i}") for i in (3, 0, 6, 1, 5, 2, 4))
    text = rendered(report_message(sample_report(shared_comments=comments)).blocks)
    positions = [text.index(f"lesson {i}") for i in range(5)]
    assert positions == sorted(positions)
    assert "lesson 5" not in text
    assert "lesson 6" not in text
    assert "…and 2 older shared comments." in text
    assert "<@UAUTHOR1> (mentor)" in text
    assert "<@UAUTHOR2> (mentee)" in text


def test_pairs_and_recognition_counts():
    report = sample_report(
        pairs=PairCounts(active=5, at_risk=1, ended=3, completed=2, ended_early=1),
        recognition=Recognition(thanked=2, shoutouts=1),
    )
    text = rendered(report_message(report).blocks)
    assert "5 active, 1 of them at risk · 3 ended (2 completed, 1 ended early)" in text
    assert "2 thank-yous sent to mentors · 1 shout-out posted" in text
    assert "`/mentor report csv`" in rendered(report_message(report).blocks[-1:])
    assert "`/mentor report chart`" in rendered(report_message(report).blocks[-1:])


def test_nudge_buttons_carry_pair_ids_and_show_the_last_nudge():
    nudged = NOW - timedelta(days=2)
    report = sample_report(
        at_risk=(
            at_risk_pair(41),
            at_risk_pair(42, RiskReason.LOW_RATING, nudged_at=nudged),
            at_risk_pair(43, RiskReason.SENIOR_SKIPPING),
        )
    )
    blocks = dashboard_blocks(report, [])
    nudges = [b for b in buttons(blocks) if b["action_id"] == Action.NUDGE_PAIR]
    assert [b["value"] for b in nudges] == ["41", "42", "43"]
    sections = [b for b in payload(blocks) if b.get("accessory", {}).get("value") == "42"]
    assert (
        f"nudged <!date^{int(nudged.timestamp())}^{{date_short}}|21 Nov 2026>"
        in (sections[0]["text"]["text"])
    )
    assert "nudged" not in rendered(blocks).replace(sections[0]["text"]["text"], "")


def test_dashboard_headline_numbers():
    text = rendered(dashboard_blocks(sample_report(), []))
    assert "Program: Autumn cohort" in text
    assert "*Joined*\n18 (10 mentors · 8 mentees)" in text
    assert "*Active pairs*\n7" in text
    assert "*At risk*\n1" in text
    assert "*Sessions held*\n21" in text
    assert "*Check-in response rate*\n80%" in text
    assert "by mentors: 4.3 / 5\nby mentees: 3.9 / 5" in text


def test_dashboard_file_buttons_and_links():
    files = [
        ReportFile(FileKind.CSV, "Autumn cohort.csv", "https://x.slack.com/files/1", NOW),
        ReportFile(FileKind.CHART, f"Chart {NASTY}", None, NOW + timedelta(hours=1)),
    ]
    blocks = dashboard_blocks(sample_report(program_id=99), files)
    by_action = {b["action_id"]: b["value"] for b in buttons(blocks)}
    assert by_action[Action.REPORT_CSV] == "99"
    assert by_action[Action.REPORT_CHART] == "99"
    listing = payload(blocks)[-1]["text"]["text"]
    lines = listing.split("\n")
    assert lines[0].startswith(f"• *Chart {ESCAPED}* · <!date^")  # newest first, no link
    assert lines[1].startswith("• <https://x.slack.com/files/1|Autumn cohort.csv> · <!date^")
    assert "none yet" not in listing
