"""Private feedback check-ins: when they are asked, who may answer, what is kept, and
that nothing leaks to the partner."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import outbox_keys
from bot.container import build_services
from bot.errors import FormErrors, UserFacingError
from bot.ids import CheckInField
from bot.sandbox.fakeslack.blockkit import check_message_blocks, check_view
from bot.services.matching.rounds import PairingService
from bot.services.people.enrolment import EnrolmentService
from bot.services.programs.settings import ProgramService
from bot.services.weekly.checkins import CheckInService, checkin_weeks, due_checkins
from bot.services.weekly.timing import WorkingHours
from bot.shapes.checkins import CheckInForm, CheckInSubmission
from bot.views.checkins import checkin_message, checkin_modal, checkin_saved_view, read_checkin
from models import CheckIn, OutboundMessage, OutboxStatus, Pair, Person, PersonStatus, Program
from tests.support import FixedClock
from tests.support.programs import engine_settings, member_submission

# A Monday. Pairs made now start program week 1 on Monday 1 March 2027; the weeks below
# cross the US (14 Mar) and European (28 Mar) daylight-saving changes.
START = datetime(2027, 2, 22, 12, 0, tzinfo=UTC)
WEEK_1 = date(2027, 3, 1)
# (mentor, mentee) zones; a skill of their own keeps each pair together.
ZONES = [("America/New_York", "Asia/Kolkata"), ("Australia/Sydney", "Europe/London")]
SKILLS = ["ai-tools", "data-analytics"]


def in_working_hours(instant: datetime, tz: str) -> bool:
    local = instant.astimezone(ZoneInfo(tz))
    return local.weekday() < 5 and 9 <= local.hour < 17


@pytest.fixture
def cohort(own_sessions, fake_slack, new_id, own_url):
    """Two introduced pairs across four time zones, in a database of their own."""
    clock = FixedClock(START)
    team = new_id("T")
    enrolment = EnrolmentService(own_sessions, clock)
    for (mentor_tz, mentee_tz), skill in zip(ZONES, SKILLS, strict=True):
        for role, tz in (("mentor", mentor_tz), ("mentee", mentee_tz)):
            user = new_id()
            fake_slack.add_user(user, tz=tz)
            enrolment.save(
                team,
                user,
                member_submission(role, [skill], "Sales" if role == "mentor" else "Finance"),
            )
            enrolment.record_slack_details(team, user, tz=tz)
    pairing = PairingService(own_sessions, clock, ProgramService(own_sessions, clock))
    preview = pairing.preview(team, None)
    assert len(preview.pairs) == 2
    pairing.confirm(team, None, preview.round_id)
    with own_sessions.begin() as s:
        pairs = s.scalars(select(Pair).where(Pair.round_id == preview.round_id)).all()
        for pair in pairs:  # introduced, as IntroService leaves a pair
            pair.channel_id = f"G{new_id()}"
            pair.intro_sent_at = START
        # In ZONES order: the New York/Kolkata pair, then the Sydney/London one.
        pair_ids = [
            p.id for p in sorted(pairs, key=lambda p: ZONES.index((p.mentor.tz, p.mentee.tz)))
        ]
    settings = engine_settings(fake_slack, own_url)
    services = build_services(settings, clock, own_sessions)
    return {
        "team": team,
        "clock": clock,
        "pairs": pair_ids,
        "settings": settings,
        "due": services.due,
        "service": services.checkins,
    }


def set_program(own_sessions, pair_id: int, length: int, every: int) -> None:
    with own_sessions.begin() as s:
        program = s.get_one(Program, s.get_one(Pair, pair_id).program_id)
        program.length_weeks, program.checkin_every_weeks = length, every


def people(own_sessions, pair_id: int) -> tuple[Person, Person]:
    with own_sessions() as s:
        pair = s.get_one(Pair, pair_id)
        return pair.mentor, pair.mentee


def checkins(own_sessions) -> list[CheckIn]:
    with own_sessions() as s:
        return list(s.scalars(select(CheckIn).order_by(CheckIn.id)))


def checkin_messages(own_sessions) -> list[OutboundMessage]:
    with own_sessions() as s:
        return list(
            s.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.kind == "checkin")
                .order_by(OutboundMessage.id)
            )
        )


def run_clock(due, start: datetime, end: datetime, step: timedelta = timedelta(hours=6)) -> None:
    """run_due every six hours: 12:00, 18:00, 00:00 and 06:00 UTC from START, each inside
    some of the four zones' working day."""
    now = start
    while now < end:
        due.run_due(now)
        now += step


