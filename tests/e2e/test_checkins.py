"""Check-ins through the running app: the "Did you meet?" buttons open the form, the form
is stored before the ack, bad answers come back per field, and nobody else gets in."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.services.matching.rounds import PairingService
from bot.services.people.enrolment import EnrolmentService
from bot.services.programs.settings import ProgramService
from models import CheckIn, OutboundMessage, Pair
from tests.support.programs import member_submission
from tests.support.slack_requests import SlackSender


def checkin_values(
    rating: str | None = "4",
    learned: str | None = "How to brief an AI assistant",
    blockers: str | None = None,
    share: bool = False,
    candid: str | None = None,
) -> dict[str, Any]:
    """view.state.values as Slack sends them for the check-in modal."""

    def radio(value: str | None) -> dict[str, Any]:
        selected = {"text": {"type": "plain_text", "text": value}, "value": value}
        return {"type": "radio_buttons", "selected_option": selected if value else None}

    values: dict[str, Any] = {
        "checkin_rating": {"value": radio(rating)},
        "checkin_learned": {"value": {"type": "plain_text_input", "value": learned}},
        "checkin_blockers": {"value": {"type": "plain_text_input", "value": blockers}},
        "checkin_share": {
            "value": {
                "type": "checkboxes",
                "selected_options": (
                    [{"text": {"type": "plain_text", "text": "Share"}, "value": "share"}]
                    if share
                    else []
                ),
            }
        },
    }
    if candid is not None:
        values["checkin_candid"] = {"value": radio(candid)}
    return values


@pytest.fixture
def team(new_id) -> str:
    return new_id("T")


@pytest.fixture
def sender(running_app, fake_slack, team) -> SlackSender:
    return SlackSender(running_app.base_url, fake_slack, team)


@pytest.fixture
def asked(sessions, clock, new_id, team, fake_slack) -> dict[str, Any]:
    """A pair in the shared database, each person with check-in 1 open. Rows are added
    directly: planning (run_due) would act on every other test's pairs too."""
    enrolment = EnrolmentService(sessions, clock)
    mentor, mentee = new_id(), new_id()
    for user, role in ((mentor, "mentor"), (mentee, "mentee")):
        fake_slack.add_user(user, team_id=team)
        enrolment.save(
            team,
            user,
            member_submission(role, ["ai-tools"]),
        )
    pairing = PairingService(sessions, clock, ProgramService(sessions, clock))
    preview = pairing.preview(team, None)
    pairing.confirm(team, None, preview.round_id)
    with sessions.begin() as s:
        pair = s.scalars(select(Pair).where(Pair.round_id == preview.round_id)).one()
        rows = {
            person.slack_user_id: CheckIn(
                pair_id=pair.id, person_id=person.id, number=1, week=2, asked_at=clock.now()
            )
            for person in (pair.mentor, pair.mentee)
        }
        s.add_all(rows.values())
        s.flush()
        return {
            "mentor": mentor,
            "mentee": mentee,
            "pair_id": pair.id,
            "ids": {user: row.id for user, row in rows.items()},
        }


def stored(sessions, checkin_id: int) -> CheckIn:
    with sessions() as s:
        return s.get_one(CheckIn, checkin_id)


def test_a_mentor_answers_a_check_in_from_slack(sender, fake_slack, sessions, asked):
    mentor, checkin_id = asked["mentor"], asked["ids"][asked["mentor"]]
    assert sender.block_action(mentor, "upward_checkin_met", str(checkin_id)).status_code == 200
    (opened,) = fake_slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "upward_checkin"
    assert view["private_metadata"] == str(checkin_id)
    blocks = {b.get("block_id") for b in view["blocks"]}
    assert {"checkin_rating", "checkin_learned", "checkin_blockers", "checkin_share"} < blocks
    assert "checkin_candid" in blocks  # the junior is asked about candour
    assert stored(sessions, checkin_id).met == "met"

    bad = sender.view_submission(
        mentor,
        "upward_checkin",
        checkin_values(rating=None, learned="x" * 1001),
        str(checkin_id),
    )
    assert bad.json()["response_action"] == "errors"
    assert set(bad.json()["errors"]) == {"checkin_rating", "checkin_learned"}
    assert stored(sessions, checkin_id).answered_at is None

    good = sender.view_submission(
        mentor,
        "upward_checkin",
        checkin_values(rating="5", blockers="Calendars <!channel>", candid="mostly"),
        str(checkin_id),
    )
    body = good.json()
    assert body["response_action"] == "update"
    assert "saved" in json.dumps(body["view"])
    assert "Calendars" not in json.dumps(body["view"])
    # Stored before the ack: the response above came after the commit.
    row = stored(sessions, checkin_id)
    assert (row.rating, row.blockers, row.candid) == (5, "Calendars <!channel>", "mostly")
    assert row.share_with_lead is False
    assert row.answered_at is not None


def test_a_mentee_sees_no_candour_question_and_can_share(sender, fake_slack, sessions, asked):
    mentee, checkin_id = asked["mentee"], asked["ids"][asked["mentee"]]
    sender.block_action(mentee, "upward_checkin_couldnt", str(checkin_id))
    (opened,) = fake_slack.wait_for("views.open")
    assert "checkin_candid" not in {b.get("block_id") for b in opened.args["view"]["blocks"]}
    response = sender.view_submission(
        mentee,
        "upward_checkin",
        checkin_values(rating="2", share=True, candid="yes"),
        str(checkin_id),
    )
    assert response.json()["response_action"] == "update"
    row = stored(sessions, checkin_id)
    assert (row.met, row.rating, row.share_with_lead, row.candid) == ("couldnt", 2, True, None)


def test_not_yet_promises_to_ask_again(sender, fake_slack, sessions, asked):
    mentee, checkin_id = asked["mentee"], asked["ids"][asked["mentee"]]
    sender.block_action(mentee, "upward_checkin_not_yet", str(checkin_id))
    (reply,) = fake_slack.wait_for("response_url")
    assert "ask again" in reply.args["text"]
    assert reply.args["response_type"] == "ephemeral"
    assert fake_slack.calls_to("views.open") == []
    key = f"checkin:{asked['pair_id']}:{stored(sessions, checkin_id).person_id}:1:again"
    with sessions() as s:
        assert s.scalars(select(OutboundMessage).where(OutboundMessage.key == key)).one()


def test_nobody_else_can_answer_or_see_a_check_in(sender, fake_slack, sessions, asked):
    mentor, mentee = asked["mentor"], asked["mentee"]
    mentee_checkin = asked["ids"][mentee]
    sender.block_action(mentor, "upward_checkin_met", str(mentee_checkin))  # the partner
    (refusal,) = fake_slack.wait_for("response_url")
    assert "belongs to someone else" in refusal.args["text"]
    assert fake_slack.calls_to("views.open") == []

    response = sender.view_submission(
        mentor, "upward_checkin", checkin_values(), str(mentee_checkin)
    )
    assert "belongs to someone else" in json.dumps(response.json())
    forged = sender.view_submission(mentee, "upward_checkin", checkin_values(), "not-a-number")
    assert "belongs to someone else" in json.dumps(forged.json())
    row = stored(sessions, mentee_checkin)
    assert (row.met, row.rating, row.answered_at) == (None, None, None)
