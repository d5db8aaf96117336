"""Two workspaces side by side on one deployment: nothing of one is reachable from the other.

Team A runs a program (a confirmed round with introduced pairs, a newer preview, check-ins,
a survey, a self-assessment, programs of its own). Team B's lead and people then send
signed requests carrying A's ids. Each is refused in the words an unknown id gets (so
nothing says the id exists elsewhere), no row changes, and nothing reaches A's people or
channels in Slack.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import copy
from bot.errors import UserFacingError
from bot.ids import Action, Callback
from bot.services.matching.rounds import PairingService
from bot.services.people.enrolment import EnrolmentService
from bot.services.programs.settings import ProgramService
from bot.services.reports.report import ReportService
from bot.shapes.programs import ProgramSubmission
from bot.shapes.report import Stage
from models import (
    AssessmentPhase,
    CheckIn,
    MatchRound,
    OutcomeCheckpoint,
    OutcomeSurvey,
    Pair,
    Person,
    Role,
    SelfAssessment,
    Skill,
    Workspace,
)
from tests.e2e.test_hostile import quiet_fingerprint
from tests.e2e.test_matching import buttons, goal_values, program_values
from tests.support import LEAD_ID
from tests.support.polling import wait_until
from tests.support.programs import member_submission
from tests.support.slack_requests import SlackSender, join_values

NO_SUCH_ID = "2147480000"  # a well-formed id no row has: the answer A's ids must get too


def program_submission(name: str) -> ProgramSubmission:
    return ProgramSubmission(
        name=name,
        start_date=None,
        length_weeks="12",
        prompt_every_weeks="1",
        session_every_weeks="2",
        checkin_every_weeks="2",
        focus_skills=[],
        mentor_capacity="1",
        review_matches=True,
        match_emphasis="balanced",
        make_default=False,
    )


@dataclass
class TeamA:
    """What team A has, and the ids B will forge."""

    people: tuple[str, ...]  # A's own people (none of them is also in B)
    channels: tuple[str, ...]  # A's group DMs
    pair_id: int
    program_id: int
    confirmed_round: int
    preview_round: int
    drop_value: str  # "round:mentor:mentee" of A's preview
    person_ids: tuple[int, int]  # A's proposed mentor and mentee
    checkin_id: int
    survey_id: int
    assessment_id: int


@dataclass
class TeamB:
    sender: SlackSender
    lead: str
    member: str  # joined B only
    grid_user: str  # the same Slack user id joined A and B (an Enterprise Grid org)
    preview_round: int


def enrol(sender: SlackSender, fake_slack, user: str, role: str) -> None:
    """`/mentor join`, then the modal's submission, as Slack sends them."""
    # One token serves both teams here (the running app's): the fake keeps its people in
    # that token's workspace; the requests' team ids are what the app must keep apart.
    fake_slack.add_user(user, tz="Europe/London")
    assert sender.command(user, "join").status_code == 200
    values = (
        join_values(teach=("ai-tools",), seniority="1")
        if role == "mentor"
        else join_values(role="mentee", teach=(), learn=("ai-tools",), seniority="4")
    )
    response = sender.view_submission(user, Callback.JOIN_MODAL.value, values)
    assert response.status_code == 200
    assert "errors" not in response.text


def replies(fake_slack) -> list[dict[str, Any]]:
    return [c.args for c in fake_slack.calls_to("response_url")]


def reply_to(fake_slack, send) -> dict[str, Any]:
    """What the app answered on the response_url after ``send()``."""
    before = len(replies(fake_slack))
    assert send().status_code == 200
    fake_slack.wait_for("response_url", count=before + 1)
    return replies(fake_slack)[before]


def preview_round(sender: SlackSender, fake_slack, lead: str) -> dict[str, list[str]]:
    preview = reply_to(fake_slack, lambda: sender.command(lead, "match"))
    return buttons(preview["blocks"])