def thursday_of(week: int) -> date:
    return WEEK_1 + timedelta(weeks=week - 1, days=3)


def plan_until_asked(
    service: CheckInService, own_sessions, pair_id: int, person_id: int
) -> CheckIn:
    """Plan week 2's check-ins (the default: every two weeks); the person's."""
    service.plan(datetime.combine(thursday_of(2), datetime.min.time(), UTC))
    with own_sessions() as s:
        return s.scalars(
            select(CheckIn).where(CheckIn.pair_id == pair_id, CheckIn.person_id == person_id)
        ).one()


# --- when -------------------------------------------------------------------------------


def test_the_default_rule_is_every_other_thursday_at_the_start_of_the_day() -> None:
    hours = WorkingHours("Europe/London")
    found: dict[int, tuple[int, datetime]] = {}
    now = datetime(2027, 2, 25, tzinfo=UTC)
    while now < datetime(2027, 6, 15, tzinfo=UTC):
        for number, week, due in due_checkins(WEEK_1, 2, 12, hours, now):
            found.setdefault(number, (week, due))  # the first tick to see it plans it
        now += timedelta(hours=1)
    assert sorted(found) == [1, 2, 3, 4, 5, 6]  # weeks 2, 4, ... 12: never past the end
    for number, (week, due) in found.items():
        assert week == 2 * number
        local = due.astimezone(ZoneInfo("Europe/London"))
        assert local.date() == thursday_of(week)
        assert (local.hour, local.minute) == (9, 0)  # GMT and BST alike


@pytest.mark.parametrize(
    ("every", "length", "weeks"),
    [
        (2, 12, [2, 4, 6, 8, 10, 12]),
        (1, 3, [1, 2, 3]),
        (4, 10, [4, 10]),  # the last one moves to the final week
        (3, 7, [3, 7]),
        (4, 2, [2]),  # a program shorter than the interval still ends with one
    ],
)
def test_the_last_check_in_is_in_the_final_week(every: int, length: int, weeks: list[int]):
    assert checkin_weeks(every, length) == weeks


def test_check_ins_land_every_n_weeks_for_each_person_in_their_own_hours(
    cohort, own_sessions, fake_slack
):
    for pair_id in cohort["pairs"]:
        set_program(own_sessions, pair_id, length=7, every=3)
    # Through the Thursday of week 9, which would be check-in 3.
    run_clock(cohort["due"], START + timedelta(weeks=1), START + timedelta(weeks=9, days=4))

    rows = checkins(own_sessions)
    everyone = {p.id: p for pair_id in cohort["pairs"] for p in people(own_sessions, pair_id)}
    # Week 3, then the program's last week (7) for each of the four people; nothing in
    # week 6, nor in week 9, past the end.
    assert sorted((r.person_id, r.number, r.week) for r in rows) == sorted(
        (person_id, n, week) for person_id in everyone for n, week in ((1, 3), (2, 7))
    )
    assert [r.final for r in rows if r.number == 2] == [True] * 4
    assert not any(r.final for r in rows if r.number == 1)

    sent = checkin_messages(own_sessions)
    assert len(sent) == 8
    assert all(m.status == OutboxStatus.SENT for m in sent)
    by_id = {r.id: r for r in rows}
    opened = fake_slack.conversations_opened
    for message in sent:
        person = everyone[message.person_id]
        row = next(
            r for r in rows if outbox_keys.checkin(r.pair_id, r.person_id, r.number) == message.key
        )
        # Their own Thursday, from the start of their own working day, sent while working.
        local = message.due_at.astimezone(ZoneInfo(person.tz))
        assert local.date() == thursday_of(row.week), (person.tz, local)
        assert local.hour == 9, (person.tz, local)
        assert in_working_hours(message.sent_at, person.tz), (person.tz, message.sent_at)
        # A DM with that person alone, posted once.
        assert message.user_id == person.slack_user_id
        assert opened[message.posted_channel_id] == (person.slack_user_id,)
        posted = [
            m
            for m in fake_slack.messages(message.posted_channel_id)
            if m.get("metadata", {}).get("event_payload", {}).get("key") == message.key
        ]
        assert len(posted) == 1
        assert str(row.id) in json.dumps(posted[0]["blocks"])
        assert by_id[row.id].asked_at == message.due_at


