"""Block Kit builders: Slack's own validators (slack_sdk models) and limits they miss."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.mrkdwn import escape
from bot.shapes.enrolment import (
    MAX_DEPARTMENT_CHARS,
    MAX_GOALS_CHARS,
    Profile,
    ProgramCounts,
    SkillOption,
)
from bot.slack.limits import MESSAGE_BLOCKS as MAX_MESSAGE_BLOCKS
from bot.views.home import home_view
from bot.views.join_modal import join_modal, read_submission
from bot.views.messages import help_message, status_message, welcome_message
from models import PersonStatus, Role, Seniority

NASTY = "<!channel> & <@U123> <https://evil.example|click>"


def profile(**overrides) -> Profile:
    values = {
        "person_id": 1,
        "team_id": "T1",
        "user_id": "U1",
        "role": Role.MENTOR,
        "status": PersonStatus.ACTIVE,
        "teach": tuple(f"Skill {i} {NASTY}"[:75] for i in range(5)),
        "learn": tuple(f"Skill {i}"[:75] for i in range(5)),
        "teach_slugs": ("ai-tools",),
        "learn_slugs": (),
        "department": (NASTY * 3)[:MAX_DEPARTMENT_CHARS],
        "seniority": Seniority.EXECUTIVE,
        "preferred_weekday": 4,
        "window": "afternoon",
        "goals": (NASTY * 20)[:MAX_GOALS_CHARS],
        "tz": "Europe/Berlin",
        "dm_channel_id": None,
        "program_name": "Reverse mentoring",
        "joined_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    values.update(overrides)
    return Profile(**values)


def rendered(blocks) -> str:
    return json.dumps([b.to_dict() for b in blocks])


def test_escape_neutralises_mentions_and_links():
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert escape('it\'s "fine"') == 'it\'s "fine"'  # quotes stay readable


@pytest.mark.parametrize("role", list(Role))
def test_messages_with_longest_user_text_fit_slack_limits(role):
    p = profile(role=role)
    for message in (status_message(p), welcome_message(p), help_message(is_lead=True)):
        assert 0 < len(message.blocks) <= MAX_MESSAGE_BLOCKS
        body = rendered(message.blocks)  # to_dict() runs slack_sdk's validators
        assert "<!channel>" not in body
        assert "<@U123>" not in body
        assert message.text


def test_unknown_sub_command_is_escaped_in_help():
    body = rendered(help_message(is_lead=False, unknown="<!here>").blocks)
    assert "&lt;!here&gt;" in body
    assert "<!here>" not in body


def test_help_shows_lead_commands_only_to_leads():
    assert "/mentor report" in rendered(help_message(is_lead=True).blocks)
    assert "/mentor report" not in rendered(help_message(is_lead=False).blocks)


def test_join_modal_prefills_an_edit_and_validates():
    skills = [SkillOption("ai-tools", "AI and new tools"), SkillOption("social-media", "Social")]
    view = join_modal(skills, profile(preferred_weekday=4, window="afternoon"))
    data = view.to_dict()  # raises on any Slack limit slack_sdk knows
    assert len(data["blocks"]) <= 100
    by_id = {b.get("block_id"): b for b in data["blocks"]}
    assert by_id["role"]["element"]["initial_option"]["value"] == "mentor"
    assert [o["value"] for o in by_id["teach"]["element"]["initial_options"]] == ["ai-tools"]
    assert by_id["weekday"]["element"]["initial_option"]["value"] == "4"
    assert by_id["window"]["element"]["initial_option"]["value"] == "afternoon"
    assert data["submit"]["text"] == "Save"


def test_new_join_modal_has_no_answers_filled_in():
    data = join_modal([SkillOption("ai-tools", "AI and new tools")], None).to_dict()
    by_id = {b.get("block_id"): b for b in data["blocks"]}
    assert "initial_option" not in by_id["role"]["element"]
    assert data["submit"]["text"] == "Join"


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"role": "not a dict"},
        {"role": {"value": None}},
        {"teach": {"value": {"selected_options": "nope"}}},
        {"teach": {"value": {"selected_options": [{"value": 3}, {"no": "value"}]}}},
        {"goals": {"value": {"value": ["list"]}}},
    ],
)
def test_reading_odd_submissions_never_raises(values):
    submission = read_submission(values)
    assert submission.role is None or isinstance(submission.role, str)
    assert all(isinstance(s, str) for s in submission.teach)


def test_home_for_newcomer_member_and_lead():
    newcomer = home_view(None, None).to_dict()
    assert any(
        e.get("action_id") == "upward_open_join"
        for b in newcomer["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )
    member = json.dumps(home_view(profile(status=PersonStatus.PAUSED), None).to_dict())
    assert "upward_resume" in member
    assert "For program leads" not in member
    lead = json.dumps(home_view(profile(), ProgramCounts(3, 2, 1, 0, 2)).to_dict())
    assert "For program leads" in lead
    assert "*Active pairs:* 2" in lead
    assert "3 mentors and 2 mentees active" in lead
    assert "<!channel>" not in member + lead