@pytest.fixture
def team_a(running_app, fake_slack, sessions, clock, new_id) -> TeamA:
    sender = SlackSender(running_app.base_url, fake_slack, new_id("T"))
    mentor, mentee = new_id(), new_id()
    enrol(sender, fake_slack, mentor, "mentor")
    enrol(sender, fake_slack, mentee, "mentee")
    fake_slack.settle()
    (confirmed,) = preview_round(sender, fake_slack, LEAD_ID)["upward_match_confirm"]
    sender.block_action(LEAD_ID, Action.MATCH_CONFIRM.value, confirmed)
    assert wait_until(lambda: any("introduced" in r["text"] for r in replies(fake_slack)))
    # A newer preview, with a proposal of its own, for B to try confirming or dropping.
    mentor2, mentee2 = new_id(), new_id()
    enrol(sender, fake_slack, mentor2, "mentor")
    enrol(sender, fake_slack, mentee2, "mentee")
    fake_slack.settle()
    found = preview_round(sender, fake_slack, LEAD_ID)
    (preview,) = found["upward_match_confirm"]
    (drop,) = found["upward_match_drop"]
    programs = ProgramService(sessions, clock)
    falcon = programs.save(sender.team_id, LEAD_ID, None, program_submission("Falcon"))
    programs.save(sender.team_id, LEAD_ID, None, program_submission("Osprey"))
    far = clock.now() + timedelta(days=3650)
    with sessions.begin() as s:
        pair = s.scalars(select(Pair).where(Pair.round_id == int(confirmed))).one()
        assert pair.channel_id is not None  # introduced: a nudge would have somewhere to go
        asked = pair.mentor
        checkin = CheckIn(
            pair_id=pair.id, person_id=asked.id, number=1, week=2, asked_at=clock.now()
        )
        survey = OutcomeSurvey(
            program_id=pair.program_id,
            person_id=asked.id,
            pair_id=pair.id,
            role=Role.MENTOR,
            checkpoint=OutcomeCheckpoint.END,
            asks_signals=True,
            asked_at=clock.now(),
            closes_at=far,
        )
        assessment = SelfAssessment(
            program_id=pair.program_id,
            person_id=asked.id,
            phase=AssessmentPhase.BEFORE,
            areas=["ai-tools"],
            asked_at=clock.now(),
            closes_at=far,
        )
        s.add_all([checkin, survey, assessment])
        s.flush()
        channels = tuple(
            c for c in (pair.channel_id, pair.mentor.dm_channel_id, pair.mentee.dm_channel_id) if c
        )
        ids = (pair.id, checkin.id, survey.id, assessment.id)
    _, proposed_mentor, proposed_mentee = drop.split(":")
    assert falcon.id is not None
    return TeamA(
        people=(mentor, mentee, mentor2, mentee2),
        channels=channels,
        pair_id=ids[0],
        program_id=falcon.id,
        confirmed_round=int(confirmed),
        preview_round=int(preview),
        drop_value=drop,
        person_ids=(int(proposed_mentor), int(proposed_mentee)),
        checkin_id=ids[1],
        survey_id=ids[2],
        assessment_id=ids[3],
    )


@pytest.fixture
def team_b(running_app, fake_slack, new_id, team_a) -> TeamB:
    sender = SlackSender(running_app.base_url, fake_slack, new_id("T"))
    lead = new_id()
    fake_slack.add_user(lead, is_admin=True)  # a lead of B only (B's requests name B)
    member = new_id()
    enrol(sender, fake_slack, member, "mentor")
    # A's mentor is in B too, under the same user id: only the team tells them apart.
    grid_user = team_a.people[0]
    response = sender.view_submission(
        grid_user,
        Callback.JOIN_MODAL.value,
        join_values(role="mentee", teach=(), learn=("ai-tools",), seniority="4"),
    )
    assert "errors" not in response.text
    fake_slack.settle()
    (round_id,) = preview_round(sender, fake_slack, lead)["upward_match_confirm"]
    return TeamB(sender, lead, member, grid_user, int(round_id))