def test_run_due_plans_check_ins(cohort, own_sessions):
    due = cohort["due"]
    thursday = datetime.combine(thursday_of(2), datetime.min.time(), UTC)
    report = due.run_due(thursday)
    assert report.checkins == 4
    assert due.run_due(thursday).checkins == 0
    due.run_due(thursday + timedelta(hours=15))  # 09:00 in New York, the last of the four
    sent = checkin_messages(own_sessions)
    assert [m.status for m in sent] == [OutboxStatus.SENT] * 4


def test_planning_twice_plans_nothing_twice(cohort, own_sessions):
    service = cohort["service"]
    wednesday_noon = datetime.combine(thursday_of(2), datetime.min.time(), UTC) - timedelta(
        hours=12
    )
    first = service.plan(wednesday_noon)
    assert first >= 1
    assert service.plan(wednesday_noon) == 0
    later = service.plan(wednesday_noon + timedelta(hours=20))
    rows = checkins(own_sessions)
    assert len(rows) == first + later == 4
    assert len({(r.pair_id, r.person_id, r.number) for r in rows}) == 4
    assert len(checkin_messages(own_sessions)) == 4


def test_a_paused_pair_skips_that_check_in(cohort, own_sessions):
    paused_pair, other_pair = cohort["pairs"]
    _, mentee = people(own_sessions, paused_pair)

    def set_status(status: PersonStatus) -> None:
        with own_sessions.begin() as s:
            s.get_one(Person, mentee.id).status = status

    set_status(PersonStatus.PAUSED)
    run_clock(cohort["due"], START, START + timedelta(weeks=3))  # through week 2
    set_status(PersonStatus.ACTIVE)
    run_clock(cohort["due"], START + timedelta(weeks=3), START + timedelta(weeks=4, days=5))

    asked = {(r.pair_id, r.person_id, r.number) for r in checkins(own_sessions)}
    # Week 2's check-in is skipped for the pair on hold (for the partner too: the
    # question is about meeting); week 4's is asked once they are back.
    assert {(p, n) for p, _, n in asked if p == paused_pair} == {(paused_pair, 2)}
    assert {(p, n) for p, _, n in asked if p == other_pair} == {(other_pair, 1), (other_pair, 2)}
    assert len(asked) == 6
    to_mentee = [m for m in checkin_messages(own_sessions) if m.person_id == mentee.id]
    assert [m.key for m in to_mentee] == [outbox_keys.checkin(paused_pair, mentee.id, 2)]


def test_someone_paused_after_planning_is_not_messaged(cohort, own_sessions):
    pair_id = cohort["pairs"][0]
    mentor, _ = people(own_sessions, pair_id)
    thursday = datetime.combine(thursday_of(2), datetime.min.time(), UTC)
    assert cohort["service"].plan(thursday) == 4
    with own_sessions.begin() as s:
        s.get_one(Person, mentor.id).status = PersonStatus.PAUSED
    run_clock(cohort["due"], thursday, thursday + timedelta(days=3))
    statuses = {
        m.person_id: m.status for m in checkin_messages(own_sessions) if m.pair_id == pair_id
    }
    assert set(statuses.values()) == {OutboxStatus.CANCELLED}


# --- answers ----------------------------------------------------------------------------


def test_not_yet_asks_again_two_days_later_in_working_hours_once(cohort, own_sessions):
    service, clock, team = cohort["service"], cohort["clock"], cohort["team"]
    pair_id = cohort["pairs"][1]  # Sydney mentor, London mentee
    _, mentee = people(own_sessions, pair_id)
    row = plan_until_asked(service, own_sessions, pair_id, mentee.id)
    clock.current = datetime(2027, 3, 11, 10, 30, tzinfo=UTC)  # Thursday, 10:30 in London

    answer = service.answer_met(team, mentee.slack_user_id, row.id, "not_yet")
    assert answer.form is None
    # Saturday is not a working day: Monday at 09:00, London time.
    assert answer.again_at == datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
    assert service.answer_met(team, mentee.slack_user_id, row.id, "not_yet").again_at is None

    again = [m for m in checkin_messages(own_sessions) if m.key.endswith(":again")]
    assert [(m.key, m.due_at) for m in again] == [
        (outbox_keys.checkin_again(pair_id, mentee.id, row.number), answer.again_at)
    ]
    assert "Asking again" in json.dumps(again[0].blocks)
    assert str(row.id) in json.dumps(again[0].blocks)
    with own_sessions() as s:
        stored = s.get_one(CheckIn, row.id)
    assert (stored.met, stored.asked_again_at) == ("not_yet", answer.again_at)


