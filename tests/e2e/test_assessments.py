"""Self-assessments through the running app: "Rate my confidence" opens the modal, a bad
answer comes back per field, a good one is stored before the ack and only once, "Skip"
skips, and nobody else gets in."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.services.people.enrolment import EnrolmentService
from models import AssessmentPhase, Person, SelfAssessment, SelfAssessmentScore
from tests.support.programs import member_submission
from tests.support.slack_requests import SlackSender

AREAS = ["ai-tools", "feedback_to_senior", "running_a_session", "influencing_a_decision"]


def scores(**chosen: str | None) -> dict[str, Any]:
    """view.state.values as Slack sends them for the self-assessment modal."""

    def select_(value: str | None) -> dict[str, Any]:
        option = {"text": {"type": "plain_text", "text": value}, "value": value}
        return {"type": "static_select", "selected_option": option if value else None}

    return {f"assessment_area_{area}": {"value": select_(value)} for area, value in chosen.items()}


@pytest.fixture
def team(new_id) -> str:
    return new_id("T")


@pytest.fixture
def sender(running_app, fake_slack, team) -> SlackSender:
    return SlackSender(running_app.base_url, fake_slack, team)


@pytest.fixture
def asked(sessions, clock, new_id, team, fake_slack) -> dict[str, Any]:
    """A junior mentor and a senior mentee in the shared database, each with a "before"
    open, and the mentor with an "after" that closed. Rows are added directly: planning
    (run_due) would act on every other test's people too."""
    enrolment = EnrolmentService(sessions, clock)
    mentor, mentee = new_id(), new_id()
    for user, role in ((mentor, "mentor"), (mentee, "mentee")):
        fake_slack.add_user(user, team_id=team)
        enrolment.save(team, user, member_submission(role, ["ai-tools"]))
    far = clock.now() + timedelta(days=3650)
    with sessions.begin() as s:
        people = {
            p.slack_user_id: p
            for p in s.scalars(select(Person).where(Person.slack_user_id.in_((mentor, mentee))))
        }

        def row(user: str, phase: AssessmentPhase, areas: list[str], closes: Any):
            person = people[user]
            return SelfAssessment(
                program_id=person.program_id,
                person_id=person.id,
                phase=phase,
                areas=areas,
                asked_at=clock.now(),
                closes_at=closes,
            )

        rows = {
            "mentor": row(mentor, AssessmentPhase.BEFORE, AREAS, far),
            "mentee": row(mentee, AssessmentPhase.BEFORE, ["ai-tools"], far),
            # The program ended long ago: this one has closed.
            "closed": row(mentor, AssessmentPhase.AFTER, AREAS, clock.now()),
        }
        s.add_all(rows.values())
        s.flush()
        return {"mentor": mentor, "mentee": mentee, "ids": {k: r.id for k, r in rows.items()}}


def stored(sessions, assessment_id: int) -> tuple[SelfAssessment, dict[str, int]]:
    with sessions() as s:
        row = s.get_one(SelfAssessment, assessment_id)
        found = {
            score.area: score.score
            for score in s.scalars(
                select(SelfAssessmentScore).where(
                    SelfAssessmentScore.assessment_id == assessment_id
                )
            )
        }
        return row, found


def test_a_junior_rates_their_confidence_from_slack(sender, fake_slack, sessions, asked):
    mentor, assessment_id = asked["mentor"], asked["ids"]["mentor"]
    click = sender.block_action(mentor, "upward_assessment_open", str(assessment_id))
    assert click.status_code == 200
    (opened,) = fake_slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "upward_assessment"
    assert view["private_metadata"] == str(assessment_id)
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == [f"assessment_area_{a}" for a in AREAS]
    assert {b["element"]["type"] for b in inputs} == {"static_select"}
    assert not any(b.get("optional") for b in inputs)

    bad = sender.view_submission(
        mentor,
        "upward_assessment",
        scores(**{"ai-tools": None, "running_a_session": "9", "feedback_to_senior": "3"}),
        str(assessment_id),
    )
    assert bad.json()["response_action"] == "errors"
    assert set(bad.json()["errors"]) == {
        "assessment_area_ai-tools",
        "assessment_area_running_a_session",
        "assessment_area_influencing_a_decision",  # not answered at all
    }
    row, found = stored(sessions, assessment_id)
    assert (row.answered_at, found) == (None, {})

    answers = dict(zip(AREAS, ["2", "3", "4", "1"], strict=True))
    good = sender.view_submission(
        mentor, "upward_assessment", scores(**answers), str(assessment_id)
    )
    body = good.json()
    assert body["response_action"] == "update"
    assert "saved" in json.dumps(body["view"])
    # Stored before the ack: the response above came after the commit.
    row, found = stored(sessions, assessment_id)
    assert row.answered_at is not None
    assert found == {area: int(value) for area, value in answers.items()}

    again = sender.view_submission(
        mentor, "upward_assessment", scores(**dict.fromkeys(AREAS, "5")), str(assessment_id)
    )
    assert "already answered" in json.dumps(again.json())
    assert stored(sessions, assessment_id)[1] == found
    sender.block_action(mentor, "upward_assessment_open", str(assessment_id))
    (refusal,) = fake_slack.wait_for("response_url")
    assert "already answered" in refusal.args["text"]
    assert len(fake_slack.calls_to("views.open")) == 1


def test_a_senior_skips_and_the_dm_says_so(sender, fake_slack, sessions, asked):
    mentee, assessment_id = asked["mentee"], asked["ids"]["mentee"]
    sender.block_action(mentee, "upward_assessment_skip", str(assessment_id))
    (reply,) = fake_slack.wait_for("response_url")
    assert "Skipped your starting-point confidence check" in reply.args["text"]
    assert reply.args.get("replace_original") is True
    row, found = stored(sessions, assessment_id)
    assert row.skipped_at is not None
    assert (row.answered_at, found) == (None, {})
    late = sender.view_submission(
        mentee, "upward_assessment", scores(**{"ai-tools": "4"}), str(assessment_id)
    )
    assert "skipped" in json.dumps(late.json())
    assert stored(sessions, assessment_id)[1] == {}


def test_nobody_else_can_answer_and_a_closed_one_changes_nothing(
    sender, fake_slack, sessions, asked
):
    mentor, mentee = asked["mentor"], asked["mentee"]
    theirs = asked["ids"]["mentee"]
    sender.block_action(mentor, "upward_assessment_open", str(theirs))  # the partner
    (refusal,) = fake_slack.wait_for("response_url")
    assert "belongs to someone else" in refusal.args["text"]
    assert fake_slack.calls_to("views.open") == []
    response = sender.view_submission(
        mentor, "upward_assessment", scores(**{"ai-tools": "5"}), str(theirs)
    )
    assert "belongs to someone else" in json.dumps(response.json())
    forged = sender.view_submission(mentee, "upward_assessment", scores(), "not-a-number")
    assert "belongs to someone else" in json.dumps(forged.json())
    row, found = stored(sessions, theirs)
    assert (row.answered_at, row.skipped_at, found) == (None, None, {})

    closed = asked["ids"]["closed"]
    late = sender.view_submission(
        mentor, "upward_assessment", scores(**dict.fromkeys(AREAS, "4")), str(closed)
    )
    assert "this one has closed" in json.dumps(late.json())
    row, found = stored(sessions, closed)
    assert (row.answered_at, row.skipped_at, found) == (None, None, {})
