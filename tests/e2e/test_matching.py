"""A lead runs a program from Slack: program, preview, drop, confirm, intros, goals."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.support import LEAD_ID
from tests.support.slack_requests import SlackSender, join_values, reply_text


def option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value}, "value": value}


def program_values(**overrides: Any) -> dict[str, Any]:
    values = {
        "name": "Spring cohort",
        "start": "2027-03-01",
        "length": "12",
        "prompts": "1",
        "sessions": "2",
        "checkins": "2",
        "focus": ["data-analytics"],
        "capacity": "1",
        "review": True,
        "emphasis": "balanced",
    }
    values.update(overrides)
    return {
        "program_name": {"value": {"type": "plain_text_input", "value": values["name"]}},
        "program_start": {"value": {"type": "datepicker", "selected_date": values["start"]}},
        "program_length": {"value": {"type": "number_input", "value": values["length"]}},
        "program_prompts": {
            "value": {"type": "static_select", "selected_option": option(values["prompts"])}
        },
        "program_sessions": {
            "value": {"type": "static_select", "selected_option": option(values["sessions"])}
        },
        "program_checkins": {
            "value": {"type": "static_select", "selected_option": option(values["checkins"])}
        },
        "program_focus": {
            "value": {
                "type": "multi_static_select",
                "selected_options": [option(s) for s in values["focus"]],
            }
        },
        "program_capacity": {"value": {"type": "number_input", "value": values["capacity"]}},
        "program_emphasis": {
            "value": {"type": "static_select", "selected_option": option(values["emphasis"])}
        },
        "program_review": {
            "value": {
                "type": "checkboxes",
                "selected_options": [option("yes")] if values["review"] else [],
            }
        },
    }


def goal_values(learning: list[str], growth: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for kind, goals in (("goal_learning", learning), ("goal_growth", growth)):
        for n in range(1, 4):
            text = goals[n - 1] if n <= len(goals) else None
            values[f"{kind}_{n}"] = {"value": {"type": "plain_text_input", "value": text}}
    return values


def buttons(blocks: list[dict[str, Any]]) -> dict[str, list[str]]:
    """action_id -> the values of every button with it, in order."""
    found: dict[str, list[str]] = {}
    for block in blocks:
        elements = block.get("elements", []) if block["type"] == "actions" else []
        if block.get("accessory"):
            elements = [*elements, block["accessory"]]
        for element in elements:
            if element.get("type") == "button":
                found.setdefault(element["action_id"], []).append(element.get("value", ""))
    return found


@pytest.fixture
def team(new_id) -> str:
    return new_id("T")


@pytest.fixture
def lead(running_app, fake_slack, team) -> SlackSender:
    return SlackSender(running_app.base_url, fake_slack, team)


def enrol(sender: SlackSender, fake_slack, user: str, **values: Any) -> None:
    fake_slack.add_user(user, tz="Europe/London")
    response = sender.view_submission(user, "upward_join", join_values(**values))
    assert response.status_code == 200
    assert "errors" not in response.text


def latest_reply(fake_slack, count: int) -> dict[str, Any]:
    return fake_slack.wait_for("response_url", count=count)[-1].args


def test_a_lead_sets_up_a_program_in_a_modal(lead, fake_slack):
    assert lead.command(LEAD_ID, "program").status_code == 200
    (opened,) = fake_slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "upward_program"
    program_id = view["private_metadata"]
    assert program_id.isdigit()

    bad = lead.view_submission(
        LEAD_ID, "upward_program", program_values(name="", length="99"), program_id
    )
    assert set(bad.json()["errors"]) == {"program_name", "program_length"}

    saved = lead.view_submission(LEAD_ID, "upward_program", program_values(), program_id)
    body = saved.json()
    assert body["response_action"] == "update"
    assert "Spring cohort" in json.dumps(body["view"])
    assert "12 weeks, starting 1 March 2027" in json.dumps(body["view"])

    lead.command(LEAD_ID, "program new")
    new_view = fake_slack.wait_for("views.open", count=2)[-1].args["view"]
    assert new_view["private_metadata"] == "new"
    assert "program_default" in {b.get("block_id") for b in new_view["blocks"]}


def test_program_settings_are_for_leads_only(lead, fake_slack, new_id):
    someone = new_id()
    fake_slack.add_user(someone)
    assert "is for program leads" in reply_text(lead.command(someone, "program"))
    response = lead.view_submission(someone, "upward_program", program_values(), "new")
    assert "is for program leads" in json.dumps(response.json())
    assert fake_slack.calls_to("views.open") == []


def test_the_whole_matching_flow_from_slack(lead, fake_slack, new_id):
    mentors = [new_id() for _ in range(2)]
    mentees = [new_id() for _ in range(2)]
    for user in mentors:
        enrol(lead, fake_slack, user, teach=("ai-tools", "data-analytics"), seniority="1")
    for user in mentees:
        enrol(lead, fake_slack, user, role="mentee", teach=(), learn=("ai-tools",), seniority="4")

    # Only this test's group DMs count: the fake is shared with earlier tests' stragglers.
    def group_posts() -> list[dict[str, Any]]:
        return [
            message
            for channel, members in fake_slack.conversations_opened.items()
            if len(members) == 2 and set(members) <= set(mentors + mentees)
            for message in fake_slack.messages(channel)
        ]

    # Preview: nothing is sent to anyone yet.
    ack = lead.command(LEAD_ID, "match")
    assert "Working out" in reply_text(ack)
    preview = latest_reply(fake_slack, 1)
    found = buttons(preview["blocks"])
    assert len(found["upward_match_drop"]) == 2
    (round_id,) = found["upward_match_confirm"]
    assert group_posts() == []

    # Drop the first pair: the preview is re-run without it, in place.
    lead.block_action(LEAD_ID, "upward_match_drop", found["upward_match_drop"][0])
    redone = latest_reply(fake_slack, 2)
    assert redone["replace_original"] is True
    assert found["upward_match_drop"][0] not in buttons(redone["blocks"])["upward_match_drop"]
    assert "1 pair dropped by you" in json.dumps(redone["blocks"])

    # Someone who is not a lead cannot confirm.
    lead.block_action(mentors[0], "upward_match_confirm", round_id)
    assert "is for program leads" in latest_reply(fake_slack, 3)["text"]

    # Confirm: a group DM per pair with an intro, and a progress note for the lead.
    lead.block_action(LEAD_ID, "upward_match_confirm", round_id)
    done = fake_slack.wait_for("response_url", count=5)
    assert any("*2* pairs introduced" in c.args["text"] for c in done)
    group_dms = {
        channel: members
        for channel, members in fake_slack.conversations_opened.items()
        if len(members) == 2
    }
    assert len(group_dms) == 2
    paired = {frozenset(m) for m in group_dms.values()}
    assert all(len(pair & set(mentors)) == 1 for pair in paired)
    intros = [
        {**message, "channel": channel}
        for channel in group_dms
        for message in fake_slack.messages(channel)
    ]
    assert len(intros) == 2
    assert all("Meet your reverse-mentoring partner" in json.dumps(i["blocks"]) for i in intros)

    # A second click creates nothing and sends nothing again.
    lead.block_action(LEAD_ID, "upward_match_confirm", round_id)
    again = fake_slack.wait_for("response_url", count=6)[-1].args
    assert "already confirmed" in again["text"]
    fake_slack.settle()
    assert len(group_posts()) == 2
    assert (
        len([c for c in fake_slack.calls_to("conversations.open") if "," in c.args["users"]]) == 2
    )

    # Goals: the intro's button opens the modal for that pair; either member may save.
    intro = intros[0]
    (pair_id,) = buttons(intro["blocks"])["upward_open_goals"]
    mentee_user = next(u for u in group_dms[intro["channel"]] if u in mentees)
    lead.block_action(mentee_user, "upward_open_goals", pair_id)
    (modal,) = fake_slack.wait_for("views.open")
    assert modal.args["view"]["private_metadata"] == pair_id
    saved = lead.view_submission(
        mentee_user,
        "upward_goals",
        goal_values(["Use AI to draft my updates", "<!channel> ping"], ["Lead a meeting"]),
        pair_id,
    )
    assert saved.status_code == 200
    assert "errors" not in saved.text
    deadline = time.monotonic() + 5
    while len(fake_slack.messages(intro["channel"])) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    update = {**fake_slack.messages(intro["channel"])[-1], "channel": intro["channel"]}
    shown = json.dumps(update["blocks"])
    assert "Use AI to draft my updates" in shown
    assert "&lt;!channel&gt; ping" in shown
    assert "<!channel>" not in shown

    status = reply_text(lead.command(mentee_user, "status"))
    assert "Use AI to draft my updates" in status
    assert intro["channel"] in status

    # Someone outside the pair can neither open nor save its goals.
    outsider = next(u for u in mentees if u != mentee_user)
    response = lead.view_submission(outsider, "upward_goals", goal_values(["x"], []), pair_id)
    assert "your own pair" in json.dumps(response.json())


def test_goals_without_a_partner_say_so(lead, fake_slack, new_id):
    user = new_id()
    enrol(lead, fake_slack, user)
    assert "don't have one yet" in reply_text(lead.command(user, "goals"))


def test_unmatched_people_are_told_honestly(lead, fake_slack, new_id):
    lonely = new_id()
    enrol(lead, fake_slack, lonely, role="mentee", teach=(), learn=("ai-tools",), seniority="4")
    fake_slack.settle()
    lead.command(LEAD_ID, "match")
    preview = latest_reply(fake_slack, 1)
    assert "Nobody can be matched yet" in json.dumps(preview["blocks"])
    assert "upward_match_confirm" not in buttons(preview["blocks"])


def test_a_program_without_review_is_confirmed_at_once(lead, fake_slack, new_id):
    lead.command(LEAD_ID, "program")
    program_id = fake_slack.wait_for("views.open")[0].args["view"]["private_metadata"]
    lead.view_submission(
        LEAD_ID, "upward_program", program_values(name="Auto", review=False), program_id
    )
    enrol(lead, fake_slack, new_id())
    enrol(lead, fake_slack, new_id(), role="mentee", teach=(), learn=("ai-tools",))
    fake_slack.settle()
    lead.command(LEAD_ID, "match")
    replies = fake_slack.wait_for("response_url", count=3)
    assert "confirmed at once" in replies[1].args["text"]
    assert "*1* pair introduced" in replies[2].args["text"]


def test_a_partner_is_told_kindly_when_the_other_leaves(lead, fake_slack, new_id):
    mentor, mentee = new_id(), new_id()
    enrol(lead, fake_slack, mentor)
    enrol(lead, fake_slack, mentee, role="mentee", teach=(), learn=("ai-tools",))
    fake_slack.settle()
    lead.command(LEAD_ID, "match")
    (round_id,) = buttons(latest_reply(fake_slack, 1)["blocks"])["upward_match_confirm"]
    lead.block_action(LEAD_ID, "upward_match_confirm", round_id)
    fake_slack.wait_for("response_url", count=3)
    (channel,) = [c for c, m in fake_slack.conversations_opened.items() if len(m) == 2]
    lead.block_action(mentor, "upward_leave_confirm", "leave")
    notes = [
        c.args
        for c in fake_slack.wait_for("chat.postMessage", count=4)
        if c.args["channel"] == channel
    ]
    assert "has left the reverse-mentoring program" in notes[-1]["text"]
    assert f"<@{mentee}>" in notes[-1]["text"]
    assert "Not matched yet" in reply_text(lead.command(mentee, "status"))
