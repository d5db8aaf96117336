"""A lead reads the program from Slack: /mentor report, the CSV and the chart in their
DM, the App Home dashboard and its nudge button; nobody else sees any of it."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.vocabulary import AtRiskReason
from models import CheckIn, Pair, Person
from tests.support import LEAD_ID
from tests.support.polling import wait_until
from tests.support.processes import children, mapped_files, worker_pid
from tests.support.slack_requests import SlackSender, join_values, reply_text

SECRET = "my private worry about the mentee"
SHARED = "how to run a retro"


def option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value}, "value": value}


def buttons(blocks: list[dict[str, Any]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for block in blocks:
        elements = list(block.get("elements", [])) if block["type"] == "actions" else []
        if block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if element.get("type") == "button":
                found.setdefault(element["action_id"], []).append(element.get("value", ""))
    return found


@pytest.fixture
def program(running_app, fake_slack, new_id, sessions) -> dict[str, Any]:
    """Two introduced pairs in a team of their own; one pair at risk, and two check-ins:
    one shared with the lead, one not."""
    lead = SlackSender(running_app.base_url, fake_slack, new_id("T"))
    mentors, mentees = [new_id() for _ in range(2)], [new_id() for _ in range(2)]
    for user in mentors + mentees:
        fake_slack.add_user(user, tz="Europe/London")
    for user in mentors:
        values = join_values(teach=("ai-tools",), seniority="1")
        assert "errors" not in lead.view_submission(user, "upward_join", values).text
    for user in mentees:
        values = join_values(role="mentee", teach=(), learn=("ai-tools",), seniority="4")
        assert "errors" not in lead.view_submission(user, "upward_join", values).text
    lead.command(LEAD_ID, "match")
    preview = fake_slack.wait_for("response_url")[-1].args
    (round_id,) = buttons(preview["blocks"])["upward_match_confirm"]
    lead.block_action(LEAD_ID, "upward_match_confirm", round_id)
    fake_slack.wait_for("response_url", count=3)
    with sessions.begin() as s:
        pairs = s.scalars(
            select(Pair).where(Pair.round_id == int(round_id)).order_by(Pair.id)
        ).all()
        assert len(pairs) == 2
        assert all(p.channel_id for p in pairs)
        at_risk = pairs[0]
        at_risk.at_risk_reason = AtRiskReason.SENIOR_SKIPPING
        at_risk.at_risk_since = at_risk.created_at
        checkins = ((pairs[0], SECRET, False, 2), (pairs[1], SHARED, True, 4))
        for pair, text, share, rating in checkins:
            s.add(
                CheckIn(
                    pair_id=pair.id,
                    person_id=pair.mentee_id,
                    number=1,
                    week=2,
                    asked_at=pair.created_at,
                    met="met",
                    rating=rating,
                    learned=text,
                    share_with_lead=share,
                    answered_at=pair.created_at,
                )
            )
        members = {
            p.id: (p.mentor.slack_user_id, p.mentee.slack_user_id, p.channel_id) for p in pairs
        }
        program_id = s.get_one(Person, pairs[0].mentor_id).program_id
    return {
        "lead": lead,
        "mentors": mentors,
        "mentees": mentees,
        "at_risk": at_risk.id,
        "pairs": members,
        "program_id": program_id,
        "calls_before": len(fake_slack.calls),
        "sessions": sessions,
    }


def new_replies(fake_slack, program, wait_for: int = 0) -> list[dict[str, Any]]:
    """response_url messages since the fixture, once there are at least ``wait_for``."""
    deadline = time.monotonic() + 5
    while True:
        replies = [
            c.args
            for c in fake_slack.calls[program["calls_before"] :]
            if c.method == "response_url"
        ]
        if len(replies) >= wait_for or time.monotonic() > deadline:
            return replies
        time.sleep(0.02)


def homes(fake_slack, program, user: str, wait_for: int = 1) -> list[dict[str, Any]]:
    """App Home views published for ``user`` since the fixture, once there are enough."""
    deadline = time.monotonic() + 5
    while True:
        views = [
            c.args["view"]
            for c in fake_slack.calls[program["calls_before"] :]
            if c.method == "views.publish" and c.args["user_id"] == user
        ]
        if len(views) >= wait_for or time.monotonic() > deadline:
            return views
        time.sleep(0.02)


def home_showing(fake_slack, program, user: str, text: str) -> str:
    """The first App Home published for ``user`` that shows ``text`` (the app refreshes
    Home after its ack, so the test waits for the refresh rather than counting them)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for view in homes(fake_slack, program, user):
            if text in json.dumps(view):
                return json.dumps(view)
        time.sleep(0.02)
    raise AssertionError(f"no App Home for {user} showed {text!r}")


