"""Programs, matching rounds, intros and goals, as services against a real database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.errors import FormErrors, UserFacingError
from bot.ids import GoalField, ProgramField
from bot.services.matching.goals import GoalsService
from bot.services.matching.introductions import IntroService
from bot.services.matching.rounds import PairingService, RoundAlreadyConfirmedError, _hours_utc
from bot.services.outbox.delivery import DeliveryService
from bot.services.outbox.dm_channels import DmChannels
from bot.services.outbox.pacing import PostPacer
from bot.services.people.enrolment import EnrolmentService
from bot.services.programs.settings import ProgramService
from bot.shapes.enrolment import JoinSubmission
from bot.shapes.matching import ReasonCode, UnmatchedReason
from bot.shapes.programs import ProgramSubmission
from bot.slack.gateway import SlackGateway
from bot.slack.workspaces import SlackWorkspaces
from models import DirectoryEntry, Pair, PairStatus, Person, Workspace
from tests.support import BOT_TOKEN


def join(enrolment: EnrolmentService, team: str, user: str, **overrides) -> int:
    values = {
        "role": "mentor",
        "teach": ["ai-tools"],
        "learn": [],
        "department": "Marketing",
        "seniority": "1",
        "weekday": "any",
        "window": "any",
        "goals": None,
    }
    values.update(overrides)
    return enrolment.save(team, user, JoinSubmission(**values)).profile.person_id


def mentee(enrolment, team, user, **overrides) -> int:
    values = {"role": "mentee", "teach": [], "learn": ["ai-tools"], "seniority": "4"}
    values.update(overrides)
    return join(enrolment, team, user, **values)


def program_form(**overrides) -> ProgramSubmission:
    values = {
        "name": "Spring cohort",
        "start_date": "2027-03-01",
        "length_weeks": "12",
        "prompt_every_weeks": "1",
        "session_every_weeks": "2",
        "checkin_every_weeks": "2",
        "focus_skills": ["data-analytics"],
        "mentor_capacity": "1",
        "review_matches": True,
        "match_emphasis": "balanced",
        "make_default": False,
    }
    values.update(overrides)
    return ProgramSubmission(**values)


@pytest.fixture
def team(new_id) -> str:
    return new_id("T")


@pytest.fixture
def enrolment(sessions, clock) -> EnrolmentService:
    return EnrolmentService(sessions, clock)


@pytest.fixture
def programs(sessions, clock) -> ProgramService:
    return ProgramService(sessions, clock)


@pytest.fixture
def pairing(sessions, clock, programs) -> PairingService:
    seeds = iter(range(1, 1000))
    return PairingService(sessions, clock, programs, new_seed=lambda: next(seeds))


@pytest.fixture
def goals(sessions, clock) -> GoalsService:
    return GoalsService(sessions, clock)


@pytest.fixture
def intros(sessions, clock, fake_slack) -> IntroService:
    slack = SlackWorkspaces.of(SlackGateway(BOT_TOKEN, fake_slack.url))
    delivery = DeliveryService(sessions, slack, DmChannels(sessions, slack), PostPacer(100))
    return IntroService(sessions, clock, slack, delivery)


def pairs_in(sessions, team: str) -> list[Pair]:
    with sessions() as s:
        return list(
            s.scalars(
                select(Pair)
                .join(Person, Pair.mentor_id == Person.id)
                .join(Workspace, Person.workspace_id == Workspace.id)
                .where(Workspace.slack_team_id == team)
                .order_by(Pair.id)
            )
        )


# --- programs -------------------------------------------------------------------------


def test_the_default_program_works_with_no_setup(programs, team):
    settings = programs.find(team, None)
    assert settings.is_default
    assert (settings.length_weeks, settings.mentor_capacity, settings.review_matches) == (
        12,
        1,
        True,
    )
    assert (settings.prompt_every_weeks, settings.session_every_weeks) == (1, 2)


def test_a_lead_creates_a_program_and_finds_it_by_name_in_any_case(programs, team, new_id):
    saved = programs.save(team, new_id(), None, program_form())
    assert saved.id is not None
    assert saved.focus_skills == ("data-analytics",)
    found = programs.find(team, "SPRING COHORT")
    assert found.id == saved.id
    assert found.start_date.isoformat() == "2027-03-01"
    assert not found.is_default


def test_program_form_errors_come_back_per_field(programs, team, new_id):
    form = program_form(
        name="  ",
        start_date="not a date",
        length_weeks="0",
        mentor_capacity="many",
        focus_skills=["no-such-skill"],
        match_emphasis="vibes",
    )
    with pytest.raises(FormErrors) as caught:
        programs.save(team, new_id(), None, form)
    assert set(caught.value.errors) == {
        ProgramField.NAME,
        ProgramField.START,
        ProgramField.LENGTH,
        ProgramField.CAPACITY,
        ProgramField.FOCUS,
        ProgramField.EMPHASIS,
    }


def test_two_programs_cannot_share_a_name(programs, team, new_id):
    programs.save(team, new_id(), None, program_form(name="Pilot"))
    with pytest.raises(FormErrors) as caught:
        programs.save(team, new_id(), None, program_form(name="pilot"))
    assert ProgramField.NAME in caught.value.errors


def test_making_a_program_the_default_moves_new_joiners(programs, enrolment, team, new_id):
    old_default = programs.find(team, None)
    cohort = programs.save(team, new_id(), None, program_form(make_default=True))
    assert programs.find(team, None).id == cohort.id
    assert not programs.find(team, old_default.name).is_default
    join(enrolment, team, new_id())
    assert enrolment.profile(team, new_id()) is None  # a different person, not joined
    # the next joiner lands in the new cohort
    user = new_id()
    join(enrolment, team, user)
    assert enrolment.require_profile(team, user).program_name == "Spring cohort"


def test_an_unknown_program_name_is_answered_with_the_ones_that_exist(programs, team):
    with pytest.raises(UserFacingError) as caught:
        programs.find(team, "Nope")
    assert "Reverse mentoring" in caught.value.message


# --- matching rounds -----------------------------------------------------------------


def test_preview_proposes_a_fitting_pair_and_explains_it(enrolment, pairing, team, new_id):
    mentor_user, mentee_user = new_id(), new_id()
    mentor_id = join(enrolment, team, mentor_user, teach=["ai-tools", "social-media"])
    mentee_id = mentee(enrolment, team, mentee_user, department="Finance")
    preview = pairing.preview(team, new_id())
    assert [(p.mentor_id, p.mentee_id) for p in preview.pairs] == [(mentor_id, mentee_id)]
    codes = {r.code for r in preview.pairs[0].reasons}
    assert {ReasonCode.SKILLS, ReasonCode.SENIORITY, ReasonCode.CROSS_DEPARTMENT} <= codes
    assert preview.waiting == ()
    assert preview.review


def test_nothing_is_created_until_a_lead_confirms(enrolment, pairing, sessions, team, new_id):
    join(enrolment, team, new_id())
    mentee(enrolment, team, new_id())
    pairing.preview(team, new_id())
    assert pairs_in(sessions, team) == []


def test_confirming_twice_creates_one_set_of_pairs(enrolment, pairing, sessions, team, new_id):
    join(enrolment, team, new_id())
    mentee(enrolment, team, new_id())
    preview = pairing.preview(team, new_id())
    result = pairing.confirm(team, new_id(), preview.round_id)
    assert result.pairs_created == 1
    with pytest.raises(RoundAlreadyConfirmedError):
        pairing.confirm(team, new_id(), preview.round_id)
    assert len(pairs_in(sessions, team)) == 1


def test_concurrent_confirms_create_one_set_of_pairs(enrolment, pairing, sessions, team, new_id):
    for _ in range(5):
        join(enrolment, team, new_id())
        mentee(enrolment, team, new_id())
    preview = pairing.preview(team, new_id())
    outcomes: list[object] = []
    barrier = threading.Barrier(4)

    def confirm() -> None:
        barrier.wait()
        try:
            outcomes.append(pairing.confirm(team, "ULEAD", preview.round_id).pairs_created)
        except UserFacingError as refused:
            outcomes.append(type(refused))

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str).count(5) == 1
    assert len(pairs_in(sessions, team)) == 5


def test_a_newer_preview_makes_the_older_one_stale(enrolment, pairing, team, new_id):
    join(enrolment, team, new_id())
    mentee(enrolment, team, new_id())
    first = pairing.preview(team, new_id())
    pairing.preview(team, new_id())
    with pytest.raises(UserFacingError) as caught:
        pairing.confirm(team, new_id(), first.round_id)
    assert "out of date" in caught.value.message


def test_dropping_a_pair_rematches_the_rest_without_it(enrolment, pairing, team, new_id):
    mentors = [join(enrolment, team, new_id()) for _ in range(2)]
    mentees = [mentee(enrolment, team, new_id()) for _ in range(2)]
    preview = pairing.preview(team, new_id())
    dropped = preview.pairs[0]
    again = pairing.drop(team, preview.round_id, dropped.mentor_id, dropped.mentee_id)
    assert again.round_id == preview.round_id
    assert again.dropped == 1
    assert (dropped.mentor_id, dropped.mentee_id) not in {
        (p.mentor_id, p.mentee_id) for p in again.pairs
    }
    # Two mentors, two mentees: the other diagonal still pairs everyone.
    assert {p.mentor_id for p in again.pairs} == set(mentors)
    assert {p.mentee_id for p in again.pairs} == set(mentees)


def test_paused_people_and_people_already_paired_are_left_out(enrolment, pairing, team, new_id):
    first_mentor, first_mentee = new_id(), new_id()
    join(enrolment, team, first_mentor)
    mentee(enrolment, team, first_mentee)
    pairing.confirm(team, None, pairing.preview(team, None).round_id)
    paused = new_id()
    mentee(enrolment, team, paused)
    enrolment.pause(team, paused)
    newcomer = new_id()
    newcomer_id = mentee(enrolment, team, newcomer)
    preview = pairing.preview(team, None)
    assert preview.pairs == ()
    assert preview.paused == 1
    # The only mentor already has a mentee (capacity 1), so the newcomer waits.
    assert [(w.person_id, w.reason) for w in preview.waiting] == [
        (newcomer_id, UnmatchedReason.NOT_ENOUGH_PEOPLE)
    ]


def test_mentor_capacity_lets_one_mentor_take_two_mentees(
    enrolment, programs, pairing, sessions, team, new_id
):
    default = programs.find(team, None)
    programs.save(team, new_id(), default.id, program_form(name=default.name, mentor_capacity="2"))
    mentor_id = join(enrolment, team, new_id())
    mentee(enrolment, team, new_id())
    mentee(enrolment, team, new_id())
    preview = pairing.preview(team, None)
    pairing.confirm(team, None, preview.round_id)
    assert [p.mentor_id for p in pairs_in(sessions, team)] == [mentor_id, mentor_id]


def test_never_pairs_someone_with_their_manager_from_the_hr_directory(
    enrolment, pairing, sessions, team, new_id, clock
):
    boss, report = new_id(), new_id()
    join(enrolment, team, report)
    mentee(enrolment, team, boss)
    with sessions.begin() as s:
        workspace_id = s.scalar(select(Workspace.id).where(Workspace.slack_team_id == team))
        s.add(
            DirectoryEntry(
                workspace_id=workspace_id,
                slack_user_id=report,
                manager_user_id=boss,
                imported_at=clock.now(),
            )
        )
    preview = pairing.preview(team, None)
    assert preview.pairs == ()
    assert {w.reason for w in preview.waiting} == {UnmatchedReason.ONLY_BLOCKED}


def test_an_earlier_pair_is_not_repeated(enrolment, pairing, sessions, team, new_id, clock):
    join(enrolment, team, new_id())
    mentee(enrolment, team, new_id())
    pairing.confirm(team, None, pairing.preview(team, None).round_id)
    with sessions.begin() as s:
        pair = s.scalars(select(Pair).order_by(Pair.id.desc())).first()
        pair.status = PairStatus.ENDED
        pair.ended_at = clock.now()
    preview = pairing.preview(team, None)
    assert preview.pairs == ()
    assert {w.reason for w in preview.waiting} == {UnmatchedReason.ONLY_BLOCKED}


def test_someone_left_waiting_is_told_why_and_has_priority_next_round(
    enrolment, pairing, team, new_id
):
    join(enrolment, team, new_id())
    mentee(enrolment, team, new_id(), seniority="5")  # the better fit: a bigger gap
    waited_id = mentee(enrolment, team, new_id(), seniority="2")
    first = pairing.preview(team, None)
    assert [w.person_id for w in first.waiting] == [waited_id]
    assert first.waiting[0].reason == UnmatchedReason.NO_CAPACITY
    pairing.confirm(team, None, first.round_id)
    join(enrolment, team, new_id())
    (pair,) = pairing.preview(team, None).pairs
    assert pair.mentee_id == waited_id
    assert ReasonCode.WAITED in {r.code for r in pair.reasons}


def test_leaving_ends_the_pair_and_frees_the_partner(enrolment, pairing, sessions, team, new_id):
    mentor_user, mentee_user = new_id(), new_id()
    join(enrolment, team, mentor_user)
    mentee_id = mentee(enrolment, team, mentee_user)
    pairing.confirm(team, None, pairing.preview(team, None).round_id)
    result = enrolment.leave(team, mentor_user)
    assert [p.mentee_user for p in result.ended_pairs] == [mentee_user]
    (pair,) = pairs_in(sessions, team)
    assert pair.status == PairStatus.ENDED
    assert enrolment.require_profile(team, mentee_user).pairs == ()
    join(enrolment, team, new_id())
    (again,) = pairing.preview(team, None).pairs
    assert again.mentee_id == mentee_id


def test_a_round_from_another_workspace_cannot_be_touched(enrolment, pairing, team, new_id):
    join(enrolment, team, new_id())
    mentee(enrolment, team, new_id())
    preview = pairing.preview(team, None)
    with pytest.raises(UserFacingError):
        pairing.confirm(new_id("T"), None, preview.round_id)


def test_working_hours_become_a_utc_interval():
    person = Person(tz="America/New_York", window_start_hour=9, window_end_hour=17)
    winter = datetime(2026, 12, 1, 12, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert _hours_utc(person, winter) == (14 * 60, 22 * 60)
    assert _hours_utc(person, summer) == (13 * 60, 21 * 60)
    assert _hours_utc(Person(tz=None), winter) is None
    assert _hours_utc(Person(tz="Not/AZone"), winter) is None
    india = Person(tz="Asia/Kolkata", window_start_hour=9, window_end_hour=12)
    assert _hours_utc(india, winter) == (3 * 60 + 30, 6 * 60 + 30)


# --- intros and waiting notes ---------------------------------------------------------


def test_confirmed_pairs_get_one_group_dm_and_an_intro(
    enrolment, pairing, intros, sessions, fake_slack, team, new_id
):
    mentor_user, mentee_user, waiting_user = new_id(), new_id(), new_id()
    for user in (mentor_user, mentee_user, waiting_user):
        fake_slack.add_user(user)
    join(enrolment, team, mentor_user)
    mentee(enrolment, team, mentee_user)
    mentee(enrolment, team, waiting_user, learn=["social-media"])
    preview = pairing.preview(team, None)
    pairing.confirm(team, None, preview.round_id)
    report = intros.introduce_round(preview.round_id)
    assert (report.pairs_introduced, report.people_told_to_wait) == (1, 1)
    (pair,) = pairs_in(sessions, team)
    assert fake_slack.conversations_opened[pair.channel_id] == tuple(
        sorted((mentor_user, mentee_user))
    )
    posts = {c.args["channel"]: c.args for c in fake_slack.calls_to("chat.postMessage")}
    intro = posts[pair.channel_id]
    assert f"<@{mentor_user}>" in intro["text"]
    assert "upward_open_goals" in str(intro["blocks"])
    waiting_posts = [a for ch, a in posts.items() if ch != pair.channel_id]
    assert "first in line" in str(waiting_posts[0]["blocks"])
    # Running it again sends nothing twice and opens nothing again.
    again = intros.introduce_round(preview.round_id)
    assert (again.pairs_introduced, again.people_told_to_wait) == (0, 0)
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert (
        len([c for c in fake_slack.calls_to("conversations.open") if "," in c.args["users"]]) == 1
    )


def test_an_intro_slack_refuses_for_good_is_reported(
    enrolment, pairing, intros, sessions, fake_slack, team, new_id
):
    mentor_user, mentee_user = new_id(), new_id()
    for user in (mentor_user, mentee_user):
        fake_slack.add_user(user)
    join(enrolment, team, mentor_user)
    mentee(enrolment, team, mentee_user)
    preview = pairing.preview(team, None)
    pairing.confirm(team, None, preview.round_id)
    fake_slack.fail_next("chat.postMessage", "is_archived")
    report = intros.introduce_round(preview.round_id)
    assert report.pairs_introduced == 0
    assert [(set(u.user_ids), u.error) for u in report.undelivered] == [
        ({mentor_user, mentee_user}, "is_archived")
    ]
    (pair,) = pairs_in(sessions, team)
    assert pair.channel_id is not None  # kept: the group DM is never opened again


def test_an_intro_slack_could_not_take_yet_goes_out_once_later(
    enrolment, pairing, intros, sessions, fake_slack, team, new_id, clock
):
    mentor_user, mentee_user = new_id(), new_id()
    for user in (mentor_user, mentee_user):
        fake_slack.add_user(user)
    join(enrolment, team, mentor_user)
    mentee(enrolment, team, mentee_user)
    preview = pairing.preview(team, None)
    pairing.confirm(team, None, preview.round_id)
    fake_slack.accept_then_fail_next("chat.postMessage", status=503)
    report = intros.introduce_round(preview.round_id)
    assert (report.pairs_introduced, report.retrying) == (0, 1)
    again = intros.introduce_round(preview.round_id)  # a second confirm click
    assert again.pairs_introduced == 0  # not due yet: nothing is sent twice
    clock.advance(minutes=5)
    later = intros.introduce_round(preview.round_id)
    assert later.pairs_introduced == 1
    (pair,) = pairs_in(sessions, team)
    intros_posted = [
        m
        for m in fake_slack.messages(pair.channel_id)
        if m.get("metadata", {}).get("event_payload", {}).get("key") == f"intro:{pair.id}"
    ]
    assert len(intros_posted) == 1  # Slack had it already: found in the history
    opens = [c for c in fake_slack.calls_to("conversations.open") if "," in c.args["users"]]
    assert len(opens) == 1


# --- goals ----------------------------------------------------------------------------


def make_pair(enrolment, pairing, team, new_id) -> tuple[str, str, int]:
    mentor_user, mentee_user = new_id(), new_id()
    join(enrolment, team, mentor_user)
    mentee(enrolment, team, mentee_user)
    pairing.confirm(team, None, pairing.preview(team, None).round_id)
    return mentor_user, mentee_user, pairing_id(enrolment, team, mentor_user)


def pairing_id(enrolment, team, user) -> int:
    return enrolment.require_profile(team, user).pairs[0].pair_id


def test_both_members_can_set_and_edit_goals(enrolment, pairing, goals, team, new_id):
    mentor_user, mentee_user, pair_id = make_pair(enrolment, pairing, team, new_id)
    goals.save(team, mentee_user, pair_id, ["Use AI to draft", "", None], ["Run a meeting"])
    saved = goals.save(
        team, mentor_user, pair_id, ["Use AI to draft", "Post on LinkedIn"], ["Run a meeting"]
    )
    assert saved.learning == ("Use AI to draft", "Post on LinkedIn")
    assert saved.updated_by == mentor_user
    profile = enrolment.require_profile(team, mentee_user)
    assert profile.pairs[0].learning == saved.learning
    assert profile.pairs[0].growth == ("Run a meeting",)


def test_goals_are_private_to_the_pair(enrolment, pairing, goals, team, new_id):
    _, _, pair_id = make_pair(enrolment, pairing, team, new_id)
    outsider = new_id()
    join(enrolment, team, outsider)
    with pytest.raises(UserFacingError):
        goals.goals(team, outsider, pair_id)
    with pytest.raises(UserFacingError):
        goals.save(team, outsider, pair_id, ["sneaky"], [])


def test_a_goal_that_is_too_long_is_refused_on_its_own_field(
    enrolment, pairing, goals, team, new_id
):
    mentor_user, _, pair_id = make_pair(enrolment, pairing, team, new_id)
    with pytest.raises(FormErrors) as caught:
        goals.save(team, mentor_user, pair_id, ["ok", "x" * 151], [])
    assert list(caught.value.errors) == [f"{GoalField.LEARNING.value}_2"]


def test_someone_without_a_partner_has_no_goals_to_set(enrolment, goals, team, new_id):
    user = new_id()
    join(enrolment, team, user)
    assert goals.pairs_of(team, user) == []


def test_pairs_table_has_one_active_pair_per_mentee(sessions):
    with sessions() as s:
        duplicates = s.execute(
            select(Pair.program_id, Pair.mentee_id, func.count())
            .where(Pair.status == PairStatus.ACTIVE)
            .group_by(Pair.program_id, Pair.mentee_id)
            .having(func.count() > 1)
        ).all()
    assert duplicates == []


def test_a_program_keeps_its_shout_out_channel(programs, team, new_id):
    saved = programs.save(team, new_id(), None, program_form(shoutout_channel_id="C0SHOUT01"))
    assert saved.shoutout_channel_id == "C0SHOUT01"
    with pytest.raises(FormErrors) as caught:
        programs.save(team, new_id(), saved.id, program_form(shoutout_channel_id="not a channel"))
    assert ProgramField.SHOUTOUT in caught.value.errors