class Forgery:
    """Before/after of everything a forged request could touch."""

    def __init__(self, running_app, fake_slack, engine, team_a: TeamA, team_b: TeamB) -> None:
        self.app, self.fake, self.engine = running_app, fake_slack, engine
        self.a, self.b = team_a, team_b
        self.rows = quiet_fingerprint(fake_slack, engine)
        self.calls_at = len(fake_slack.calls)
        self.log_at = len(running_app.log())

    def click(self, user: str, action: Action, value: str) -> str:
        """A button in a message: the refusal comes back on its response_url."""
        answer = reply_to(self.fake, lambda: self.b.sender.block_action(user, action.value, value))
        assert answer.get("response_type") == "ephemeral", answer
        return answer["text"]

    def submit(self, user: str, callback: Callback, values: dict[str, Any], metadata: str) -> str:
        """A modal: the refusal replaces the modal, in the HTTP answer itself."""
        response = self.b.sender.view_submission(user, callback.value, values, metadata)
        body = response.json()
        assert body["response_action"] == "update", body
        return json.dumps(body["view"]["blocks"])

    def home_click(self, action: Action, value: str, refused: str) -> str:
        """An App Home button has no response_url: the refusal is a log line."""
        self.b.sender.block_action(self.b.lead, action.value, value, container="view")
        line = wait_until(lambda: self._log_line(refused))
        assert line, f"no {refused!r} line in the log"
        return line

    def _log_line(self, marker: str) -> str:
        lines = self.app.log()[self.log_at :].splitlines()
        found = [line for line in lines if marker in line]
        if not found:
            return ""
        self.log_at += self.app.log()[self.log_at :].index(found[0]) + len(found[0])
        return found[0].split(marker, 1)[1]

    def assert_nothing_happened(self) -> None:
        assert quiet_fingerprint(self.fake, self.engine) == self.rows
        calls = self.fake.calls[self.calls_at :]
        # Only answers to B: ephemeral replies and B's lead's App Home (and users.info).
        assert {c.method for c in calls} <= {"response_url", "views.publish", "users.info"}
        assert {c.args["user_id"] for c in calls if c.method == "views.publish"} <= {self.b.lead}
        said = json.dumps([c.args for c in calls])
        for a_only in (*self.a.people[1:], *self.a.channels):
            assert a_only not in said


@pytest.fixture
def forgery(running_app, fake_slack, engine, team_a, team_b) -> Forgery:
    return Forgery(running_app, fake_slack, engine, team_a, team_b)


def test_a_lead_cannot_touch_another_workspaces_rounds(forgery):
    a, b = forgery.a, forgery.b
    for action in (Action.MATCH_CONFIRM, Action.MATCH_RERUN, Action.MATCH_CANCEL):
        unknown = forgery.click(b.lead, action, NO_SUCH_ID)
        assert unknown == copy.ROUND_GONE
        # A confirmed round says "can't find", not "already confirmed": nothing leaks.
        for round_id in (a.preview_round, a.confirmed_round):
            assert forgery.click(b.lead, action, str(round_id)) == unknown
    assert forgery.click(b.lead, Action.MATCH_DROP, a.drop_value) == copy.ROUND_GONE
    # B's own round, with A's people in the drop button: refused, B's round unchanged.
    forged_drop = f"{b.preview_round}:{a.person_ids[0]}:{a.person_ids[1]}"
    assert forgery.click(b.lead, Action.MATCH_DROP, forged_drop) == copy.STALE_BUTTON
    forgery.assert_nothing_happened()
    with forgery.engine.connect() as conn:
        status = conn.scalar(select(MatchRound.status).where(MatchRound.id == a.preview_round))
    assert status == "preview"


def test_a_lead_cannot_nudge_or_export_another_workspaces_program(forgery):
    a, b = forgery.a, forgery.b
    nudged = forgery.home_click(Action.NUDGE_PAIR, str(a.pair_id), "nudge refused: ")
    assert nudged == copy.LEAD_NUDGE_GONE
    assert forgery.home_click(Action.NUDGE_PAIR, NO_SUCH_ID, "nudge refused: ") == nudged
    for action in (Action.REPORT_CSV, Action.REPORT_CHART):
        exported = forgery.home_click(action, str(a.program_id), "report file refused: ")
        assert exported.startswith("There's no program called")
        assert "Falcon" not in exported
        assert forgery.home_click(action, NO_SUCH_ID, "report file refused: ") == exported
    # By name: A's programs are unknown in B, and B's list of programs names none of A's.
    for text in ("report Falcon", "report csv Falcon", "report chart Falcon", "match Falcon"):
        answer = b.sender.command(b.lead, text).json()["text"]
        assert "There's no program called “Falcon”" in answer
        assert "Osprey" not in answer
    metadata = str(a.program_id)
    assert copy.PROGRAM_GONE in forgery.submit(
        b.lead, Callback.PROGRAM_MODAL, program_values(), metadata
    )
    forgery.assert_nothing_happened()