def everything_sent(fake_slack, program) -> str:
    """Every argument of every call since the fixture, and every uploaded file."""
    calls = json.dumps([c.args for c in fake_slack.calls[program["calls_before"] :]])
    files = [f["bytes"].decode("utf-8", "replace") for f in fake_slack.uploaded_files.values()]
    return calls + "".join(files)


def test_a_lead_gets_the_whole_program_in_one_ephemeral_report(program, fake_slack):
    ack = program["lead"].command(LEAD_ID, "report")
    assert "Putting the report together" in reply_text(ack)
    (report,) = new_replies(fake_slack, program, wait_for=1)
    assert report.get("response_type", "ephemeral") == "ephemeral"
    text = json.dumps(report["blocks"])
    assert "Reverse mentoring" in text
    mentor, mentee, _ = program["pairs"][program["at_risk"]]
    assert f"<@{mentor}> & <@{mentee}>" in text  # the pair at risk, by name, for the lead
    assert "the senior skipped twice in a row" in text
    assert SHARED in text  # its author shared it
    assert SECRET not in everything_sent(fake_slack, program)
    # Two mentees rated (2 and 4): the average is hidden, not shown.
    assert "fewer than 3 people" in text
    assert len(report["blocks"]) <= 50


def test_someone_who_is_not_a_lead_gets_a_refusal_and_no_numbers(program, fake_slack):
    member = program["mentors"][0]
    for text in ("report", "report csv", "report chart"):
        answer = reply_text(program["lead"].command(member, text))
        assert "is for program leads" in answer
        assert not any(u in answer for u in program["mentees"])
    assert new_replies(fake_slack, program) == []
    assert fake_slack.calls_to("files.getUploadURLExternal") == []


def test_the_csv_and_the_chart_arrive_in_the_leads_dm(program, fake_slack):
    lead = program["lead"]
    assert "arrive in your DM" in reply_text(lead.command(LEAD_ID, "report csv"))
    assert "arrive in your DM" in reply_text(lead.command(LEAD_ID, "report chart"))
    fake_slack.wait_for("files.completeUploadExternal", count=2, timeout=60)
    sent = [r["text"] for r in new_replies(fake_slack, program, wait_for=2)]
    assert all("Sent to your DM with Upward" in t and "/files/" in t for t in sent)
    # Other conversations open meanwhile (welcomes go out in the background): find the lead's.
    opened = [c.args["users"] for c in fake_slack.wait_for("conversations.open")]
    assert LEAD_ID in opened
    files = list(fake_slack.uploaded_files.values())
    by_name = {f["filename"].rsplit(".", 1)[1]: f for f in files}
    assert set(by_name) == {"csv", "png"}
    assert by_name["png"]["bytes"].startswith(b"\x89PNG")
    rows = list(csv.DictReader(io.StringIO(by_name["csv"]["bytes"].decode("utf-8-sig"))))
    assert {r["user_id"] for r in rows} == set(program["mentors"] + program["mentees"])
    assert all(f["channel_id"] and f["comment"] for f in files)
    assert SECRET not in everything_sent(fake_slack, program)


