"""Joining, editing, status, pause/resume/leave and App Home, end to end over HTTP."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot import copy
from models import OutboundMessage, Person, PersonStatus
from tests.support import LEAD_ID
from tests.support.polling import wait_until
from tests.support.slack_requests import join_values, reply_text


def people(sessions, user_id: str) -> list[Person]:
    with sessions() as s:
        query = select(Person).where(Person.slack_user_id == user_id)
        return list(s.scalars(query.options(selectinload(Person.skills))))


@pytest.fixture
def user(new_id, fake_slack) -> str:
    user_id = new_id()
    fake_slack.add_user(user_id, tz="Europe/Berlin")
    return user_id


def join(slack, fake_slack, user: str, **values) -> None:
    response = slack.view_submission(user, "upward_join", join_values(**values))
    assert response.status_code == 200
    assert response.text in ("", "{}") or "errors" not in response.json(), response.text


def test_join_opens_the_modal_with_the_skill_catalogue(slack, fake_slack, user):
    response = slack.command(user, "join")
    assert response.status_code == 200
    (call,) = fake_slack.wait_for("views.open")
    view = call.args["view"]
    assert view["callback_id"] == "upward_join"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    role_labels = [o["text"]["text"] for o in blocks["role"]["element"]["options"]]
    assert role_labels == ["I'll share what I know — mentor", "I want to learn — mentee"]
    skills = [o["value"] for o in blocks["teach"]["element"]["options"]]
    assert "ai-tools" in skills
    assert "culture-inclusion" in skills


def test_submitting_the_modal_saves_welcomes_and_publishes_home(slack, fake_slack, sessions, user):
    join(slack, fake_slack, user, goals="Get better at <!channel> & feedback")
    (person,) = people(sessions, user)
    assert person.role == "mentor"
    assert person.status == PersonStatus.ACTIVE

    (post,) = fake_slack.wait_for("chat.postMessage")
    (opened,) = fake_slack.calls_to("conversations.open")
    assert opened.args["users"] == user
    welcome = json.dumps(post.args["blocks"])
    assert "Confidentiality" in welcome
    assert "feedback" in welcome.lower()
    assert "Setting goals" in welcome
    fake_slack.wait_for("views.publish")

    (person,) = people(sessions, user)
    assert person.tz == "Europe/Berlin"  # from users.info
    assert person.dm_channel_id == post.args["channel"]
    assert person.welcomed_at is not None


def test_joining_again_edits_the_same_record_and_reuses_the_dm(slack, fake_slack, sessions, user):
    join(slack, fake_slack, user)
    fake_slack.wait_for("chat.postMessage")
    fake_slack.wait_for("views.publish")

    response = slack.command(user, "join")
    assert response.status_code == 200
    (modal,) = fake_slack.wait_for("views.open")
    role = next(b for b in modal.args["view"]["blocks"] if b.get("block_id") == "role")
    assert role["element"]["initial_option"]["value"] == "mentor"  # pre-filled

    join(slack, fake_slack, user, role="mentee", teach=(), learn=("social-media",))
    posts = fake_slack.wait_for("chat.postMessage", count=2)
    assert "updated" in posts[1].args["text"]
    assert len(fake_slack.calls_to("conversations.open")) == 1  # opened once, stored
    (person,) = people(sessions, user)
    assert person.role == "mentee"


def test_field_errors_come_back_in_the_modal_and_nothing_is_saved(
    slack, fake_slack, sessions, user
):
    response = slack.view_submission(
        user, "upward_join", join_values(teach=(), department="x" * 200)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"teach", "department"}
    assert people(sessions, user) == []
    assert fake_slack.calls_to("chat.postMessage") == []


def test_a_forged_submission_with_an_unknown_skill_is_refused(slack, sessions, user):
    body = slack.view_submission(user, "upward_join", join_values(teach=("hacking",))).json()
    assert body["errors"]["teach"]
    assert people(sessions, user) == []


def test_status_before_joining_says_how_to_join(slack, user):
    assert "/mentor join" in reply_text(slack.command(user, "status"))


def test_status_shows_role_skills_and_escaped_goals(slack, fake_slack, user):
    join(
        slack,
        fake_slack,
        user,
        teach=("ai-tools", "data-analytics"),
        goals="<!channel> learn <@U999> things",
    )
    text = reply_text(slack.command(user, "status"))
    assert "Mentor" in text
    assert "AI and new tools" in text
    assert "Data analytics" in text
    assert "&lt;!channel&gt;" in text
    assert "<!channel>" not in text
    assert "<@U999>" not in text
    assert "Not matched yet" in text


def test_pause_and_resume(slack, fake_slack, sessions, user):
    join(slack, fake_slack, user)
    assert "Paused" in reply_text(slack.command(user, "pause"))
    assert people(sessions, user)[0].status == PersonStatus.PAUSED
    assert "already paused" in reply_text(slack.command(user, "pause"))
    assert "active again" in reply_text(slack.command(user, "resume"))
    assert people(sessions, user)[0].status == PersonStatus.ACTIVE


def test_pause_before_joining_is_a_friendly_no(slack, user):
    assert "/mentor join" in reply_text(slack.command(user, "pause"))


def test_leave_asks_first_then_keeps_history(slack, fake_slack, sessions, user):
    join(slack, fake_slack, user)
    question = reply_text(slack.command(user, "leave"))
    assert "upward_leave_confirm" in question
    assert people(sessions, user)[0].status == PersonStatus.ACTIVE  # nothing yet

    assert slack.block_action(user, "upward_leave_confirm", "leave").status_code == 200
    (reply,) = fake_slack.wait_for("response_url")
    assert reply.args["replace_original"] is True
    assert "left the program" in reply.args["text"]
    (person,) = people(sessions, user)
    assert person.status == PersonStatus.LEFT
    assert person.left_at is not None
    assert person.skills  # history kept

    assert "already left" in reply_text(slack.command(user, "leave"))


def test_choosing_to_stay_changes_nothing(slack, fake_slack, sessions, user):
    join(slack, fake_slack, user)
    slack.block_action(user, "upward_leave_cancel", "stay")
    (reply,) = fake_slack.wait_for("response_url")
    assert "still in the program" in reply.args["text"]
    assert people(sessions, user)[0].status == PersonStatus.ACTIVE


def test_rejoining_after_leaving_reactivates_the_same_person(slack, fake_slack, sessions, user):
    join(slack, fake_slack, user)
    fake_slack.wait_for("chat.postMessage")  # the first welcome
    slack.block_action(user, "upward_leave_confirm", "leave")
    fake_slack.wait_for("response_url")
    join(slack, fake_slack, user)
    posts = fake_slack.wait_for("chat.postMessage", count=2)
    assert "Welcome back" in posts[-1].args["text"]
    (person,) = people(sessions, user)
    assert person.status == PersonStatus.ACTIVE


def test_app_home_for_a_newcomer_offers_join(slack, fake_slack, user):
    slack.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"})
    (call,) = fake_slack.wait_for("views.publish")
    assert call.args["user_id"] == user
    view = json.dumps(call.args["view"])
    assert "upward_open_join" in view
    assert "For program leads" not in view


def test_messages_tab_events_do_not_publish_home(slack, fake_slack, user):
    slack.event({"type": "app_home_opened", "user": user, "channel": "D0", "tab": "messages"})
    slack.event(
        {"type": "app_home_opened", "user": user, "channel": "D0", "tab": "home"}, "Ev0TEST0002"
    )
    (_call,) = fake_slack.wait_for("views.publish")  # the home event, handled after the first
    assert len(fake_slack.calls_to("views.publish")) == 1


def test_app_home_for_a_lead_shows_program_counts(slack, fake_slack):
    slack.event({"type": "app_home_opened", "user": LEAD_ID, "channel": "D0", "tab": "home"})
    (call,) = fake_slack.wait_for("views.publish")
    view = json.dumps(call.args["view"])
    assert "For program leads" in view
    assert "mentors and" in view


def test_home_buttons_open_the_modal_and_pause(slack, fake_slack, sessions, user):
    join(slack, fake_slack, user)
    slack.block_action(user, "upward_open_join", "edit", container="view")
    fake_slack.wait_for("views.open")
    slack.block_action(user, "upward_pause", "pause", container="view")
    publishes = fake_slack.wait_for("views.publish", count=2)
    assert "upward_resume" in json.dumps(publishes[-1].args["view"])
    assert people(sessions, user)[0].status == PersonStatus.PAUSED


# --- when Slack misbehaves --------------------------------------------------------


def test_a_rate_limited_publish_is_retried(slack, fake_slack, user):
    fake_slack.rate_limit_next("views.publish", retry_after=0)
    slack.event({"type": "app_home_opened", "user": user, "channel": "D0", "tab": "home"})
    calls = fake_slack.wait_for("views.publish", count=2)
    assert len(calls) == 2


def test_a_deactivated_account_loses_no_answers(slack, fake_slack, sessions, user):
    fake_slack.fail_next("conversations.open", "account_inactive")
    join(slack, fake_slack, user)
    (person,) = people(sessions, user)
    assert person.role == "mentor"  # saved before the ack, whatever Slack said after
    # Slack will never deliver to them: marked, and the leads are told (through the
    # outbox: the alert goes out with the next run_due).
    assert wait_until(lambda: people(sessions, user)[0].unreachable_reason) == "account_inactive"
    (person,) = people(sessions, user)
    with sessions() as s:
        alerts = s.scalars(
            select(OutboundMessage.user_id).where(
                OutboundMessage.kind == "alert",
                OutboundMessage.key.like(f"alert:welcome:{person.id}:%"),
            )
        ).all()
    assert alerts == [LEAD_ID]


def test_a_slack_outage_during_join_gets_an_apology(slack, fake_slack, user):
    fake_slack.server_error_next("views.open", status=503, times=5)
    assert slack.command(user, "join").status_code == 200
    (reply,) = fake_slack.wait_for("response_url", timeout=15)
    assert reply.args["text"] == copy.SLACK_TROUBLE
    assert reply.args["response_type"] == "ephemeral"


def test_people_are_counted_once_across_repeated_joins(slack, fake_slack, sessions, user):
    for _ in range(3):
        join(slack, fake_slack, user)
    with sessions() as s:
        assert s.scalar(select(func.count()).where(Person.slack_user_id == user)) == 1


def forget_ticked() -> dict:
    """The leave question's state with "Also delete my answers" ticked."""
    option = {"text": {"type": "plain_text", "text": "Also delete my answers"}, "value": "forget"}
    return {
        "upward_leave_forget": {
            "upward_leave_forget": {"type": "checkboxes", "selected_options": [option]}
        }
    }


