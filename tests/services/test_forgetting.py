"""Deleting data: one person's (forget_person), a workspace's (forget_workspace) and the
workspaces uninstalled longer ago than the grace period (purge_uninstalled), on a cohort
whose rows are known one by one (tests/support/report_outcomes.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update

from bot import copy, outbox_keys
from bot.container import build_services
from bot.services.outbox.delivery import Outgoing, enqueue
from bot.services.people.forgetting import (
    UninstallPurge,
    forget_person,
    forget_workspace,
    purge_uninstalled,
)
from bot.services.reports.report import ReportService
from bot.views.report_files import outcomes_csv, report_csv, report_markdown
from bot.vocabulary import OutboxKind
from models import (
    Base,
    CheckIn,
    Commitment,
    CommitmentProgress,
    DirectoryEntry,
    OutboundMessage,
    OutboxStatus,
    OutcomeSurvey,
    Pair,
    PairStatus,
    PairWeek,
    Person,
    PersonSkill,
    PersonStatus,
    ReportFileRecord,
    SelfAssessment,
    SelfAssessmentScore,
    Skill,
    Workspace,
    bots,
    installations,
)
from tests.support import FixedClock
from tests.support.programs import engine_settings
from tests.support.report_outcomes import build_outcomes
from tests.support.reports import NOW, ScenarioBuilder

S1_WORDS = "I want to learn prompt writing"


def full_cohort(sessions, new_id) -> ScenarioBuilder:
    """build_outcomes' cohort, plus what it leaves out: check-ins from both sides of p1,
    goals, HR rows, DMs, a lead's delivery alert naming s1, a custom skill, a report file
    and the workspace's installation rows."""
    b = build_outcomes(ScenarioBuilder(sessions, new_id))
    b.checkin("p1", "s1", 1, rating=5, learned=S1_WORDS, share=True)
    b.checkin("p1", "j1", 1, rating=4, learned="How a board thinks")
    b.checkin("p2", "s2", 1, rating=3)
    team, users, people = b.scenario.team, b.scenario.users, b.scenario.people
    with sessions.begin() as s:
        s.execute(
            update(Pair)
            .where(Pair.id == b.scenario.pairs["p1"])
            .values(
                learning_goals=[S1_WORDS],
                growth_goals=["Chair a meeting"],
                goals_updated_by=users["s1"],
            )
        )
        s.execute(
            update(PairWeek)
            .where(PairWeek.pair_id == b.scenario.pairs["p1"], PairWeek.week == 1)
            .values(engaged_by=users["s1"])
        )
        s.execute(
            update(Person)
            .where(Person.id == people[users["s1"]])
            .values(goals=S1_WORDS, email="s1@example.com", dm_channel_id="D0S1")
        )
        for name in ("s1", "j1"):
            s.add(
                DirectoryEntry(
                    workspace_id=b.workspace_id,
                    slack_user_id=users[name],
                    email=f"{name}@example.com",
                    department="Finance",
                    imported_at=NOW,
                )
            )
        for name in ("s1", "j1"):
            s.add(
                OutboundMessage(
                    workspace_id=b.workspace_id,
                    key=f"dm:{users[name]}:welcome",
                    kind=OutboxKind.DM,
                    user_id=users[name],
                    person_id=people[users[name]],
                    text="Welcome!",
                    due_at=NOW,
                    next_attempt_at=NOW,
                    status=OutboxStatus.SENT,
                    sent_at=NOW,
                    created_at=NOW,
                )
            )
        s.add(
            OutboundMessage(
                workspace_id=b.workspace_id,
                key=f"alert:{users['s1']}",
                kind=OutboxKind.ALERT,
                user_id="ULEAD0001",
                text=f"Could not reach <@{users['s1']}>",
                due_at=NOW,
                next_attempt_at=NOW,
                status=OutboxStatus.FAILED,
                created_at=NOW,
            )
        )
        s.add(Skill(workspace_id=b.workspace_id, slug=f"x-{team.lower()}", name="Our own"))
        s.add(
            ReportFileRecord(
                workspace_id=b.workspace_id,
                program_id=b.scenario.program_id,
                user_id="ULEAD0001",
                kind="csv",
                file_id="F1",
                title="Report",
                created_at=NOW,
            )
        )
        s.execute(
            insert(installations).values(client_id="1", app_id="A1", team_id=team, user_id="U1")
        )
        s.execute(insert(bots).values(client_id="1", app_id="A1", team_id=team))
    return b


