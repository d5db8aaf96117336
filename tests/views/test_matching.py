"""Program, matching and pair views: Slack's validators, limits, escaping."""

from __future__ import annotations

import json
from datetime import date

from bot.ids import ProgramField
from bot.shapes.enrolment import SkillOption
from bot.shapes.goals import MAX_GOAL_CHARS, PairGoals
from bot.shapes.matching import (
    IntroReport,
    PreviewPair,
    Reason,
    ReasonCode,
    RoundPreview,
    Undelivered,
    UnmatchedReason,
    WaitingPerson,
)
from bot.shapes.programs import EMPHASES, NEW_PROGRAM, ProgramSettings
from bot.slack.limits import MESSAGE_BLOCKS as MAX_MESSAGE_BLOCKS
from bot.views.matching import delivered_message, match_preview
from bot.views.pairs import (
    IntroDetails,
    goals_modal,
    goals_updated_message,
    intro_message,
    read_goals,
    waiting_message,
)
from bot.views.program_modal import program_modal, program_saved_view, read_program
from models import Role, RoundStatus

NASTY = "<!channel> & <@U123> <https://evil.example|click>"
SKILLS = [SkillOption("ai-tools", "AI and new tools"), SkillOption("data-analytics", "Data")]
PROGRAM = ProgramSettings(
    id=7,
    name=f"Cohort {NASTY}"[:80],
    is_default=True,
    start_date=date(2027, 3, 1),
    length_weeks=12,
    prompt_every_weeks=1,
    session_every_weeks=2,
    checkin_every_weeks=2,
    mentor_capacity=2,
    review_matches=True,
    focus_skills=("data-analytics",),
    match_emphasis="skills",
)
REASONS = (
    Reason(ReasonCode.FOCUS_SKILLS, skills=("data-analytics",)),
    Reason(ReasonCode.SKILLS, skills=("ai-tools", "data-analytics")),
    Reason(ReasonCode.SENIORITY, gap=3),
    Reason(ReasonCode.CROSS_DEPARTMENT),
    Reason(ReasonCode.HOURS_OVERLAP, hours=2.5),
    Reason(ReasonCode.WAITED),
)


def preview(pairs: int, waiting: int) -> RoundPreview:
    return RoundPreview(
        round_id=3,
        program_name=PROGRAM.name,
        status=RoundStatus.PREVIEW,
        seed=42,
        pairs=tuple(
            PreviewPair(i, 10_000 + i, f"UMENTOR{i}", f"UMENTEE{i}", 30.0 - i / 100, REASONS)
            for i in range(pairs)
        ),
        waiting=tuple(
            WaitingPerson(20_000 + i, f"UWAIT{i}", Role.MENTEE, UnmatchedReason.NO_CAPACITY)
            for i in range(waiting)
        ),
        paused=2,
        dropped=1,
        total_score=123.0,
        skill_names={"ai-tools": f"AI {NASTY}", "data-analytics": "Data"},
        review=True,
    )


def test_program_modal_prefills_and_reads_back():
    data = program_modal(PROGRAM, SKILLS).to_dict()
    assert len(data["blocks"]) <= 100
    assert data["private_metadata"] == "7"
    by_id = {b.get("block_id"): b for b in data["blocks"]}
    assert by_id[ProgramField.CAPACITY]["element"]["initial_value"] == "2"
    assert by_id[ProgramField.START]["element"]["initial_date"] == "2027-03-01"
    assert ProgramField.DEFAULT not in by_id  # already the default program
    focus = by_id[ProgramField.FOCUS]["element"]["initial_options"]
    assert [o["value"] for o in focus] == ["data-analytics"]
    # Reading a state built from the modal's own initial values gives the settings back.
    state = {
        ProgramField.NAME: {"value": {"value": PROGRAM.name}},
        ProgramField.CAPACITY: {"value": {"value": "2"}},
        ProgramField.START: {"value": {"selected_date": "2027-03-01"}},
        ProgramField.FOCUS: {"value": {"selected_options": focus}},
        ProgramField.REVIEW: {"value": {"selected_options": [{"value": "yes"}]}},
    }
    submission = read_program(state)
    assert submission.mentor_capacity == "2"
    assert submission.focus_skills == ["data-analytics"]
    assert submission.review_matches
    assert not submission.make_default


def test_new_program_modal_offers_to_take_new_joiners():
    data = program_modal(NEW_PROGRAM, SKILLS).to_dict()
    assert data["private_metadata"] == "new"
    assert ProgramField.DEFAULT in {b.get("block_id") for b in data["blocks"]}