def test_an_answer_cancels_the_pending_ask_again(cohort, own_sessions):
    service, team = cohort["service"], cohort["team"]
    pair_id = cohort["pairs"][0]
    mentor, _ = people(own_sessions, pair_id)
    row = plan_until_asked(service, own_sessions, pair_id, mentor.id)
    service.answer_met(team, mentor.slack_user_id, row.id, "not_yet")
    answer = service.answer_met(team, mentor.slack_user_id, row.id, "met")
    assert answer.form is not None
    assert answer.form.met == "met"
    (again,) = [m for m in checkin_messages(own_sessions) if m.key.endswith(":again")]
    assert again.status == OutboxStatus.CANCELLED


def test_only_the_person_asked_can_answer(cohort, own_sessions, new_id):
    service, team = cohort["service"], cohort["team"]
    pair_id = cohort["pairs"][0]
    mentor, mentee = people(own_sessions, pair_id)
    row = plan_until_asked(service, own_sessions, pair_id, mentor.id)
    for other_team, user in (
        (team, mentee.slack_user_id),
        (team, new_id()),
        (new_id("T"), mentor.slack_user_id),
    ):
        with pytest.raises(UserFacingError, match="belongs to someone else"):
            service.answer_met(other_team, user, row.id, "met")
        with pytest.raises(UserFacingError, match="belongs to someone else"):
            service.submit(other_team, user, row.id, CheckInSubmission("5", "x", None))
    with own_sessions() as s:
        stored = s.get_one(CheckIn, row.id)
    assert (stored.met, stored.rating, stored.answered_at) == (None, None, None)


def test_met_and_couldnt_open_the_form(cohort, own_sessions):
    service, team = cohort["service"], cohort["team"]
    pair_id = cohort["pairs"][0]
    mentor, mentee = people(own_sessions, pair_id)
    mentor_row = plan_until_asked(service, own_sessions, pair_id, mentor.id)
    mentee_row = plan_until_asked(service, own_sessions, pair_id, mentee.id)
    couldnt = service.answer_met(team, mentee.slack_user_id, mentee_row.id, "couldnt").form
    met = service.answer_met(team, mentor.slack_user_id, mentor_row.id, "met").form
    assert couldnt is not None
    assert met is not None
    assert (couldnt.met, couldnt.is_mentor, couldnt.partner_user) == (
        "couldnt",
        False,
        mentor.slack_user_id,
    )
    assert (met.met, met.is_mentor, met.partner_user) == ("met", True, mentee.slack_user_id)


def test_submit_checks_each_field(cohort, own_sessions):
    service, team = cohort["service"], cohort["team"]
    pair_id = cohort["pairs"][0]
    mentor, _ = people(own_sessions, pair_id)
    row = plan_until_asked(service, own_sessions, pair_id, mentor.id)
    user = mentor.slack_user_id

    def errors(submission: CheckInSubmission) -> set[str]:
        with pytest.raises(FormErrors) as raised:
            service.submit(team, user, row.id, submission)
        return set(raised.value.for_slack())

    assert errors(CheckInSubmission(None, None, None)) == {CheckInField.RATING}
    for bad in ("0", "6", "five", ""):
        assert errors(CheckInSubmission(bad, None, None)) == {CheckInField.RATING}
    assert errors(CheckInSubmission("4", "x" * 1001, "y" * 1001)) == {
        CheckInField.LEARNED,
        CheckInField.BLOCKERS,
    }
    assert errors(CheckInSubmission("4", None, None, candid="maybe")) == {CheckInField.CANDID}
    with own_sessions() as s:
        assert s.get_one(CheckIn, row.id).answered_at is None  # nothing kept from a bad form

    saved = service.submit(
        team, user, row.id, CheckInSubmission("4", "  " + "x" * 1000 + "\n", None, candid="mostly")
    )
    assert (saved.rating, saved.share_with_lead) == (4, False)
    with own_sessions() as s:
        stored = s.get_one(CheckIn, row.id)
    assert (stored.rating, stored.learned, stored.blockers) == (4, "x" * 1000, None)
    assert (stored.candid, stored.share_with_lead) == ("mostly", False)
    assert stored.answered_at == cohort["clock"].now()