def rows_of(sessions, person_id: int) -> dict[str, int]:
    """How many rows of each kind of answer this person has."""
    with sessions() as s:
        assessments = select(SelfAssessment.id).where(SelfAssessment.person_id == person_id)
        commitments = select(Commitment.id).where(Commitment.person_id == person_id)

        def count(model, *where) -> int:
            return s.scalar(select(func.count()).select_from(model).where(*where)) or 0

        return {
            "check_ins": count(CheckIn, CheckIn.person_id == person_id),
            "assessments": count(SelfAssessment, SelfAssessment.person_id == person_id),
            "scores": count(
                SelfAssessmentScore, SelfAssessmentScore.assessment_id.in_(assessments)
            ),
            "surveys": count(OutcomeSurvey, OutcomeSurvey.person_id == person_id),
            "commitments": count(Commitment, Commitment.person_id == person_id),
            "progress": count(
                CommitmentProgress, CommitmentProgress.commitment_id.in_(commitments)
            ),
            "skills": count(PersonSkill, PersonSkill.person_id == person_id),
            "messages": count(OutboundMessage, OutboundMessage.person_id == person_id),
        }


def table_counts(sessions) -> dict[str, int]:
    with sessions() as s:
        return {
            t.name: s.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
        }


@pytest.fixture
def cohort(own_sessions, new_id) -> ScenarioBuilder:
    return full_cohort(own_sessions, new_id)


# --- one person ---------------------------------------------------------------------------


def test_forgetting_a_person_deletes_their_answers_row_by_row(own_sessions, cohort):
    users, people = cohort.scenario.users, cohort.scenario.people
    s1, j1 = people[users["s1"]], people[users["j1"]]
    before, partner_before = rows_of(own_sessions, s1), rows_of(own_sessions, j1)
    assert all(before[k] for k in ("check_ins", "assessments", "surveys", "commitments"))
    assert before["progress"]
    assert before["skills"]
    assert before["messages"]

    with own_sessions.begin() as s:
        report = forget_person(s, cohort.scenario.team, users["s1"], NOW)

    assert report.found
    assert report.anonymised == 1
    assert report.pairs_ended == 1
    assert {k: report.count(k) for k in ("check_ins", "assessments", "surveys", "commitments")} == {
        k: before[k] for k in ("check_ins", "assessments", "surveys", "commitments")
    }
    assert report.count("skills") == before["skills"]
    assert report.count("directory_entries") == 1
    assert set(rows_of(own_sessions, s1).values()) == {0}
    assert rows_of(own_sessions, j1) == partner_before  # the partner's answers stay
    assert users["s1"] not in report.summary()
    assert "check-in" in report.summary()


def test_a_forgotten_person_stays_as_an_anonymous_left_participant(own_sessions, cohort):
    users, people = cohort.scenario.users, cohort.scenario.people
    with own_sessions.begin() as s:
        forget_person(s, cohort.scenario.team, users["s1"], NOW)
    with own_sessions() as s:
        person = s.get_one(Person, people[users["s1"]])
        assert person.slack_user_id.startswith("forgotten-")
        assert person.status == PersonStatus.LEFT
        assert person.left_at == NOW
        assert (person.goals, person.email, person.tz, person.dm_channel_id) == (None,) * 4
        assert s.scalar(select(func.count()).where(Person.slack_user_id == users["s1"])) == 0
        directory = s.scalars(
            select(DirectoryEntry.slack_user_id).where(
                DirectoryEntry.workspace_id == cohort.workspace_id
            )
        ).all()
        assert directory == [users["j1"]]


def test_their_pair_ends_keeps_the_partners_words_and_the_partner_is_told(own_sessions, cohort):
    users, pairs = cohort.scenario.users, cohort.scenario.pairs
    with own_sessions.begin() as s:
        report = forget_person(s, cohort.scenario.team, users["s1"], NOW)
    assert report.partners == (users["j1"],)
    assert report.notices == (outbox_keys.partner_left(pairs["p1"]),)
    with own_sessions() as s:
        pair = s.get_one(Pair, pairs["p1"])
        assert pair.status == PairStatus.ENDED
        assert pair.ended_at == NOW
        assert pair.learning_goals == []
        assert pair.growth_goals == ["Chair a meeting"]
        assert pair.goals_updated_by is None
        assert s.scalar(select(func.count()).where(PairWeek.engaged_by == users["s1"])) == 0
        weeks = s.scalar(select(func.count()).where(PairWeek.pair_id == pairs["p1"]))
        assert weeks == 3  # the pair's history (and the lead's session counts) stay
        notice = s.scalars(
            select(OutboundMessage).where(OutboundMessage.key == report.notices[0])
        ).one()
        assert notice.status == OutboxStatus.PENDING
        assert notice.kind == OutboxKind.PARTNER_LEFT
        assert f"<@{users['j1']}>" in notice.text
        assert users["s1"] not in notice.text
        texts = s.scalars(
            select(OutboundMessage.text).where(OutboundMessage.workspace_id == cohort.workspace_id)
        ).all()
        assert not [t for t in texts if users["s1"] in t]
        assert s.scalar(select(func.count()).where(OutboundMessage.user_id == users["j1"])) == 1


