"""Confidence self-assessments, before and after: who is asked, when, what they rate,
exactly once, and what an answer may change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import outbox_keys
from bot.container import build_services
from bot.errors import FormErrors, UserFacingError
from bot.ids import assessment_block_id
from bot.sandbox.fakeslack.blockkit import check_message_blocks, check_view
from bot.services.outcomes.assessments import AssessmentService, areas_for
from bot.services.people.enrolment import EnrolmentService
from bot.shapes.assessments import (
    AssessmentArea,
    AssessmentAsk,
    AssessmentForm,
    AssessmentSubmission,
)
from bot.slack import limits
from bot.views.assessments import assessment_message, assessment_modal, read_assessment
from models import (
    AssessmentPhase,
    OutboundMessage,
    OutboxStatus,
    Person,
    PersonStatus,
    Program,
    Role,
    SelfAssessment,
    SelfAssessmentScore,
)
from tests.support.outcomes import (
    BEHAVIOURS,
    EXPECTED_AREAS,
    FINAL_FRIDAY,
    LA,
    PEOPLE,
    START,
    build_cohort,
)
from tests.support.programs import in_working_hours, member_submission


@pytest.fixture
def cohort(own_sessions, fake_slack, new_id, own_url):
    built = build_cohort(own_sessions, fake_slack, new_id, own_url)
    return {**built, "service": built["services"].assessments}


def rows(own_sessions, phase: AssessmentPhase | None = None) -> list[SelfAssessment]:
    with own_sessions() as s:
        statement = select(SelfAssessment).order_by(SelfAssessment.id)
        if phase is not None:
            statement = statement.where(SelfAssessment.phase == phase)
        return list(s.scalars(statement))


def messages(own_sessions) -> list[OutboundMessage]:
    with own_sessions() as s:
        return list(
            s.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.kind == "assessment")
                .order_by(OutboundMessage.id)
            )
        )


def run_clock(due, start: datetime, end: datetime, step: timedelta = timedelta(hours=1)) -> None:
    now = start
    while now < end:
        due.run_due(now)
        now += step


def by_name(cohort, found: list[SelfAssessment]) -> dict[str, SelfAssessment]:
    names = {person_id: name for name, person_id in cohort["ids"].items()}
    return {names[row.person_id]: row for row in found}


def plan_befores(cohort) -> dict[str, SelfAssessment]:
    cohort["service"].plan(START + timedelta(hours=2))
    return by_name(cohort, rows_of(cohort, AssessmentPhase.BEFORE))


def rows_of(cohort, phase: AssessmentPhase) -> list[SelfAssessment]:
    return rows(cohort["services"].sessions, phase)


def all_scores(own_sessions) -> list[tuple[int, str, int]]:
    with own_sessions() as s:
        return [
            (r.assessment_id, r.area, r.score)
            for r in s.scalars(select(SelfAssessmentScore).order_by(SelfAssessmentScore.area))
        ]


# --- what each person rates ---------------------------------------------------------


def test_a_junior_mentor_also_rates_three_leadership_behaviours():
    assert areas_for(Role.MENTOR, ["ai-tools"]) == ("ai-tools", *BEHAVIOURS)
    assert areas_for(Role.MENTEE, ["ai-tools", "social-media", "ai-tools"]) == (
        "ai-tools",
        "social-media",
    )


# --- before -------------------------------------------------------------------------


def test_before_is_asked_once_per_person_shortly_after_joining_in_their_working_hours(
    cohort, own_sessions, fake_slack
):
    run_clock(cohort["services"].due, START, START + timedelta(days=3))

    found = by_name(cohort, rows(own_sessions))
    # Nobody paused and nobody who left; each of the others once.
    assert sorted(found) == sorted(EXPECTED_AREAS)
    for name, row in found.items():
        assert row.phase == AssessmentPhase.BEFORE
        assert tuple(row.areas) == EXPECTED_AREAS[name], name
        assert (row.answered_at, row.skipped_at) == (None, None)
    # At the start of each person's next working day (they joined at 04:00 in Los Angeles
    # and 21:00 in Tokyo): 09:00 local, winter time in Los Angeles.
    expected_due = {
        "mentor_la": datetime(2027, 2, 22, 17, 0, tzinfo=UTC),
        "mentee_la": datetime(2027, 2, 22, 17, 0, tzinfo=UTC),
        "mentor_tokyo": datetime(2027, 2, 23, 0, 0, tzinfo=UTC),
        "mentee_tokyo": datetime(2027, 2, 23, 0, 0, tzinfo=UTC),
    }
    assert {name: row.asked_at for name, row in found.items()} == expected_due

    sent = messages(own_sessions)
    assert len(sent) == 4
    names = {person_id: name for name, person_id in cohort["ids"].items()}
    for message in sent:
        name = names[message.person_id]
        tz = PEOPLE[name][1]
        row = found[name]
        assert message.status == OutboxStatus.SENT
        assert message.key == outbox_keys.self_assessment(row.program_id, row.person_id, "before")
        assert message.user_id == cohort["users"][name]
        assert message.due_at == row.asked_at
        assert in_working_hours(message.sent_at, tz), (name, message.sent_at)
        posted = [
            m
            for m in fake_slack.messages(message.posted_channel_id)
            if m.get("metadata", {}).get("event_payload", {}).get("key") == message.key
        ]
        assert len(posted) == 1
        assert f'"value": "{row.id}"' in json.dumps(posted[0]["blocks"])


def test_once_answered_the_asking_dm_says_saved_instead_of_showing_its_buttons(
    cohort, own_sessions, fake_slack
):
    run_clock(cohort["services"].due, START, START + timedelta(days=3))
    name = "mentee_la"
    row = by_name(cohort, rows(own_sessions))[name]
    (message,) = [m for m in messages(own_sessions) if m.person_id == row.person_id]
    service = cohort["service"]
    saved = service.submit(cohort["team"], cohort["users"][name], row.id, submission(row))

    service.mark_answered_in_dm(saved)

    (update,) = fake_slack.calls_to("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (message.posted_channel_id, message.ts)
    (posted,) = [m for m in fake_slack.messages(message.posted_channel_id) if m["ts"] == message.ts]
    shown = json.dumps(posted["blocks"])
    assert "Saved" in shown
    assert "upward_assessment_open" not in shown  # no buttons left to click


def test_nothing_is_asked_twice_after_a_restart(cohort, own_sessions, fake_slack):
    run_clock(cohort["services"].due, START, START + timedelta(days=2))
    before = [(r.id, r.person_id, r.phase) for r in rows(own_sessions)]
    sent_before = [(m.key, m.status) for m in messages(own_sessions)]
    assert len(before) == 4

    # A restart: a new graph on the same database runs the same ticks again.
    restarted = build_services(cohort["settings"], cohort["clock"], own_sessions)
    run_clock(restarted.due, START, START + timedelta(days=2))
    assert restarted.assessments.plan(START + timedelta(days=1)) == 0

    assert [(r.id, r.person_id, r.phase) for r in rows(own_sessions)] == before
    assert [(m.key, m.status) for m in messages(own_sessions)] == sent_before
    keys = [m.key for m in messages(own_sessions)]
    posts = [
        m
        for channel in {m.posted_channel_id for m in messages(own_sessions)}
        for m in fake_slack.messages(channel)
        if m.get("metadata", {}).get("event_payload", {}).get("key") in keys
    ]
    assert len(posts) == 4


def test_two_planners_at_once_plan_each_assessment_once(cohort, own_sessions):
    other = AssessmentService(own_sessions, cohort["clock"])
    now = START + timedelta(hours=2)
    assert cohort["service"].plan(now) + other.plan(now) == 4
    assert len(rows(own_sessions)) == len(messages(own_sessions)) == 4


def test_before_waits_for_the_time_zone_then_falls_back_to_utc(
    cohort, own_sessions, fake_slack, new_id
):
    user = new_id()
    fake_slack.add_user(user, tz=LA)
    EnrolmentService(own_sessions, cohort["clock"]).save(
        cohort["team"], user, member_submission("mentee", ["design-thinking"])
    )  # Slack's time zone never recorded
    service = cohort["service"]
    service.plan(START + timedelta(minutes=30))
    with own_sessions() as s:
        person_id = s.scalars(select(Person.id).where(Person.slack_user_id == user)).one()
    assert person_id not in {r.person_id for r in rows(own_sessions)}
    service.plan(START + timedelta(hours=1))
    (row,) = [r for r in rows(own_sessions) if r.person_id == person_id]
    assert row.asked_at == START + timedelta(hours=1)  # 13:00 UTC: inside UTC hours


def test_before_is_not_asked_of_people_who_joined_long_ago(cohort, own_sessions):
    # Three days on (an outage, or this feature deployed onto a running cohort).
    assert cohort["service"].plan(START + timedelta(days=3, minutes=1)) == 0
    assert rows(own_sessions) == []


def test_someone_paused_after_planning_is_not_messaged_and_is_asked_once_back(cohort, own_sessions):
    cohort["service"].plan(START + timedelta(hours=1))
    enrolment = EnrolmentService(own_sessions, cohort["clock"])
    enrolment.pause(cohort["team"], cohort["users"]["mentor_la"])
    run_clock(cohort["services"].due, START + timedelta(hours=1), START + timedelta(days=2))
    statuses = {m.person_id: m.status for m in messages(own_sessions)}
    assert statuses.pop(cohort["ids"]["mentor_la"]) == OutboxStatus.CANCELLED
    assert set(statuses.values()) == {OutboxStatus.SENT}

    # Back on Wednesday evening in Los Angeles: asked on Thursday at 09:00, once.
    enrolment.resume(cohort["team"], cohort["users"]["mentor_la"])
    back = datetime(2027, 2, 25, 3, tzinfo=UTC)
    run_clock(cohort["services"].due, back, back + timedelta(days=3))
    (held,) = [m for m in messages(own_sessions) if m.person_id == cohort["ids"]["mentor_la"]]
    assert held.status == OutboxStatus.SENT
    assert held.sent_at == datetime(2027, 2, 25, 17, tzinfo=UTC)
    row = plan_befores(cohort)["mentor_la"]
    assert row.asked_at == held.sent_at
    assert cohort["service"].plan(back + timedelta(days=4)) == 0


# --- after --------------------------------------------------------------------------


def test_after_is_asked_once_in_the_final_week_with_the_same_areas(cohort, own_sessions):
    due = cohort["services"].due
    run_clock(due, START, START + timedelta(days=2), step=timedelta(hours=6))
    befores = by_name(cohort, rows(own_sessions, AssessmentPhase.BEFORE))
    # The junior in Los Angeles changes her skills mid-program: "after" still asks what
    # "before" asked, so the two compare.
    EnrolmentService(own_sessions, cohort["clock"]).save(
        cohort["team"],
        cohort["users"]["mentor_la"],
        member_submission("mentor", ["ai-tools", "design-thinking"]),
    )
    # The Los Angeles mentee pauses before the final week: she is not asked.
    with own_sessions.begin() as s:
        s.get_one(Person, cohort["ids"]["mentee_la"]).status = PersonStatus.PAUSED

    week_11_end = FINAL_FRIDAY - timedelta(days=5)
    assert cohort["service"].plan(week_11_end) == 0  # not yet: the final week starts Monday
    run_clock(due, FINAL_FRIDAY - timedelta(days=2), FINAL_FRIDAY + timedelta(days=4))

    afters = by_name(cohort, rows(own_sessions, AssessmentPhase.AFTER))
    assert sorted(afters) == ["mentee_tokyo", "mentor_la", "mentor_tokyo"]
    for name, row in afters.items():
        assert row.areas == befores[name].areas, name
        assert row.program_id == befores[name].program_id
    # Friday of the final week, 09:00 local: summer time in Los Angeles now.
    assert {name: row.asked_at for name, row in afters.items()} == {
        "mentor_la": datetime(2027, 5, 21, 16, 0, tzinfo=UTC),
        "mentee_tokyo": datetime(2027, 5, 21, 0, 0, tzinfo=UTC),
        "mentor_tokyo": datetime(2027, 5, 21, 0, 0, tzinfo=UTC),
    }
    # Open until two weeks after the program's last day (Sunday 23 May, the mentor's).
    assert afters["mentor_la"].closes_at == datetime(2027, 6, 7, 7, 0, tzinfo=UTC)
    assert afters["mentor_tokyo"].closes_at == datetime(2027, 6, 6, 15, 0, tzinfo=UTC)

    sent = [m for m in messages(own_sessions) if m.key.endswith(":after")]
    assert len(sent) == 3
    names = {person_id: name for name, person_id in cohort["ids"].items()}
    for message in sent:
        assert message.status == OutboxStatus.SENT
        assert in_working_hours(message.sent_at, PEOPLE[names[message.person_id]][1])

    # A restart in the final week asks nobody again.
    restarted = build_services(cohort["settings"], cohort["clock"], own_sessions)
    run_clock(restarted.due, FINAL_FRIDAY - timedelta(days=2), FINAL_FRIDAY + timedelta(days=4))
    assert len(rows(own_sessions, AssessmentPhase.AFTER)) == 3
    assert len([m for m in messages(own_sessions) if m.key.endswith(":after")]) == 3


def test_an_after_slot_missed_while_down_is_asked_at_the_next_working_moment(cohort, own_sessions):
    # The bot was down from Thursday until Saturday of the final week.
    saturday = FINAL_FRIDAY + timedelta(days=1, hours=3)
    assert cohort["service"].plan(saturday) == 4
    afters = by_name(cohort, rows(own_sessions, AssessmentPhase.AFTER))
    # Monday 09:00 local: in Tokyo that is still Sunday in Los Angeles.
    assert afters["mentee_tokyo"].asked_at == datetime(2027, 5, 24, 0, 0, tzinfo=UTC)
    assert afters["mentor_la"].asked_at == datetime(2027, 5, 24, 16, 0, tzinfo=UTC)


def test_no_after_is_planned_once_the_final_week_has_ended(cohort, own_sessions):
    # Monday after the final week, 08:00 UTC: past every pair's last Sunday.
    assert cohort["service"].plan(datetime(2027, 5, 24, 8, tzinfo=UTC)) == 0
    assert rows(own_sessions) == []


# --- answers ------------------------------------------------------------------------


def submission(row: SelfAssessment, **scores: str | None) -> AssessmentSubmission:
    values: dict[str, str | None] = dict.fromkeys(row.areas, "4")
    values.update(scores)
    return AssessmentSubmission(scores=values)


def test_an_answer_rates_every_area_asked_once(cohort, own_sessions):
    service, team = cohort["service"], cohort["team"]
    row = plan_befores(cohort)["mentor_la"]
    user = cohort["users"]["mentor_la"]

    form = service.open_form(team, user, row.id)
    assert [a.area for a in form.areas] == list(EXPECTED_AREAS["mentor_la"])
    assert form.areas[0].label == "AI and new tools"
    assert form.areas[2].label == "Giving feedback to a senior person"

    with pytest.raises(FormErrors) as invalid:
        service.submit(
            team,
            user,
            row.id,
            submission(
                row, **{"ai-tools": None, "data-analytics": "6", "running_a_session": " 5 "}
            ),
        )
    assert set(invalid.value.errors) == {
        assessment_block_id("ai-tools"),
        assessment_block_id("data-analytics"),
        assessment_block_id("running_a_session"),
    }
    assert all_scores(own_sessions) == []

    # An area nobody asked about is dropped, never stored.
    saved = service.submit(
        team, user, row.id, submission(row, **{"ai-tools": "2", "social-media": "5"})
    )
    assert saved.scores["ai-tools"] == 2
    assert sorted(all_scores(own_sessions)) == sorted(
        (row.id, area, 2 if area == "ai-tools" else 4) for area in EXPECTED_AREAS["mentor_la"]
    )
    with own_sessions() as s:
        assert s.get_one(SelfAssessment, row.id).answered_at == cohort["clock"].now()

    # A second answer, or a click on the button again, is refused kindly.
    with pytest.raises(UserFacingError, match="already answered"):
        service.submit(team, user, row.id, submission(row, **{"ai-tools": "5"}))
    with pytest.raises(UserFacingError, match="already answered"):
        service.open_form(team, user, row.id)
    with pytest.raises(UserFacingError, match="already answered"):
        service.skip(team, user, row.id)
    assert ("ai-tools", 2) in {(a, sc) for _, a, sc in all_scores(own_sessions)}


def test_only_the_person_asked_can_answer(cohort, own_sessions, new_id):
    service, team = cohort["service"], cohort["team"]
    row = plan_befores(cohort)["mentee_tokyo"]
    for other_team, user in (
        (team, cohort["users"]["mentor_la"]),  # the partner
        (team, new_id()),
        (new_id("T"), cohort["users"]["mentee_tokyo"]),
    ):
        with pytest.raises(UserFacingError, match="belongs to someone else"):
            service.open_form(other_team, user, row.id)
        with pytest.raises(UserFacingError, match="belongs to someone else"):
            service.submit(other_team, user, row.id, submission(row))
        with pytest.raises(UserFacingError, match="belongs to someone else"):
            service.skip(other_team, user, row.id)
    with pytest.raises(UserFacingError, match="belongs to someone else"):
        service.submit(team, cohort["users"]["mentee_tokyo"], 2**31 - 1, submission(row))
    with own_sessions() as s:
        stored = s.get_one(SelfAssessment, row.id)
    assert (stored.answered_at, stored.skipped_at) == (None, None)
    assert all_scores(own_sessions) == []


def test_a_skip_is_final(cohort, own_sessions):
    service, team = cohort["service"], cohort["team"]
    row = plan_befores(cohort)["mentee_la"]
    user = cohort["users"]["mentee_la"]
    assert service.skip(team, user, row.id) == AssessmentPhase.BEFORE
    assert service.skip(team, user, row.id) is None
    with pytest.raises(UserFacingError, match="skipped"):
        service.submit(team, user, row.id, submission(row))
    with pytest.raises(UserFacingError, match="skipped"):
        service.open_form(team, user, row.id)
    with own_sessions() as s:
        stored = s.get_one(SelfAssessment, row.id)
    assert stored.skipped_at == cohort["clock"].now()
    assert stored.answered_at is None
    assert all_scores(own_sessions) == []


def test_a_late_answer_to_an_after_is_thanked_and_changes_nothing(cohort, own_sessions):
    service, team, clock = cohort["service"], cohort["team"], cohort["clock"]
    service.plan(FINAL_FRIDAY)
    row = by_name(cohort, rows(own_sessions, AssessmentPhase.AFTER))["mentor_tokyo"]
    user = cohort["users"]["mentor_tokyo"]

    clock.current = row.closes_at - timedelta(minutes=1)
    service.open_form(team, user, row.id)  # still open
    clock.current = row.closes_at + timedelta(days=1)  # 15 days after the program ended
    for attempt in (
        lambda: service.open_form(team, user, row.id),
        lambda: service.submit(team, user, row.id, submission(row)),
        lambda: service.skip(team, user, row.id),
    ):
        with pytest.raises(UserFacingError, match="this one has closed"):
            attempt()
    with own_sessions() as s:
        stored = s.get_one(SelfAssessment, row.id)
    assert (stored.answered_at, stored.skipped_at) == (None, None)
    assert all_scores(own_sessions) == []


def test_a_before_closes_four_weeks_after_it_was_asked(cohort):
    row = plan_befores(cohort)["mentee_la"]
    assert row.closes_at == row.asked_at + timedelta(days=28)


# --- the DM and the modal -------------------------------------------------------------


def test_the_dm_and_the_modal_are_valid_block_kit_and_escape_the_program_name(cohort, own_sessions):
    text, blocks = assessment_message(
        AssessmentAsk(7, AssessmentPhase.BEFORE, "Ops <!channel> & co", 5)
    )
    assert check_message_blocks(blocks) is None
    limits.check_message(text, blocks)
    dumped = json.dumps(blocks)
    assert "<!channel>" not in dumped
    assert "&lt;!channel&gt; &amp; co" in dumped
    assert [e["action_id"] for e in blocks[-1]["elements"]] == [
        "upward_assessment_open",
        "upward_assessment_skip",
    ]

    areas = tuple(AssessmentArea(f"skill-{n}", f"Skill <{n}>") for n in range(20))
    modal = limits.check_view(assessment_modal(AssessmentForm(7, AssessmentPhase.AFTER, areas)))
    assert check_view(modal, view_type="modal") is None
    inputs = [b for b in modal["blocks"] if b["type"] == "input"]
    assert len(inputs) == 20
    assert all(not b.get("optional") for b in inputs)
    assert {b["element"]["type"] for b in inputs} == {"static_select"}
    assert [o["value"] for o in inputs[0]["element"]["options"]] == ["1", "2", "3", "4", "5"]
    assert modal["private_metadata"] == "7"


def test_a_junior_mentors_form_heads_skills_and_leadership_apart():
    behaviours = [AssessmentArea(b, b.replace("_", " ")) for b in BEHAVIOURS]
    junior = (AssessmentArea("ai-tools", "AI and new tools"), *behaviours)
    blocks = limits.check_view(assessment_modal(AssessmentForm(3, AssessmentPhase.BEFORE, junior)))[
        "blocks"
    ]
    kinds = [
        b["text"]["text"].split("*")[1] if b["type"] == "section" else b.get("block_id", b["type"])
        for b in blocks[2:]
    ]
    assert kinds == [
        "Skills",
        "assessment_area_ai-tools",
        "divider",
        "Leading as a junior mentor",
        *(f"assessment_area_{b}" for b in BEHAVIOURS),
    ]
    senior = (AssessmentArea("ai-tools", "AI and new tools"),)
    only_skills = limits.check_view(
        assessment_modal(AssessmentForm(4, AssessmentPhase.BEFORE, senior))
    )["blocks"]
    assert [b["type"] for b in only_skills[2:]] == ["input"]  # no headings for one kind


def test_the_modal_state_reads_back_whatever_its_shape():
    found = read_assessment(
        {
            "assessment_area_ai-tools": {"value": {"selected_option": {"value": "3"}}},
            "assessment_area_running_a_session": {"value": {"selected_option": None}},
            "assessment_area_x": "not a block",
            "checkin_rating": {"value": {"selected_option": {"value": "5"}}},
            "assessment_area_y": {"value": {"selected_option": {"value": 4}}},
        }
    )
    assert found.scores == {
        "ai-tools": "3",
        "running_a_session": None,
        "x": None,
        "y": None,
    }


def test_run_due_reports_what_it_planned(cohort):
    report = cohort["services"].due.run_due(START + timedelta(hours=1))
    assert report.assessments == 4
    assert cohort["services"].due.run_due(START + timedelta(hours=1)).assessments == 0


def test_program_length_moves_the_after(cohort, own_sessions):
    with own_sessions.begin() as s:
        for program in s.scalars(select(Program)):
            program.length_weeks = 6
    # A six-week program's final week starts Monday 5 April; Friday is the 9th.
    cohort["service"].plan(datetime(2027, 4, 9, 1, tzinfo=UTC))
    afters = by_name(cohort, rows(own_sessions, AssessmentPhase.AFTER))
    assert afters["mentee_tokyo"].asked_at == datetime(2027, 4, 9, 1, tzinfo=UTC)