def test_the_server_never_imports_matplotlib_to_draw_a_chart(program, fake_slack, running_app):
    """matplotlib would stay in the worker's memory for good: a child process draws."""
    assert "arrive in your DM" in reply_text(program["lead"].command(LEAD_ID, "report chart"))
    fake_slack.wait_for("files.completeUploadExternal", timeout=60)
    (png,) = [f["bytes"] for f in fake_slack.uploaded_files.values()]
    assert png.startswith(b"\x89PNG")
    # An imported C extension is a mapped file: matplotlib's would show here.
    worker = worker_pid(running_app.process.pid)
    assert mapped_files(worker, "matplotlib") == set()
    assert children(worker) == []  # the child is gone, its memory with it


def test_a_typo_in_the_program_is_answered_in_the_ack(program, fake_slack):
    answer = reply_text(program["lead"].command(LEAD_ID, "report csv <!here>Nope"))
    assert "&lt;!here&gt;" in answer
    assert "Reverse mentoring" in answer  # the programs there are
    assert fake_slack.calls_to("files.getUploadURLExternal") == []


def test_app_home_shows_a_lead_the_dashboard_and_the_nudge_reaches_the_pair(program, fake_slack):
    lead = program["lead"]
    lead.event({"type": "app_home_opened", "user": LEAD_ID, "channel": "D0", "tab": "home"})
    (home,) = homes(fake_slack, program, LEAD_ID)
    found = buttons(home["blocks"])
    assert found["upward_nudge_pair"] == [str(program["at_risk"])]
    assert found["upward_report_csv"] == [str(program["program_id"])]

    lead.block_action(LEAD_ID, "upward_nudge_pair", str(program["at_risk"]), container="view")
    lead.block_action(LEAD_ID, "upward_nudge_pair", str(program["at_risk"]), container="view")
    mentor, _mentee, channel = program["pairs"][program["at_risk"]]
    refreshed = home_showing(fake_slack, program, LEAD_ID, "nudged")
    # The group DM had its intro a moment ago: one post a second per channel, so wait.
    nudges = wait_until(
        lambda: [m for m in fake_slack.messages(channel) if "friendly hello" in m["text"]]
    )
    time.sleep(0.3)  # the second click's turn, had it planned a second message
    assert nudges == [m for m in fake_slack.messages(channel) if "friendly hello" in m["text"]]
    assert len(nudges) == 1  # twice clicked, once sent (one a day)
    assert f"<@{mentor}>" in nudges[0]["text"]
    assert f"<@{LEAD_ID}>" in nudges[0]["text"]
    assert "upward_nudge_pair" in refreshed  # still there, to nudge again another day

    lead.block_action(LEAD_ID, "upward_report_csv", str(program["program_id"]), container="view")
    linked = home_showing(fake_slack, program, LEAD_ID, "/files/")
    assert "Latest: none yet" not in linked
    assert fake_slack.calls_to("files.completeUploadExternal")


def test_nobody_else_sees_other_pairs_on_app_home_or_can_nudge(program, fake_slack):
    lead = program["lead"]
    mentor, mentee, channel = program["pairs"][program["at_risk"]]
    # A mentor of the other pair: the at-risk pair is none of their business.
    (member,) = [m for m in program["mentors"] if m != mentor]
    lead.event({"type": "app_home_opened", "user": member, "channel": "D0", "tab": "home"})
    view = json.dumps(homes(fake_slack, program, member)[-1])
    assert mentor not in view
    assert mentee not in view
    assert "upward_nudge_pair" not in view
    assert "For program leads" not in view

    lead.block_action(member, "upward_nudge_pair", str(program["at_risk"]), container="view")
    lead.block_action(member, "upward_report_csv", str(program["program_id"]), container="view")
    time.sleep(1)  # ignored clicks leave nothing to wait for; give them time to misbehave
    assert not [m for m in fake_slack.messages(channel) if "friendly hello" in m["text"]]
    assert fake_slack.calls_to("files.getUploadURLExternal") == []