def test_a_note_naming_them_that_has_not_gone_out_loses_their_name(own_sessions, cohort):
    """They left (the partner's note names them, and waits in the outbox), then asked to
    be forgotten before it went: the note still goes, without their name."""
    users, pairs = cohort.scenario.users, cohort.scenario.pairs
    with own_sessions.begin() as s:
        person = s.scalars(select(Person).where(Person.slack_user_id == users["s1"])).one()
        pair = s.get_one(Pair, pairs["p1"])
        enqueue(
            s,
            cohort.workspace_id,
            Outgoing(
                key=outbox_keys.partner_left(pair.id),
                kind=OutboxKind.PARTNER_LEFT,
                text=copy.PARTNER_LEFT.format(user=users["s1"], partner=users["j1"]),
                blocks=[],
                due_at=NOW,
                channel_id="C0PAIRDM01",
            ),
            NOW,
        )
        person.status = PersonStatus.LEFT
    with own_sessions.begin() as s:
        forget_person(s, cohort.scenario.team, users["s1"], NOW)
    with own_sessions() as s:
        note = s.scalars(
            select(OutboundMessage).where(
                OutboundMessage.key == outbox_keys.partner_left(pairs["p1"])
            )
        ).one()
    assert note.status == OutboxStatus.PENDING
    assert note.text == copy.PARTNER_LEFT_UNNAMED.format(partner=users["j1"])
    assert users["s1"] not in str(note.blocks)


def test_the_lead_report_still_builds_without_their_words(own_sessions, cohort):
    team, users = cohort.scenario.team, cohort.scenario.users
    with own_sessions.begin() as s:
        forget_person(s, team, users["s1"], NOW)
    report = ReportService(own_sessions, FixedClock(NOW)).build(team, None, detail=True)
    rendered = report_markdown(report) + report_csv(report).decode("utf-8-sig")
    rendered += outcomes_csv(report).decode("utf-8-sig")
    assert users["s1"] not in rendered
    assert S1_WORDS not in rendered
    assert "forgotten-" in report_csv(report).decode("utf-8-sig")  # counted, unnamed
    assert users["j1"] in rendered


def test_forgetting_twice_is_a_no_op_that_says_so(own_sessions, cohort):
    team, users = cohort.scenario.team, cohort.scenario.users
    with own_sessions.begin() as s:
        forget_person(s, team, users["s1"], NOW)
    counts = table_counts(own_sessions)
    with own_sessions.begin() as s:
        again = forget_person(s, team, users["s1"], NOW)
    assert not again.found
    assert again.summary() == "deleted nothing"
    assert table_counts(own_sessions) == counts


def test_someone_only_in_the_hr_import_is_forgotten_too(own_sessions, cohort, new_id):
    outsider = new_id()
    with own_sessions.begin() as s:
        s.add(
            DirectoryEntry(
                workspace_id=cohort.workspace_id,
                slack_user_id=outsider,
                email="o@example.com",
                imported_at=NOW,
            )
        )
    with own_sessions.begin() as s:
        report = forget_person(s, cohort.scenario.team, outsider, NOW)
    assert report.found
    assert report.count("directory_entries") == 1
    assert report.anonymised == 0


# --- a workspace --------------------------------------------------------------------------