def test_only_the_mentor_is_asked_about_candour(cohort, own_sessions):
    service, team = cohort["service"], cohort["team"]
    pair_id = cohort["pairs"][0]
    _, mentee = people(own_sessions, pair_id)
    mentee_row = plan_until_asked(service, own_sessions, pair_id, mentee.id)
    service.submit(
        team,
        mentee.slack_user_id,
        mentee_row.id,
        CheckInSubmission("3", None, None, share_with_lead=True, candid="yes"),
    )
    with own_sessions() as s:
        stored = s.get_one(CheckIn, mentee_row.id)
    assert (stored.candid, stored.share_with_lead) == (None, True)

    form = CheckInForm(checkin_id=1, met="met", is_mentor=True, partner_user="U1")
    mentor_blocks = {b.get("block_id") for b in checkin_modal(form).to_dict()["blocks"]}
    mentee_form = CheckInForm(checkin_id=1, met="met", is_mentor=False, partner_user="U1")
    mentee_blocks = {b.get("block_id") for b in checkin_modal(mentee_form).to_dict()["blocks"]}
    assert mentor_blocks - mentee_blocks == {CheckInField.CANDID}


def test_sharing_with_the_lead_is_off_unless_ticked() -> None:
    assert CheckInSubmission("5", None, None).share_with_lead is False
    rating = {"type": "radio_buttons", "selected_option": {"value": "5"}}
    untouched = {CheckInField.RATING: {"value": rating}, CheckInField.SHARE: {"value": {}}}
    assert read_checkin(untouched).share_with_lead is False
    assert read_checkin({CheckInField.RATING: {"value": rating}}).share_with_lead is False
    ticked = {"type": "checkboxes", "selected_options": [{"value": "share"}]}
    assert read_checkin({CheckInField.SHARE: {"value": ticked}}).share_with_lead is True
    share_block = next(
        b
        for b in checkin_modal(
            CheckInForm(checkin_id=1, met="met", is_mentor=False, partner_user="U1")
        ).to_dict()["blocks"]
        if b.get("block_id") == CheckInField.SHARE
    )
    assert "initial_options" not in share_block["element"]


def test_comments_reach_no_message_we_send(cohort, own_sessions, fake_slack):
    service, team = cohort["service"], cohort["team"]
    pair_id = cohort["pairs"][0]
    mentor, mentee = people(own_sessions, pair_id)
    run_clock(cohort["due"], START, START + timedelta(weeks=2, days=4))
    for person, share in ((mentor, False), (mentee, True)):
        row = plan_until_asked(service, own_sessions, pair_id, person.id)
        service.answer_met(team, person.slack_user_id, row.id, "met")
        service.submit(
            team,
            person.slack_user_id,
            row.id,
            CheckInSubmission(
                "2", f"secret-learned-{person.id}", f"secret-blocker-{person.id}", share
            ),
        )
    run_clock(cohort["due"], START + timedelta(weeks=2, days=4), START + timedelta(weeks=5))
    everything = json.dumps([c.args for c in fake_slack.calls], default=str)
    assert "secret-" not in everything
    with own_sessions() as s:
        outbox = json.dumps([[m.text, m.blocks] for m in s.scalars(select(OutboundMessage))])
    assert "secret-" not in outbox
    assert "secret-" not in json.dumps(checkin_saved_view(True).to_dict())


# --- views ------------------------------------------------------------------------------


def test_the_check_in_views_pass_slacks_checks() -> None:
    for again in (False, True):
        _, blocks = checkin_message(
            checkin_id=42, number=3, total=6, every_weeks=2, partner_user="U1", again=again
        )
        assert check_message_blocks(blocks) is None
    full = CheckInForm(
        checkin_id=42,
        met="couldnt",
        is_mentor=True,
        partner_user="U1",
        rating=3,
        learned="x" * 1000,
        blockers="y",
        share_with_lead=True,
        candid="no",
    )
    for form in (full, CheckInForm(checkin_id=42, met="met", is_mentor=False, partner_user="U1")):
        view = checkin_modal(form).to_dict()
        assert check_view(view, view_type="modal") is None
        assert view["private_metadata"] == "42"
    assert check_view(checkin_saved_view(False).to_dict(), view_type="modal") is None
