"""The questions after a program through the running app: "Answer" opens the modal, a bad
answer comes back per field, a good one is stored before the ack and only once, the
junior's App Home then shows their senior's commitments, "Skip" skips, and nobody else
gets in."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.services.people.enrolment import EnrolmentService
from models import Commitment, OutcomeCheckpoint, OutcomeSurvey, Pair, PairStatus, Person, Role
from tests.support.programs import member_submission
from tests.support.slack_requests import SlackSender
from tests.support.text_objects import mrkdwn_text, plain_text


def radio(value: str | None) -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": value}, "value": value}
    return {"value": {"type": "radio_buttons", "selected_option": option if value else None}}


def text_input(value: str | None) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def end_answers(
    would_again: str | None = "yes",
    recommend: str | None = "unsure",
    commitments: tuple[str | None, ...] = (),
    share: bool = False,
) -> dict[str, Any]:
    """view.state.values as Slack sends them for the end-of-program modal."""
    values: dict[str, Any] = {"would_again": radio(would_again), "recommend": radio(recommend)}
    for position, text in enumerate(commitments, start=1):
        values[f"survey_commitment_{position}"] = text_input(text)
    ticked = [{"text": {"type": "plain_text", "text": "Share"}, "value": "share"}]
    values["survey_share"] = {
        "value": {"type": "checkboxes", "selected_options": ticked if share else []}
    }
    return values


@pytest.fixture
def team(new_id) -> str:
    return new_id("T")


@pytest.fixture
def sender(running_app, fake_slack, team) -> SlackSender:
    return SlackSender(running_app.base_url, fake_slack, team)


@pytest.fixture
def asked(sessions, clock, new_id, team, fake_slack) -> dict[str, Any]:
    """A pair whose program has ended, each with the end's questions open, and the
    junior with a 60-day one that closed. Rows are added directly: planning (run_due)
    would act on every other test's people too."""
    enrolment = EnrolmentService(sessions, clock)
    mentor, mentee = new_id(), new_id()
    for user, role in ((mentor, "mentor"), (mentee, "mentee")):
        fake_slack.add_user(user, team_id=team)
        enrolment.save(team, user, member_submission(role, ["ai-tools"]))
    now = clock.now()
    with sessions.begin() as s:
        people = {
            p.slack_user_id: p
            for p in s.scalars(select(Person).where(Person.slack_user_id.in_((mentor, mentee))))
        }
        pair = Pair(
            program_id=people[mentee].program_id,
            mentor_id=people[mentor].id,
            mentee_id=people[mentee].id,
            status=PairStatus.ENDED,
            channel_id=new_id("G"),
            intro_sent_at=now - timedelta(weeks=13),
            created_at=now - timedelta(weeks=13),
            ended_at=now - timedelta(days=1),
        )
        s.add(pair)
        s.flush()

        def row(user: str, role: Role, checkpoint: OutcomeCheckpoint, closes: Any):
            person = people[user]
            return OutcomeSurvey(
                program_id=person.program_id,
                person_id=person.id,
                pair_id=pair.id,
                role=role,
                checkpoint=checkpoint,
                asks_signals=True,
                asked_at=now,
                closes_at=closes,
            )

        far = now + timedelta(days=3650)
        rows = {
            "mentee": row(mentee, Role.MENTEE, OutcomeCheckpoint.END, far),
            "mentor": row(mentor, Role.MENTOR, OutcomeCheckpoint.END, far),
            "closed": row(mentor, Role.MENTOR, OutcomeCheckpoint.DAY_60, now),
        }
        s.add_all(rows.values())
        s.flush()
        return {"mentor": mentor, "mentee": mentee, "ids": {k: r.id for k, r in rows.items()}}


def stored(sessions, survey_id: int) -> tuple[OutcomeSurvey, list[Commitment]]:
    with sessions() as s:
        row = s.get_one(OutcomeSurvey, survey_id)
        kept = list(
            s.scalars(
                select(Commitment)
                .where(Commitment.survey_id == survey_id)
                .order_by(Commitment.position)
            )
        )
        return row, kept