def test_every_emphasis_has_a_label():
    labels = json.dumps(program_modal(NEW_PROGRAM, SKILLS).to_dict())
    assert all(key in labels for key in EMPHASES)


def test_saved_program_view_escapes_the_name():
    body = json.dumps(program_saved_view(PROGRAM).to_dict())
    assert "&lt;!channel&gt;" in body
    assert "<!channel>" not in body


def mrkdwn_texts(node: object) -> list[str]:
    """Every mrkdwn text in a payload: plain_text is never parsed for mentions."""
    if isinstance(node, dict):
        found = [node["text"]] if node.get("type") == "mrkdwn" else []
        return found + [t for v in node.values() for t in mrkdwn_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in mrkdwn_texts(v)]
    return []


def test_a_big_preview_stays_inside_slack_limits():
    message = match_preview(preview(pairs=5000, waiting=3000))
    assert len(message.blocks) <= MAX_MESSAGE_BLOCKS
    body = json.dumps([b.to_dict() for b in message.blocks])
    assert "4970 more pairs" in body
    assert "2975 more" in body
    assert not any("<!channel>" in t for t in mrkdwn_texts(json.loads(body)))
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in json.loads(body))


def test_preview_buttons_carry_the_round_and_pair():
    body = json.dumps([b.to_dict() for b in match_preview(preview(2, 0)).blocks])
    assert '"value": "3:0:10000"' in body
    assert "upward_match_confirm" in body
    locked = json.dumps([b.to_dict() for b in match_preview(preview(2, 0), False).blocks])
    assert "upward_match_confirm" not in locked


def test_intro_explains_the_fit_and_offers_goals():
    details = IntroDetails(
        pair_id=9,
        mentor_user="UMENTOR",
        mentee_user="UMENTEE",
        reasons=REASONS,
        skill_names={"ai-tools": f"AI {NASTY}", "data-analytics": "Data"},
        program=PROGRAM,
    )
    message = intro_message(details)
    body = json.dumps([b.to_dict() for b in message.blocks])
    assert "<@UMENTOR>" in body
    assert "(a program focus)" in body
    assert "12 weeks" in body
    assert "upward_open_goals" in body
    assert "<!channel>" not in body


def test_waiting_note_gives_each_reason_kindly():
    for reason in UnmatchedReason:
        message = waiting_message(reason)
        assert "first in line" in json.dumps([b.to_dict() for b in message.blocks])


def test_goals_modal_round_trips_and_escapes_when_shown():
    goals = PairGoals(
        pair_id=5,
        mentor_user="UMENTOR",
        mentee_user="UMENTEE",
        channel_id="G1",
        learning=(NASTY, "x" * MAX_GOAL_CHARS),
        growth=("Lead a meeting",),
        updated_by=None,
        updated_at=None,
    )
    data = goals_modal(goals, "UMENTEE").to_dict()
    assert data["private_metadata"] == "5"
    state = {
        b["block_id"]: {"value": {"value": b["element"].get("initial_value")}}
        for b in data["blocks"]
        if b["type"] == "input"
    }
    learning, growth = read_goals(state)
    assert learning == [NASTY, "x" * MAX_GOAL_CHARS, None]
    assert growth == ["Lead a meeting", None, None]
    shown = json.dumps([b.to_dict() for b in goals_updated_message(goals, "UMENTEE").blocks])
    assert "&lt;!channel&gt;" in shown
    assert "<!channel>" not in shown


def test_delivery_report_names_who_could_not_be_reached():
    report = IntroReport(
        pairs_introduced=3,
        people_told_to_wait=1,
        undelivered=[Undelivered(("UGONE",), "account_inactive")],
    )
    text = json.dumps([b.to_dict() for b in delivered_message(report).blocks])
    assert "<@UGONE>" in text
    assert "account_inactive" in text


def test_program_modal_offers_a_shout_out_channel_and_reads_it_back():
    data = program_modal(PROGRAM, SKILLS).to_dict()
    by_id = {b.get("block_id"): b for b in data["blocks"]}
    assert by_id[ProgramField.SHOUTOUT]["element"]["type"] == "channels_select"
    state = {ProgramField.SHOUTOUT: {"value": {"selected_channel": "C0SHOUT01"}}}
    assert read_program(state).shoutout_channel_id == "C0SHOUT01"