def test_forgetting_a_workspace_leaves_nothing_of_it_and_touches_no_other(own_sessions, new_id):
    other = full_cohort(own_sessions, new_id)
    untouched = table_counts(own_sessions)
    other_report = report_csv(
        ReportService(own_sessions, FixedClock(NOW)).build(other.scenario.team, None, detail=True)
    )
    gone = full_cohort(own_sessions, new_id)
    with own_sessions.begin() as s:
        forget_person(s, gone.scenario.team, gone.scenario.users["j2"], NOW)  # an anonymous row
    assert table_counts(own_sessions) != untouched

    with own_sessions.begin() as s:
        report = forget_workspace(s, gone.scenario.team)

    assert report.found
    assert report.count("workspaces") == 1
    assert report.count("people") == 9
    assert report.count("installations") == 2
    assert report.count("check_ins") == 3
    assert table_counts(own_sessions) == untouched  # every table: only the other's rows
    with own_sessions() as s:
        assert (
            s.scalar(select(func.count()).where(Workspace.slack_team_id == gone.scenario.team)) == 0
        )
    again = ReportService(own_sessions, FixedClock(NOW)).build(
        other.scenario.team, None, detail=True
    )
    assert report_csv(again) == other_report
    with own_sessions.begin() as s:
        assert not forget_workspace(s, gone.scenario.team).found


def test_an_org_wide_installation_stays_when_its_workspaces_are_forgotten(own_sessions, new_id):
    first, second = ScenarioBuilder(own_sessions, new_id), ScenarioBuilder(own_sessions, new_id)
    with own_sessions.begin() as s:
        s.execute(
            update(Workspace)
            .where(Workspace.id.in_([first.workspace_id, second.workspace_id]))
            .values(enterprise_id="E0GRID01")
        )
        for table in (installations, bots):
            values = {"client_id": "1", "app_id": "A1", "enterprise_id": "E0GRID01"}
            if table is installations:
                values["user_id"] = "U1"
            s.execute(insert(table).values(is_enterprise_install=True, **values))

    def org_rows() -> int:
        with own_sessions() as s:
            return sum(
                s.scalar(select(func.count()).select_from(t).where(t.c.enterprise_id == "E0GRID01"))
                for t in (installations, bots)
            )

    with own_sessions.begin() as s:
        forget_workspace(s, first.scenario.team)
    assert org_rows() == 2  # the org's other workspace still uses it
    with own_sessions.begin() as s:
        assert forget_workspace(s, second.scenario.team).count("installations") == 0
    # Still 2: workspaces of the org Upward has not seen yet use it too; it goes with
    # the org's own uninstall.
    assert org_rows() == 2


# --- after an uninstall -------------------------------------------------------------------


def uninstalled(sessions, new_id, days_ago: float | None) -> str:
    builder = ScenarioBuilder(sessions, new_id)
    builder.person("m", "mentor", skills=["ai-tools"])
    if days_ago is not None:
        with sessions.begin() as s:
            s.execute(
                update(Workspace)
                .where(Workspace.id == builder.workspace_id)
                .values(uninstalled_at=NOW - timedelta(days=days_ago))
            )
    return builder.scenario.team


def teams(sessions) -> set[str]:
    with sessions() as s:
        return set(s.scalars(select(Workspace.slack_team_id)))


def test_purge_forgets_only_workspaces_past_the_grace_period(own_sessions, new_id):
    expired = uninstalled(own_sessions, new_id, 30.1)
    recent = uninstalled(own_sessions, new_id, 29.9)
    installed = uninstalled(own_sessions, new_id, None)
    with own_sessions.begin() as s:
        assert purge_uninstalled(s, NOW, timedelta(days=30)) == [expired]
    assert teams(own_sessions) == {recent, installed}
    with own_sessions.begin() as s:
        assert purge_uninstalled(s, NOW + timedelta(days=1), timedelta(days=30)) == [recent]
    assert teams(own_sessions) == {installed}


def test_the_tick_purges_at_most_once_an_hour(own_sessions, new_id):
    purge = UninstallPurge(own_sessions, timedelta(days=30))
    first = uninstalled(own_sessions, new_id, 31)
    assert purge.purge(NOW) == [first]
    second = uninstalled(own_sessions, new_id, 31)
    assert purge.purge(NOW + timedelta(minutes=59)) == []  # not yet: within the hour
    assert second in teams(own_sessions)
    assert purge.purge(NOW + timedelta(minutes=61)) == [second]


def test_run_due_deletes_uninstalled_workspaces(own_sessions, own_url, fake_slack, new_id):
    expired = uninstalled(own_sessions, new_id, 31)
    kept = uninstalled(own_sessions, new_id, 3)
    settings = engine_settings(fake_slack, own_url)
    assert settings.delete_after_days == 30
    services = build_services(settings, FixedClock(NOW), own_sessions)
    try:
        report = services.due.run_due(NOW)
    finally:
        services.close()
    assert report.workspaces_deleted == (expired,)
    assert teams(own_sessions) == {kept}