@pytest.mark.parametrize("who", ["member", "grid_user"])
def test_people_cannot_answer_or_open_another_workspaces_questions(forgery, who):
    a, b = forgery.a, forgery.b
    user = getattr(b, who)
    for action, row_id, refusal in (
        (Action.CHECKIN_MET, a.checkin_id, copy.CHECKIN_NOT_YOURS),
        (Action.CHECKIN_NOT_YET, a.checkin_id, copy.CHECKIN_NOT_YOURS),
        (Action.SURVEY_OPEN, a.survey_id, copy.SURVEY_NOT_YOURS),
        (Action.SURVEY_SKIP, a.survey_id, copy.SURVEY_NOT_YOURS),
        (Action.ASSESSMENT_OPEN, a.assessment_id, copy.ASSESSMENT_NOT_YOURS),
        (Action.ASSESSMENT_SKIP, a.assessment_id, copy.ASSESSMENT_NOT_YOURS),
        (Action.OPEN_GOALS, a.pair_id, copy.GOALS_NOT_YOUR_PAIR),
    ):
        assert forgery.click(user, action, str(row_id)) == refusal
        assert forgery.click(user, action, NO_SUCH_ID) == refusal
    for callback, row_id, values, refusal in (
        (Callback.CHECKIN_MODAL, a.checkin_id, {}, copy.CHECKIN_NOT_YOURS),
        (Callback.SURVEY_MODAL, a.survey_id, {}, copy.SURVEY_NOT_YOURS),
        (Callback.ASSESSMENT_MODAL, a.assessment_id, {}, copy.ASSESSMENT_NOT_YOURS),
        (Callback.GOALS_MODAL, a.pair_id, goal_values(["x"], []), copy.GOALS_NOT_YOUR_PAIR),
    ):
        shown = forgery.submit(user, callback, values, str(row_id))
        assert refusal in shown
        assert forgery.submit(user, callback, values, NO_SUCH_ID) == shown
    forgery.assert_nothing_happened()


# --- the report, at the service ---------------------------------------------------------


def joined(report) -> int:
    (stage,) = [s for s in report.funnel if s.stage == Stage.JOINED]
    return stage.total


def test_each_workspaces_report_counts_only_its_own_people(sessions, clock, new_id):
    enrolment = EnrolmentService(sessions, clock)
    team_a, team_b = new_id("T"), new_id("T")
    shared = new_id()  # in both workspaces, as an Enterprise Grid user is
    for user, role in ((shared, "mentor"), (new_id(), "mentee"), (new_id(), "mentee")):
        enrolment.save(team_a, user, member_submission(role, ["ai-tools"]))
    enrolment.save(team_b, shared, member_submission("mentee", ["ai-tools"]))
    ProgramService(sessions, clock).save(team_a, LEAD_ID, None, program_submission("Falcon"))
    reports = ReportService(sessions, clock)
    # Both default programs have the same name; each report is its own team's.
    a, b = reports.build(team_a, None), reports.build(team_b, None)
    assert a.program_name == b.program_name
    assert (joined(a), joined(b)) == (3, 1)
    assert a.program_id != b.program_id
    assert {r.user_id for r in reports.build(team_b, None, detail=True).rows} == {shared}
    with pytest.raises(UserFacingError) as refused:
        reports.build(team_b, "Falcon")
    assert "Falcon" not in refused.value.message.split("Programs:")[1]
    with pytest.raises(UserFacingError):
        reports.build(team_b, None, program_id=a.program_id)
    with sessions() as s:
        people = s.scalars(select(Person).where(Person.slack_user_id == shared)).all()
    assert len(people) == 2


def test_a_workspaces_own_skill_names_stay_in_it(sessions, clock, new_id):
    """B renamed a seeded slug for itself; A's preview still shows the seeded name."""
    enrolment = EnrolmentService(sessions, clock)
    team_a, team_b = new_id("T"), new_id("T")
    for team in (team_a, team_b):
        for role in ("mentor", "mentee"):
            enrolment.save(team, new_id(), member_submission(role, ["ai-tools"]))
    with sessions.begin() as s:
        seeded = s.scalars(
            select(Skill).where(Skill.slug == "ai-tools", Skill.workspace_id.is_(None))
        ).one()
        b = s.scalars(select(Workspace).where(Workspace.slack_team_id == team_b)).one()
        secret = f"Project Falcon {new_id()}"
        s.add(Skill(workspace_id=b.id, slug="ai-tools", name=secret, position=seeded.position))
        seeded_name = seeded.name
    pairing = PairingService(sessions, clock, ProgramService(sessions, clock))
    assert pairing.preview(team_a, None).skill_names["ai-tools"] == seeded_name
    assert pairing.preview(team_b, None).skill_names["ai-tools"] == secret
