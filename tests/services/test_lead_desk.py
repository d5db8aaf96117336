"""What a lead does with the report: files in their DM, nudges for pairs at risk."""

from __future__ import annotations

import csv
import io
import sys

import pytest
from sqlalchemy import select

from bot.container import build_services
from bot.errors import NotALeadError, UserFacingError
from bot.services.outbox.express import SendInline
from bot.services.reports.chart_process import ChartFailedError, ChartProcess
from bot.services.reports.lead_desk import LeadDesk
from bot.shapes.report import FileKind
from bot.slack.errors import SlackRejectedError
from bot.views.dashboard import file_sent_text
from models import PairStatus, Person
from tests.support import LEAD_ID, FixedClock
from tests.support.programs import engine_settings
from tests.support.reports import NOW, ScenarioBuilder


@pytest.fixture
def scenario(own_sessions, new_id) -> ScenarioBuilder:
    b = ScenarioBuilder(own_sessions, new_id)
    b.person("m1", "mentor", skills=["ai-tools"])
    b.person("s1", "mentee", skills=["ai-tools"])
    b.person("m2", "mentor", skills=["ai-tools"])
    b.person("s2", "mentee", skills=["ai-tools"])
    b.pair("drifting", "m1", "s1", ["met", None, None, None, None, None])
    b.pair("over", "m2", "s2", ["met"], status=PairStatus.ENDED)
    return b


@pytest.fixture
def desk(own_sessions, own_url, fake_slack) -> LeadDesk:
    services = build_services(engine_settings(fake_slack, own_url), FixedClock(NOW), own_sessions)
    # The production desk, but sending inline, so a test sees its posts at once.
    return LeadDesk(
        own_sessions,
        services.clock,
        services.reports,
        services.slack,
        SendInline(services.due.delivery, services.clock),
        dms=services.lead_desk._dms,
        leads=services.leads,
        programs=services.programs,
        pairing=services.pairing,
    )


def test_a_nudge_reaches_the_pair_once_a_day(desk, scenario, fake_slack):
    team, pair_id = scenario.scenario.team, scenario.scenario.pairs["drifting"]
    members = [scenario.scenario.users["m1"], scenario.scenario.users["s1"]]
    for user in members:
        fake_slack.add_user(user)
    channel = desk._slack.for_team(team).open_conversation(members)
    scenario.set_channel("drifting", channel)
    assert desk.nudge(team, LEAD_ID, pair_id).sent
    assert not desk.nudge(team, LEAD_ID, pair_id).sent
    posted = [m for m in fake_slack.messages(channel) if "friendly hello" in m["text"]]
    assert len(posted) == 1
    assert f"<@{LEAD_ID}>" in posted[0]["text"]
    (at_risk,) = desk.report(team, LEAD_ID, None).at_risk
    assert at_risk.nudged_at == NOW


def test_an_ended_pair_or_another_teams_pair_cannot_be_nudged(desk, scenario, new_id):
    team = scenario.scenario.team
    with pytest.raises(UserFacingError):
        desk.nudge(team, LEAD_ID, scenario.scenario.pairs["over"])
    other = ScenarioBuilder(desk._sessions, new_id)
    with pytest.raises(UserFacingError):
        desk.nudge(other.scenario.team, LEAD_ID, scenario.scenario.pairs["drifting"])


def test_the_csv_goes_to_the_leads_dm_and_is_remembered(desk, scenario, fake_slack):
    team = scenario.scenario.team
    (sent,) = desk.send_file(team, LEAD_ID, FileKind.CSV)  # nobody asked about outcomes yet
    assert sent.permalink
    assert sent.permalink.endswith(".csv")
    (file,) = fake_slack.uploaded_files.values()
    assert fake_slack.conversations_opened[file["channel_id"]] == (LEAD_ID,)
    rows = list(csv.DictReader(io.StringIO(file["bytes"].decode("utf-8-sig"))))
    assert len(rows) == 4
    assert desk.latest_files(team, LEAD_ID) == [sent]
    assert desk.latest_files(team, "USOMEONEELSE") == []