def test_leave_offers_to_delete_the_answers_too(slack, fake_slack, user):
    join(slack, fake_slack, user)
    fake_slack.wait_for("chat.postMessage")  # the welcome, before the next test's reset
    question = json.loads(reply_text(slack.command(user, "leave")))
    (box,) = [b for b in question["blocks"] if b.get("block_id") == "upward_leave_forget"]
    (option,) = box["elements"][0]["options"]
    assert option["text"]["text"] == "Also delete my answers"
    assert "Check-ins, goals, skills" in option["description"]["text"]
    # Ticking the box is its own click: acked, nothing happens until Leave.
    assert slack.block_action(user, "upward_leave_forget").status_code == 200


def test_leaving_with_the_box_ticked_deletes_the_answers(slack, fake_slack, sessions, user):
    join(slack, fake_slack, user, goals="Learn to say no to a senior")
    fake_slack.wait_for("chat.postMessage")  # the welcome went out before the leave
    (person,) = people(sessions, user)
    assert person.skills

    response = slack.block_action(user, "upward_leave_confirm", "leave", state=forget_ticked())
    assert response.status_code == 200
    (reply,) = fake_slack.wait_for("response_url")
    assert reply.args["replace_original"] is True
    assert "answers are deleted" in reply.args["text"]
    assert people(sessions, user) == []  # no row answers to their Slack id any more
    with sessions() as s:
        kept = s.get_one(Person, person.id)
        assert kept.slack_user_id.startswith("forgotten-")
        assert kept.status == PersonStatus.LEFT
        assert kept.goals is None
        assert s.scalar(select(func.count()).where(OutboundMessage.user_id == user)) == 0
    # App Home is refreshed: they are a newcomer again.
    home = wait_until(
        lambda: [c for c in fake_slack.calls_to("views.publish") if c.args["user_id"] == user]
    )
    assert "upward_open_join" in json.dumps(home[-1].args["view"])
    assert copy.NOT_JOINED in reply_text(slack.command(user, "leave"))


def test_leaving_with_the_box_unticked_keeps_the_answers(slack, fake_slack, sessions, user):
    join(slack, fake_slack, user)
    fake_slack.wait_for("chat.postMessage")  # the welcome, before the next test's reset
    unticked = {"upward_leave_forget": {"upward_leave_forget": {"selected_options": []}}}
    slack.block_action(user, "upward_leave_confirm", "leave", state=unticked)
    (reply,) = fake_slack.wait_for("response_url")
    assert "answers are deleted" not in reply.args["text"]
    (person,) = people(sessions, user)
    assert person.status == PersonStatus.LEFT
    assert person.skills