def test_a_senior_answers_and_commits_and_their_junior_sees_it(sender, fake_slack, sessions, asked):
    mentee, mentor, survey_id = asked["mentee"], asked["mentor"], asked["ids"]["mentee"]
    click = sender.block_action(mentee, "upward_survey_open", str(survey_id))
    assert click.status_code == 200
    (opened,) = fake_slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "upward_survey"
    assert view["private_metadata"] == str(survey_id)
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "would_again",
        "recommend",
        "survey_commitment_1",
        "survey_commitment_2",
        "survey_commitment_3",
        "survey_share",
    ]
    assert f"<@{mentor}> will see your commitments" in json.dumps(view)

    bad = sender.view_submission(
        mentee,
        "upward_survey",
        end_answers(would_again=None, commitments=("", "x" * 201)),
        str(survey_id),
    )
    assert bad.json()["response_action"] == "errors"
    assert set(bad.json()["errors"]) == {"would_again", "survey_commitment_2"}
    row, kept = stored(sessions, survey_id)
    assert (row.answered_at, kept) == (None, [])

    good = sender.view_submission(
        mentee,
        "upward_survey",
        end_answers(commitments=("Post on <!channel> weekly", None, "Ask for *feedback*")),
        str(survey_id),
    )
    body = good.json()
    assert body["response_action"] == "update"
    assert "Your commitments are in your Home tab" in json.dumps(body["view"])
    # Stored before the ack: the response above came after the commit.
    row, kept = stored(sessions, survey_id)
    assert row.answered_at is not None
    assert (row.would_again, row.recommend, row.sponsored) == ("yes", "unsure", None)
    assert [(c.position, c.text, c.shared) for c in kept] == [
        (1, "Post on <!channel> weekly", False),
        (2, "Ask for *feedback*", False),
    ]

    # Both App Homes now show the commitments, escaped; never the senior's answers.
    homes = {}
    for call in fake_slack.wait_for("views.publish", count=2):
        homes[call.args["user_id"]] = json.dumps(call.args["view"])
    assert set(homes) == {mentor, mentee}
    home = json.loads(homes[mentor])
    assert "• Post on <!channel> weekly" in plain_text(home).splitlines()
    assert "<!channel>" not in mrkdwn_text(home)
    assert f"<@{mentee}>'s commitments" in homes[mentor]
    assert "Your commitments" in homes[mentee]
    assert "unsure" not in homes[mentor]

    again = sender.view_submission(
        mentee, "upward_survey", end_answers(commitments=("Other",)), str(survey_id)
    )
    assert "already answered" in json.dumps(again.json())
    assert [c.text for c in stored(sessions, survey_id)[1]] == [c.text for c in kept]


def test_a_junior_skips_and_the_dm_says_so(sender, fake_slack, sessions, asked):
    mentor, survey_id = asked["mentor"], asked["ids"]["mentor"]
    sender.block_action(mentor, "upward_survey_skip", str(survey_id))
    (reply,) = fake_slack.wait_for("response_url")
    assert "Skipped — no problem" in reply.args["text"]
    assert reply.args.get("replace_original") is True
    row, _ = stored(sessions, survey_id)
    assert row.skipped_at is not None
    assert row.answered_at is None
    late = sender.view_submission(
        mentor, "upward_survey", {**end_answers(), "sponsored": radio("yes")}, str(survey_id)
    )
    assert "skipped these" in json.dumps(late.json())
    assert stored(sessions, survey_id)[0].sponsored is None


def test_nobody_else_can_answer_and_a_closed_one_changes_nothing(
    sender, fake_slack, sessions, asked
):
    mentor, mentee = asked["mentor"], asked["mentee"]
    theirs = asked["ids"]["mentee"]
    sender.block_action(mentor, "upward_survey_open", str(theirs))  # the partner
    (refusal,) = fake_slack.wait_for("response_url")
    assert "belong to someone else" in refusal.args["text"]
    assert fake_slack.calls_to("views.open") == []
    response = sender.view_submission(
        mentor, "upward_survey", end_answers(commitments=("Mine now",)), str(theirs)
    )
    assert "belong to someone else" in json.dumps(response.json())
    forged = sender.view_submission(mentee, "upward_survey", end_answers(), "not-a-number")
    assert "belong to someone else" in json.dumps(forged.json())
    row, kept = stored(sessions, theirs)
    assert (row.answered_at, row.skipped_at, kept) == (None, None, [])

    closed = asked["ids"]["closed"]
    late = sender.view_submission(
        mentor, "upward_survey", {**end_answers(), "sponsored": radio("no")}, str(closed)
    )
    assert "this one has closed" in json.dumps(late.json())
    row, _ = stored(sessions, closed)
    assert (row.answered_at, row.skipped_at, row.would_again) == (None, None, None)
