"""The enrolment service against a real database."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.errors import NotJoinedError, UserFacingError
from bot.ids import JoinField
from bot.services.people.enrolment import EnrolmentService, FormErrors
from bot.shapes.enrolment import MAX_DEPARTMENT_CHARS, MAX_GOALS_CHARS, JoinSubmission
from models import Person, PersonSkill, PersonStatus, Role, Seniority

TEAM = "T0SERVICE1"


def submission(**overrides) -> JoinSubmission:
    values = {
        "role": "mentor",
        "teach": ["ai-tools", "social-media"],
        "learn": [],
        "department": "Marketing",
        "seniority": "1",
        "weekday": "2",
        "window": "morning",
        "goals": "Learn how leaders decide",
    }
    values.update(overrides)
    return JoinSubmission(**values)


@pytest.fixture
def enrolment(sessions, clock) -> EnrolmentService:
    return EnrolmentService(sessions, clock)


def count_people(sessions, user_id: str) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).where(Person.slack_user_id == user_id))


def test_catalogue_is_seeded_with_the_six_program_areas(enrolment):
    slugs = [s.slug for s in enrolment.skill_catalogue(TEAM)]
    assert slugs == [
        "ai-tools",
        "social-media",
        "data-analytics",
        "design-thinking",
        "ways-of-working",
        "culture-inclusion",
    ]


def test_join_saves_profile_in_default_program(enrolment, new_id, clock):
    user = new_id()
    result = enrolment.save(TEAM, user, submission())
    assert result.first_join
    assert not result.rejoined
    p = result.profile
    assert (p.role, p.status) == (Role.MENTOR, PersonStatus.ACTIVE)
    assert p.teach == ("AI and new tools", "Social media")
    assert p.learn == ()
    assert (p.department, p.seniority) == ("Marketing", Seniority.EARLY_CAREER)
    assert (p.preferred_weekday, p.window) == (2, "morning")
    assert p.program_name == "Reverse mentoring"
    assert p.joined_at == clock.now()


def test_joining_again_edits_the_same_record(enrolment, sessions, new_id, clock):
    user = new_id()
    first = enrolment.save(TEAM, user, submission())
    clock.advance(days=1)
    second = enrolment.save(
        TEAM, user, submission(role="mentee", teach=[], learn=["data-analytics"], goals=None)
    )
    assert not second.first_join
    assert second.profile.person_id == first.profile.person_id
    assert second.profile.role == Role.MENTEE
    assert second.profile.teach == ()
    assert second.profile.learn == ("Data analytics",)
    assert second.profile.goals is None
    assert second.profile.joined_at == first.profile.joined_at
    assert count_people(sessions, user) == 1
    with sessions() as s:
        rows = s.scalar(
            select(func.count()).where(PersonSkill.person_id == first.profile.person_id)
        )
    assert rows == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"teach": []}, JoinField.TEACH),
        ({"role": "mentee", "learn": []}, JoinField.LEARN),
        ({"role": None}, JoinField.ROLE),
        ({"role": "boss"}, JoinField.ROLE),
        ({"teach": ["knitting"]}, JoinField.TEACH),
        (
            {
                "teach": ["ai-tools"] * 2
                + [
                    "social-media",
                    "data-analytics",
                    "design-thinking",
                    "ways-of-working",
                    "culture-inclusion",
                ]
            },
            JoinField.TEACH,
        ),
        ({"department": "x" * 81}, JoinField.DEPARTMENT),
        ({"goals": "y" * 501}, JoinField.GOALS),
        ({"seniority": "9"}, JoinField.SENIORITY),
        ({"seniority": "senior"}, JoinField.SENIORITY),
        ({"weekday": "6"}, JoinField.WEEKDAY),
        ({"window": "midnight"}, JoinField.WINDOW),
    ],
)
def test_bad_submissions_name_the_field_and_save_nothing(
    enrolment, sessions, new_id, overrides, field
):
    user = new_id()
    with pytest.raises(FormErrors) as caught:
        enrolment.save(TEAM, user, submission(**overrides))
    assert field in caught.value.errors
    assert caught.value.errors[field]
    assert count_people(sessions, user) == 0


def test_duplicate_skill_choices_are_kept_once(enrolment, new_id):
    result = enrolment.save(TEAM, new_id(), submission(teach=["ai-tools", "ai-tools"]))
    assert result.profile.teach == ("AI and new tools",)


def test_text_is_trimmed_and_blank_means_not_given(enrolment, new_id):
    result = enrolment.save(TEAM, new_id(), submission(department="  Sales  ", goals="   "))
    assert result.profile.department == "Sales"
    assert result.profile.goals is None


def test_pause_resume_and_leave_keep_history(enrolment, sessions, new_id, clock):
    user = new_id()
    enrolment.save(TEAM, user, submission())
    clock.advance(hours=1)
    assert enrolment.pause(TEAM, user).status == PersonStatus.PAUSED
    with pytest.raises(UserFacingError, match="already paused"):
        enrolment.pause(TEAM, user)
    assert enrolment.resume(TEAM, user).status == PersonStatus.ACTIVE
    with pytest.raises(UserFacingError, match="already active"):
        enrolment.resume(TEAM, user)
    left = enrolment.leave(TEAM, user).profile
    assert left.status == PersonStatus.LEFT
    assert left.teach == ("AI and new tools", "Social media")  # history kept
    with sessions() as s:
        person = s.scalars(select(Person).where(Person.slack_user_id == user)).one()
        assert person.left_at == clock.now()
    with pytest.raises(NotJoinedError):
        enrolment.pause(TEAM, user)
    with pytest.raises(UserFacingError, match="already left"):
        enrolment.ensure_can_leave(TEAM, user)


def test_joining_after_leaving_restores_the_same_person(enrolment, sessions, new_id):
    user = new_id()
    first = enrolment.save(TEAM, user, submission())
    enrolment.leave(TEAM, user)
    again = enrolment.save(TEAM, user, submission())
    assert again.rejoined
    assert not again.first_join
    assert again.profile.person_id == first.profile.person_id
    assert again.profile.status == PersonStatus.ACTIVE
    assert count_people(sessions, user) == 1


def test_status_changes_need_a_profile(enrolment, new_id):
    user = new_id()
    for change in (enrolment.pause, enrolment.resume, enrolment.leave, enrolment.require_profile):
        with pytest.raises(NotJoinedError, match="/mentor join"):
            change(TEAM, user)


def test_counts_are_per_workspace_and_by_status(enrolment, new_id):
    team = new_id("T")
    mentors = [new_id() for _ in range(3)]
    for user in mentors:
        enrolment.save(team, user, submission())
    mentee = new_id()
    enrolment.save(team, mentee, submission(role="mentee", teach=[], learn=["ai-tools"]))
    enrolment.pause(team, mentors[0])
    enrolment.leave(team, mentors[1])
    counts = enrolment.counts(team)
    assert (counts.mentors, counts.mentees, counts.paused, counts.left) == (1, 1, 1, 1)


def test_workspaces_do_not_share_people(enrolment, new_id):
    user = new_id()
    enrolment.save("T0AAAAAAA1", user, submission())
    assert enrolment.profile("T0BBBBBBB2", user) is None


_values = st.one_of(st.none(), st.text(max_size=600), st.sampled_from(["1", "5", "any", "0"]))
_skills = st.lists(
    st.one_of(st.sampled_from(["ai-tools", "social-media", "data-analytics"]), st.text()),
    max_size=7,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    role=st.one_of(st.sampled_from(["mentor", "mentee"]), st.none(), st.text(max_size=10)),
    teach=_skills,
    learn=_skills,
    department=_values,
    seniority=_values,
    weekday=_values,
    window=st.one_of(st.sampled_from(["any", "morning", "midday", "afternoon"]), _values),
    goals=_values,
)
def test_any_submission_is_either_valid_or_refused_field_by_field(enrolment, **values):
    refused: dict[JoinField, str] | None = None
    try:
        valid = enrolment.validate(TEAM, JoinSubmission(**values))
    except FormErrors as error:
        refused = error.errors
    if refused is not None:
        assert refused  # never refused without saying which field
        assert all(isinstance(f, JoinField) and m for f, m in refused.items())
        return
    assert valid.role in (Role.MENTOR, Role.MENTEE)
    assert valid.teach if valid.role is Role.MENTOR else valid.learn
    assert len(valid.department or "") <= MAX_DEPARTMENT_CHARS
    assert len(valid.goals or "") <= MAX_GOALS_CHARS
