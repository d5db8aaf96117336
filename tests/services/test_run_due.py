"""The program engine over simulated weeks: run_due moved along a clock, as the
scheduler tick and `python -m bot run-due --at` run it."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.container import build_services
from bot.services.matching.rounds import PairingService
from bot.services.outbox.retention import OutboxRetention
from bot.services.people.enrolment import EnrolmentService
from bot.services.programs.settings import ProgramService
from bot.services.reports.report import ReportService
from models import OutboundMessage, OutboxStatus, Pair, PairWeek, Person, PersonStatus
from tests.support import LEAD_ID, ROOT, FixedClock, app_env
from tests.support.programs import engine_settings, member_submission

# A Monday. The first prompt week starts a week later; 12 weeks then cross the US (14 Mar),
# European (28 Mar) and Australian (4 Apr) daylight-saving changes.
START = datetime(2027, 2, 22, 12, 0, tzinfo=UTC)


def enrol(enrolment, team, user, role: str, skills: list[str], tz: str, own_sessions) -> None:
    enrolment.save(
        team,
        user,
        member_submission(role, skills, "Sales" if role == "mentor" else "Finance"),
    )
    enrolment.record_slack_details(team, user, tz=tz)


@pytest.fixture
def program(own_sessions, fake_slack, new_id, own_url):
    """Three introduced pairs across time zones; returns what the tests need."""
    clock = FixedClock(START)
    team = new_id("T")
    enrolment = EnrolmentService(own_sessions, clock)
    zones = [
        ("Europe/London", "Europe/Berlin"),
        ("America/New_York", "Asia/Kolkata"),
        ("Australia/Sydney", "Europe/London"),
    ]
    skills = ["ai-tools", "data-analytics", "social-media"]
    users = {}
    for (mentor_tz, mentee_tz), skill in zip(zones, skills, strict=True):
        mentor, mentee = new_id(), new_id()
        for user, tz in ((mentor, mentor_tz), (mentee, mentee_tz)):
            fake_slack.add_user(user, tz=tz)
        enrol(enrolment, team, mentor, "mentor", [skill], mentor_tz, own_sessions)
        enrol(enrolment, team, mentee, "mentee", [skill], mentee_tz, own_sessions)
        users[mentor] = mentor_tz
        users[mentee] = mentee_tz
    programs = ProgramService(own_sessions, clock)
    pairing = PairingService(own_sessions, clock, programs, new_seed=lambda: 7)
    preview = pairing.preview(team, None)
    assert len(preview.pairs) == 3
    pairing.confirm(team, None, preview.round_id)
    settings = engine_settings(fake_slack, own_url)
    services = build_services(settings, clock, own_sessions)
    due = services.due
    services.intros.introduce_round(preview.round_id)
    with own_sessions() as s:
        pair_ids = list(
            s.scalars(select(Pair.id).where(Pair.round_id == preview.round_id).order_by(Pair.id))
        )
    return {"team": team, "due": due, "pairs": pair_ids, "zones": users, "settings": settings}


def prompts_sent(own_sessions, pair_ids) -> list[OutboundMessage]:
    with own_sessions() as s:
        return list(
            s.scalars(
                select(OutboundMessage)
                .where(
                    OutboundMessage.pair_id.in_(pair_ids),
                    OutboundMessage.kind == "prompt",
                    OutboundMessage.status == OutboxStatus.SENT,
                )
                .order_by(OutboundMessage.id)
            )
        )


def in_working_hours(instant: datetime, tz: str) -> bool:
    local = instant.astimezone(ZoneInfo(tz))
    return local.weekday() < 5 and 9 <= local.hour < 17


def test_twelve_weeks_one_prompt_a_week_in_working_hours(program, own_sessions, fake_slack):
    """The whole program with nobody clicking: prompts every week, check-ins every two
    weeks to each person, at most one nudge a week, and a thank-you at the end."""
    due, pair_ids = program["due"], program["pairs"]
    now = START
    while now < START + timedelta(weeks=14):
        due.run_due(now)
        now += timedelta(hours=2)  # a slow clock: prompts are still due on their day
    sent = prompts_sent(own_sessions, pair_ids)
    with own_sessions() as s:
        weeks = {
            (w.pair_id, w.week): w
            for w in s.scalars(select(PairWeek).where(PairWeek.pair_id.in_(pair_ids)))
        }
        pairs = {p.id: p for p in s.scalars(select(Pair).where(Pair.id.in_(pair_ids)))}
        people = {p.id: p for p in s.scalars(select(Person))}
    # Exactly one prompt per pair per program week, weeks 1..12, and no more.
    assert sorted(weeks) == [(p, w) for p in pair_ids for w in range(1, 13)]
    assert len(sent) == 36
    assert len({m.key for m in sent}) == 36
    # Each lands inside the mentor's working hours, and inside both people's when their
    # hours overlap (London/Berlin always do; New York/Kolkata never do).
    for message in sent:
        pair = pairs[message.pair_id]
        mentor = people[pair.mentor_id]
        mentee = people[pair.mentee_id]
        assert in_working_hours(message.due_at, mentor.tz), (message.key, message.due_at)
        if {mentor.tz, mentee.tz} == {"Europe/London", "Europe/Berlin"}:
            assert in_working_hours(message.due_at, mentee.tz), (message.key, message.due_at)
    # Across the DST changes, the London/Berlin pair's prompt stays at 09:00 London time.
    london = sorted(
        m.due_at.astimezone(ZoneInfo("Europe/London")).time()
        for m in sent
        if people[pairs[m.pair_id].mentor_id].tz == "Europe/London"
    )
    assert {t.hour for t in london} == {9}
    # Every prompt went to its pair's group DM, once.
    for message in sent:
        posted = [
            m
            for m in fake_slack.messages(message.posted_channel_id)
            if m.get("metadata", {}).get("event_payload", {}).get("key") == message.key
        ]
        assert len(posted) == 1, message.key

    with own_sessions() as s:
        others = list(
            s.scalars(
                select(OutboundMessage).where(
                    OutboundMessage.kind.in_(("checkin", "reminder", "recognition")),
                    OutboundMessage.status == OutboxStatus.SENT,
                )
            )
        )
        ended = {p.id: p.status for p in s.scalars(select(Pair).where(Pair.id.in_(pair_ids)))}
    by_kind: dict[str, list[OutboundMessage]] = {}
    for message in others:
        by_kind.setdefault(message.kind, []).append(message)
    # Check-ins: weeks 2, 4, ..., 12 for each of the six people, privately, in their hours.
    assert len(by_kind["checkin"]) == 6 * 6
    for message in by_kind["checkin"]:
        assert message.user_id is not None
        person = next(p for p in people.values() if p.id == message.person_id)
        assert in_working_hours(message.due_at, person.tz), (message.key, message.due_at)
    # Nudges: nobody engaged, so at most one a week per pair, never outside working hours.
    nudge_weeks = [tuple(m.key.split(":")[1:3]) for m in by_kind.get("reminder", [])]
    assert len(nudge_weeks) == len(set(nudge_weeks))
    assert nudge_weeks  # silence was noticed
    for message in by_kind["reminder"]:
        mentor = people[pairs[int(message.key.split(":")[1])].mentor_id]
        assert in_working_hours(message.due_at, mentor.tz), (message.key, message.due_at)
    # Recognition: one thank-you per junior mentor, and the pairs have ended.
    assert len(by_kind["recognition"]) == 3
    assert set(ended.values()) == {"ended"}


def test_nothing_is_sent_to_a_paused_pair(program, own_sessions):
    due, pair_ids = program["due"], program["pairs"]
    with own_sessions.begin() as s:
        pair = s.get(Pair, pair_ids[0])
        s.get(Person, pair.mentee_id).status = PersonStatus.PAUSED
    now = START
    while now < START + timedelta(weeks=3):
        due.run_due(now)
        now += timedelta(hours=2)
    sent = prompts_sent(own_sessions, pair_ids)
    assert not [m for m in sent if m.pair_id == pair_ids[0]]
    assert len([m for m in sent if m.pair_id == pair_ids[1]]) == 2


def run_due_cli(
    settings: Settings, at: datetime, timeout: float = 60
) -> subprocess.CompletedProcess:
    env = app_env(settings.database_url, settings.api_url, 3000)  # PORT is unused here
    env.pop("SLACK_SIGNING_SECRET", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "run-due", "--at", at.isoformat()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_run_due_from_the_command_line_moves_the_clock(program, own_sessions):
    first_prompt_day = START + timedelta(days=7)  # Monday of week 1, 12:00 UTC
    done = run_due_cli(program["settings"], first_prompt_day)
    assert done.returncode == 0, done.stderr
    assert "3 prompts, 0 check-ins" in done.stdout
    sent = prompts_sent(own_sessions, program["pairs"])
    assert len(sent) >= 1
    again = run_due_cli(program["settings"], first_prompt_day)
    assert again.returncode == 0, again.stderr
    assert len(prompts_sent(own_sessions, program["pairs"])) == len(sent)
    bad = run_due_cli(program["settings"], first_prompt_day.replace(tzinfo=None))
    assert bad.returncode == 2
    assert "time zone" in bad.stderr


def test_the_scheduler_tick_runs_run_due(tmp_path, fake_slack):
    from tests.support import free_port, start_app

    env = app_env(
        f"sqlite:///{tmp_path / 'tick.db'}",
        fake_slack.url,
        free_port(),
        SCHEDULER_TICK_SECONDS="10",
    )
    app = start_app(env, tmp_path / "app.log")
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while "run_due" not in app.log() and datetime.now(UTC) < deadline:
            subprocess.run(["sleep", "0.5"], check=False)
        assert "run_due" in app.log()
    finally:
        assert app.stop() == 0


def all_prompt_keys(own_sessions, pair_ids) -> dict[str, OutboxStatus]:
    with own_sessions() as s:
        return dict(
            s.execute(
                select(OutboundMessage.key, OutboundMessage.status).where(
                    OutboundMessage.pair_id.in_(pair_ids), OutboundMessage.kind == "prompt"
                )
            ).all()
        )


def posted_keys(fake_slack) -> list[str]:
    return [
        m["metadata"]["event_payload"]["key"]
        for messages in fake_slack.all_messages().values()
        for m in messages
        if m.get("metadata", {}).get("event_type") == "upward_outbox"
        and m["metadata"]["event_payload"]["key"].startswith("prompt:")
    ]


def test_a_run_killed_mid_fan_out_resumes_without_duplicates_or_losses(
    program, own_sessions, fake_slack
):
    # Plan week 1 on the Sunday night before it, then send on Monday afternoon, when all
    # three prompts (London, New York and Sydney mentors) are due.
    assert program["due"].plan(datetime(2027, 2, 28, 23, 0, tzinfo=UTC)).planned == 3
    at = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
    before = len(fake_slack.calls_to("chat.postMessage"))  # the intros
    fake_slack.delay("chat.postMessage", 0.7)  # slow Slack: the kill lands mid fan-out
    env = app_env(program["settings"].database_url, fake_slack.url, 3000)
    env.pop("SLACK_SIGNING_SECRET", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run-due", "--at", at.isoformat()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        fake_slack.wait_for("chat.postMessage", count=before + 1, timeout=30)
    finally:
        process.kill()
        process.wait()
    fake_slack.delay("chat.postMessage", 0)
    fake_slack.settle(quiet=1.0)  # posts already in flight land in Slack anyway
    keys = all_prompt_keys(own_sessions, program["pairs"])
    assert len(keys) == 3
    assert OutboxStatus.SENDING in keys.values()  # the kill did interrupt the fan-out
    # The next run, after the dead sender's lease, finishes the job.
    done = run_due_cli(program["settings"], at + timedelta(minutes=3))
    assert done.returncode == 0, done.stderr
    keys = all_prompt_keys(own_sessions, program["pairs"])
    assert set(keys.values()) == {OutboxStatus.SENT}
    posted = posted_keys(fake_slack)
    assert sorted(posted) == sorted(keys)  # each exactly once: no duplicate, no loss


def test_two_run_due_processes_at_once_send_each_message_once(
    program, own_sessions, fake_slack, own_url
):
    if not own_url.startswith("postgresql"):
        pytest.skip("several senders at once is what Postgres (SKIP LOCKED) is for")
    assert program["due"].plan(datetime(2027, 2, 28, 23, 0, tzinfo=UTC)).planned == 3
    at = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
    fake_slack.delay("chat.postMessage", 0.2)
    env = app_env(program["settings"].database_url, fake_slack.url, 3000)
    env.pop("SLACK_SIGNING_SECRET", None)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "run-due", "--at", at.isoformat()],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in processes:
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    keys = all_prompt_keys(own_sessions, program["pairs"])
    assert len(keys) == 3
    assert set(keys.values()) == {OutboxStatus.SENT}
    assert sorted(posted_keys(fake_slack)) == sorted(keys)


SUNDAY_NIGHT = datetime(2027, 2, 28, 23, 0, tzinfo=UTC)
MONDAY_AFTERNOON = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)


def test_a_permanent_failure_flags_the_pair_and_tells_the_lead(program, own_sessions, fake_slack):
    due = program["due"]
    due.plan(SUNDAY_NIGHT)
    fake_slack.fail_next("chat.postMessage", "is_archived")
    report = due.run_due(MONDAY_AFTERNOON)
    assert report.delivery.failed == 1
    with own_sessions() as s:
        flagged = [
            p.at_risk_reason
            for p in s.scalars(select(Pair).where(Pair.id.in_(program["pairs"])))
            if p.at_risk_reason
        ]
    assert flagged == ["undeliverable:is_archived"]
    due.run_due(MONDAY_AFTERNOON)  # the alert itself goes through the outbox
    alerts = [m for m in fake_slack.messages(LEAD_ID) if "would not deliver" in m["text"]]
    assert len(alerts) == 1
    assert "is_archived" in alerts[0]["text"]


def test_rate_limits_and_server_errors_delay_but_never_duplicate(program, own_sessions, fake_slack):
    due = program["due"]
    due.plan(SUNDAY_NIGHT)
    fake_slack.set_post_limits(per_channel=1.0, workspace=1.0)
    fake_slack.accept_then_fail_next("chat.postMessage", status=503)
    now = MONDAY_AFTERNOON
    for _ in range(10):
        due.run_due(now)
        now += timedelta(minutes=2)
    assert fake_slack.stats.rate_limited > 0  # Slack did push back
    assert fake_slack.stats.replies_lost == 1
    keys = all_prompt_keys(own_sessions, program["pairs"])
    assert set(keys.values()) == {OutboxStatus.SENT}
    assert sorted(posted_keys(fake_slack)) == sorted(keys)


def test_pruning_the_outbox_leaves_the_report_as_it_was(program, own_sessions):
    """After the retention period the sent rows go; what the report counts (prompts
    delivered, thank-yous, shout-outs) was kept on the pair weeks and pairs."""
    due = program["due"]
    now = START
    while now < START + timedelta(weeks=14):
        due.run_due(now)
        now += timedelta(hours=6)
    reports = ReportService(own_sessions, FixedClock(now))
    before = reports.build(program["team"], None, detail=True)
    # What the pruning must not lose: every prompt, every thank-you and shout-out.
    assert before.engagement.prompts_delivered == 36
    assert before.recognition.thanked == 3
    with own_sessions() as s:
        sent_before = s.scalar(
            select(func.count(OutboundMessage.id)).where(
                OutboundMessage.status == OutboxStatus.SENT
            )
        )
    pruned = OutboxRetention(own_sessions, timedelta(days=1)).prune(now + timedelta(days=2))
    with own_sessions() as s:
        left = s.scalar(
            select(func.count(OutboundMessage.id)).where(
                OutboundMessage.status == OutboxStatus.SENT
            )
        )
    assert pruned == sent_before > 36
    assert left == 0
    after = reports.build(program["team"], None, detail=True)
    assert after == before
