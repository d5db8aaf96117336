"""The lead report's numbers, its privacy rules and its query budget, on a program whose
history is known row by row (tests/report_setup.py)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import event

from bot import outbox_keys
from bot.errors import UserFacingError
from bot.services.reports.report import NOT_MATCHED_YET, ReportService
from bot.shapes.report import MIN_GROUP, RiskReason, Stage, aggregate
from bot.vocabulary import AtRiskReason, OutboxKind
from models import PairStatus, PersonStatus
from tests.support import FixedClock
from tests.support.reports import NOW, ScenarioBuilder

SECRET = "my private worry about my mentee"


def build_program(builder: ScenarioBuilder) -> ScenarioBuilder:
    """Five pairs: on track, drifting with a skipping senior, low-rated, completed, and
    ended early; plus people waiting, paused and gone."""
    b = builder
    b.person("m1", "mentor", skills=["ai-tools", "data-analytics"])
    b.person("m2", "mentor", skills=["ai-tools"])
    b.person("m3", "mentor", skills=["social-media"])
    b.person("m4", "mentor", skills=["ai-tools"])
    b.person("m5", "mentor", skills=["ai-tools"], status=PersonStatus.PAUSED)
    for name, skill in (("s1", "ai-tools"), ("s2", "ai-tools"), ("s3", "social-media")):
        b.person(name, "mentee", skills=[skill])
    b.person("s4", "mentee", skills=["data-analytics"])
    b.person("s5", "mentee", skills=["ai-tools"], status=PersonStatus.LEFT)
    b.person("s6", "mentee", skills=["ai-tools"])
    b.person("s7", "mentee", skills=["design-thinking"])
    b.pair("on_track", "m1", "s1", ["met", "async", "met", "skipped", None, "met"])
    b.pair(
        "drifting",
        "m2",
        "s2",
        ["met", "skipped", "snoozed", None, None, None],
        at_risk_reason=AtRiskReason.SENIOR_SKIPPING,
    )
    b.pair(
        "low_rated",
        "m3",
        "s3",
        ["async", "async", None],
        unsent_weeks=[3],
        first=NOW - timedelta(days=15, hours=3),
    )
    b.pair(
        "completed",
        "m1",
        "s4",
        ["met"] * 12,
        status=PairStatus.ENDED,
        recognized=True,
        first=NOW - timedelta(weeks=20),
    )
    b.pair("gone", "m2", "s5", ["met", None], status=PairStatus.ENDED)
    completed = b.scenario.pairs["completed"]
    b.outbox(outbox_keys.thanks(completed), OutboxKind.RECOGNITION, NOW - timedelta(days=1))
    b.outbox(outbox_keys.shoutout(completed), OutboxKind.RECOGNITION, NOW - timedelta(days=1))
    b.checkin("on_track", "m1", 1, rating=4, learned="<!channel> prompts & <b>", share=True)
    b.checkin("drifting", "m2", 1, rating=3)
    b.checkin("low_rated", "m3", 1, rating=5)
    b.checkin("on_track", "s1", 1, rating=4, blockers=SECRET, share=False)
    b.checkin("low_rated", "s3", 1, rating=2)
    b.checkin("drifting", "s2", 1)  # asked, not answered
    b.round_waiting({"m4": "no_capacity", "s6": "no_capacity"})
    return b


@pytest.fixture
def program(own_sessions, new_id) -> ScenarioBuilder:
    return build_program(ScenarioBuilder(own_sessions, new_id))


def report_of(sessions, builder: ScenarioBuilder, **kwargs):
    return ReportService(sessions, FixedClock(NOW)).build(builder.scenario.team, None, **kwargs)


def test_the_funnel_counts_people_by_role_at_their_best_pair(own_sessions, program):
    funnel = {s.stage: (s.mentors, s.mentees) for s in report_of(own_sessions, program).funnel}
    assert list(funnel) == list(Stage)
    assert funnel == {
        Stage.JOINED: (5, 7),
        Stage.MATCHED: (3, 5),
        Stage.FIRST_SESSION: (3, 5),
        Stage.THREE_SESSIONS: (1, 2),  # m1 (twice), s1 and s4
        Stage.COMPLETED: (1, 1),
    }


def test_pairs_and_the_reasons_they_are_at_risk(own_sessions, program):
    report = report_of(own_sessions, program)
    pairs = program.scenario.pairs
    assert (report.pairs.active, report.pairs.at_risk) == (3, 2)
    assert (report.pairs.ended, report.pairs.completed, report.pairs.ended_early) == (2, 1, 1)
    by_pair = {a.pair_id: a for a in report.at_risk}
    assert set(by_pair) == {pairs["drifting"], pairs["low_rated"]}
    drifting = by_pair[pairs["drifting"]]
    # Six weeks since their only session (the week-1 "met", engaged the next day).
    assert drifting.reasons == (RiskReason.SENIOR_SKIPPING, RiskReason.NO_ACTIVITY)
    assert drifting.idle_weeks == 6
    assert by_pair[pairs["low_rated"]].reasons == (RiskReason.LOW_RATING,)
    # Most urgent first: the skipping senior before the low rating.
    assert [a.pair_id for a in report.at_risk] == [pairs["drifting"], pairs["low_rated"]]


def test_engagement_counts_delivered_prompts_and_sessions(own_sessions, program):
    e = report_of(own_sessions, program).engagement
    # 6 + 6 + 2 (the third never reached Slack) + 12 + 2
    assert e.prompts_delivered == 28
    assert e.prompts_engaged == 5 + 3 + 2 + 12 + 1
    assert (e.sessions_live, e.sessions_async, e.weeks_skipped) == (17, 3, 2)
    assert (e.checkins_asked, e.checkins_answered) == (6, 5)
    assert e.response_rate.value == pytest.approx(5 / 6)
    assert e.rating_mentors.value == pytest.approx(4.0)
    assert e.rating_mentors.people == 3


def test_an_aggregate_over_fewer_than_three_people_is_hidden(own_sessions, program):
    """Two mentees rated (4 and 2): their average would let a lead guess who said what."""
    report = report_of(own_sessions, program)
    mentees = report.engagement.rating_mentees
    assert mentees.people == 2
    assert mentees.hidden
    assert mentees.value is None
    assert MIN_GROUP == 3
    assert aggregate(4.5, 2).value is None
    assert aggregate(4.5, 3).value == 4.5


def test_a_comment_reaches_the_lead_only_when_its_author_shared_it(own_sessions, program):
    report = report_of(own_sessions, program, detail=True)
    assert [(c.author_user, c.learned) for c in report.shared_comments] == [
        (program.scenario.users["m1"], "<!channel> prompts & <b>")
    ]
    everything = repr(asdict(report))
    assert SECRET not in everything
    # Ratings are aggregates only: no row of the CSV carries one.
    assert all("rating" not in field for row in report.rows for field in asdict(row))


def test_the_skills_show_where_the_program_is_short_of_mentors(own_sessions, program):
    skills = {s.slug: s for s in report_of(own_sessions, program).skills}
    assert (skills["ai-tools"].wanted, skills["ai-tools"].offered) == (3, 3)  # m5 is paused
    assert (skills["data-analytics"].wanted, skills["data-analytics"].offered) == (1, 1)
    design = skills["design-thinking"]
    assert (design.wanted, design.offered, design.short) == (1, 0, 1)
    assert skills["ai-tools"].short == 0


def test_the_waitlist_says_why_each_person_waits(own_sessions, program):
    users = program.scenario.users
    waiting = {w.user_id: w.reason for w in report_of(own_sessions, program).waitlist}
    assert waiting == {
        users["m4"]: "no_capacity",
        users["s6"]: "no_capacity",
        users["s7"]: NOT_MATCHED_YET,  # joined after the last round
    }  # s4 completed a pair and is not waiting; m5 is paused


def test_recognition_and_the_weekly_activity(own_sessions, program):
    report = report_of(own_sessions, program)
    assert (report.recognition.thanked, report.recognition.shoutouts) == (1, 1)
    weekly = report.weekly
    assert all(w.week_start.weekday() == 0 for w in weekly)
    assert [b.week_start - a.week_start for a, b in pairwise(weekly)] == [timedelta(weeks=1)] * (
        len(weekly) - 1
    )
    assert weekly[-1].week_start == date(2027, 5, 31)
    assert sum(w.delivered for w in weekly) == report.engagement.prompts_delivered
    assert sum(w.live for w in weekly) == report.engagement.sessions_live
    assert sum(w.async_ for w in weekly) == report.engagement.sessions_async


def test_the_csv_rows_cover_every_person_and_pair(own_sessions, program):
    report = report_of(own_sessions, program, detail=True)
    users, pairs = program.scenario.users, program.scenario.pairs
    by_user: dict[str, list] = {}
    for row in report.rows:
        by_user.setdefault(row.user_id, []).append(row)
    assert set(by_user) == set(users.values())
    assert {r.pair_id for r in by_user[users["m1"]]} == {pairs["on_track"], pairs["completed"]}
    (s2,) = by_user[users["s2"]]
    assert (s2.partner_user, s2.prompts_delivered, s2.sessions_live) == (users["m2"], 6, 1)
    assert s2.at_risk == "senior_skipping+no_activity"
    assert (s2.checkins_asked, s2.checkins_answered) == (1, 0)
    (s6,) = by_user[users["s6"]]
    assert (s6.pair_id, s6.waiting_reason) == (None, "no_capacity")


def test_another_program_is_reported_by_name_and_a_typo_is_refused(own_sessions, program):
    service = ReportService(own_sessions, FixedClock(NOW))
    assert service.build(program.scenario.team, "reverse MENTORING").program_name == (
        "Reverse mentoring"
    )
    with pytest.raises(UserFacingError) as refused:
        service.build(program.scenario.team, "<!here> nope")
    assert "&lt;!here&gt;" in refused.value.message


def test_an_empty_program_reports_zeros_not_errors(own_sessions, new_id):
    empty = ScenarioBuilder(own_sessions, new_id)
    report = report_of(own_sessions, empty)
    assert all(s.total == 0 for s in report.funnel)
    assert report.weekly == ()
    assert report.engagement.response_rate.people == 0
    assert report.engagement.response_rate.value is None


def test_the_report_reads_a_fixed_number_of_queries_whatever_the_size(own_sessions, new_id):
    """The same statements for a small program and one five times its size."""
    engine = own_sessions.kw["bind"]
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    small = build_program(ScenarioBuilder(own_sessions, new_id))
    large = build_program(ScenarioBuilder(own_sessions, new_id))
    for i in range(20):
        large.person(f"x{i}", "mentor", skills=["ai-tools"])
        large.person(f"y{i}", "mentee", skills=["ai-tools"])
        large.pair(f"p{i}", f"x{i}", f"y{i}", ["met", "async", None, "skipped"])
        large.checkin(f"p{i}", f"x{i}", 1, rating=3)
        # And what changed after: the outcomes section grows no statements either.
        for who, role in ((f"x{i}", "mentor"), (f"y{i}", "mentee")):
            large.assessment(who, "before", {"ai-tools": 2})
            large.assessment(who, "after", {"ai-tools": 4})
            end = large.survey(who, "end", role=role, would_again="yes", recommend="yes")
        commitment = large.commitment(f"y{i}", end, 1, "Listen first", shared=i % 2 == 0)
        day30 = large.survey(f"y{i}", "day30", role="mentee")
        large.progress(commitment, day30, "done")
    counts = []
    for builder in (small, large):
        for detail in (False, True):
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            try:
                report_of(own_sessions, builder, detail=detail)
            finally:
                event.remove(engine, "before_cursor_execute", count)
            counts.append(len(statements))
    small_summary, small_detail, large_summary, large_detail = counts
    # 13 for the program, 4 for its outcomes; the CSV's rows add 3.
    assert small_summary == large_summary <= 17
    assert small_detail == large_detail <= small_summary + 3