def test_once_people_were_asked_about_outcomes_the_outcomes_csv_comes_too(
    desk, scenario, fake_slack
):
    scenario.survey("m1", "end", role="mentor", would_again="yes", recommend="yes")
    team = scenario.scenario.team
    sent = desk.send_file(team, LEAD_ID, FileKind.CSV)
    assert [f.title.startswith("Upward outcomes") for f in sent] == [False, True]
    outcomes, people = sorted(fake_slack.uploaded_files.values(), key=lambda f: f["filename"])
    assert outcomes["filename"] == people["filename"].removesuffix(".csv") + "-outcomes.csv"
    rows = list(csv.DictReader(io.StringIO(outcomes["bytes"].decode("utf-8-sig"))))
    answered = [r for r in rows if r["measure"] == "answered"]
    assert [(r["role"], r["checkpoint"], r["value"]) for r in answered] == [("mentor", "end", "1")]
    # One person answered: no rate, only that it is hidden.
    (again,) = [r for r in rows if r["measure"] == "would_again_yes"]
    assert (again["value"], again["note"]) == ("", "hidden: fewer than 3 people")
    assert outcomes["channel_id"] == people["channel_id"]
    assert sorted(desk.latest_files(team, LEAD_ID), key=lambda f: f.title) == sorted(
        sent, key=lambda f: f.title
    )
    # The answer in Slack links both.
    said = file_sent_text(sent)
    assert said.count("<http") == 2
    assert " and " in said


def test_a_refused_upload_raises_and_remembers_nothing(desk, scenario, fake_slack):
    fake_slack.fail_next("files.getUploadURLExternal", "not_allowed_token_type")
    with pytest.raises(SlackRejectedError):
        desk.send_file(scenario.scenario.team, LEAD_ID, FileKind.CHART)
    assert desk.latest_files(scenario.scenario.team, LEAD_ID) == []


def test_a_chart_that_cannot_be_drawn_uploads_and_remembers_nothing(desk, scenario, fake_slack):
    desk._charts = ChartProcess([sys.executable, "-c", "raise SystemExit('no fonts')"])
    with pytest.raises(ChartFailedError):
        desk.send_file(scenario.scenario.team, LEAD_ID, FileKind.CHART)
    assert fake_slack.calls_to("files.getUploadURLExternal") == []
    assert desk.latest_files(scenario.scenario.team, LEAD_ID) == []


def test_a_remembered_dm_that_is_gone_is_opened_again(desk, scenario, fake_slack):
    team = scenario.scenario.team
    lead = scenario.person("lead", "mentee")  # an admin who joined: their DM id is kept
    with desk._sessions.begin() as s:
        lead_id = s.get_one(Person, lead).slack_user_id
    fake_slack.add_user(lead_id, is_admin=True)
    desk.send_file(team, lead_id, FileKind.CSV)
    fake_slack.reset()  # Slack forgot the DM (a reinstall); the database has not
    fake_slack.add_user(lead_id, is_admin=True)
    desk.send_file(team, lead_id, FileKind.CSV)
    assert len(fake_slack.calls_to("conversations.open")) == 1  # since the reset
    shared = [f for f in fake_slack.uploaded_files.values() if f["channel_id"]]
    assert [fake_slack.conversations_opened[f["channel_id"]] for f in shared] == [(lead_id,)]
    with desk._sessions() as s:
        kept = s.scalar(select(Person.dm_channel_id).where(Person.id == lead))
    assert kept == shared[0]["channel_id"]  # the new DM is the one kept


def test_every_lead_only_action_is_refused_to_a_non_lead(desk, scenario, fake_slack, new_id):
    """The one lead check is the desk's: no handler has to remember it."""
    team, pair_id = scenario.scenario.team, scenario.scenario.pairs["drifting"]
    outsider = new_id()
    fake_slack.add_user(outsider)  # a member, not an admin, not in MENTOR_LEADS
    attempts = {
        "program": lambda: desk.program(team, outsider, None, "match"),
        "program to edit": lambda: desk.program_to_edit(team, outsider, "new"),
        "preview": lambda: desk.preview_round(team, outsider, None),
        "confirm": lambda: desk.confirm_round(team, outsider, 1),
        "drop": lambda: desk.drop_pair(team, outsider, 1, 1, 2),
        "rerun": lambda: desk.rerun_round(team, outsider, 1),
        "cancel": lambda: desk.cancel_round(team, outsider, 1),
        "report": lambda: desk.report(team, outsider, None),
        "dashboard": lambda: desk.dashboard(team, outsider),
        "file": lambda: desk.send_file(team, outsider, FileKind.CSV),
        "nudge": lambda: desk.nudge(team, outsider, pair_id),
    }
    answers = {}
    for what, attempt in attempts.items():
        try:
            attempt()
        except NotALeadError as refused:
            answers[what] = refused.message
        else:
            answers[what] = "let through"
    assert all("is for program leads" in answer for answer in answers.values()), answers
    assert fake_slack.uploaded_files == {}
    assert desk.report(team, LEAD_ID, None).at_risk[0].nudged_at is None  # nothing nudged
