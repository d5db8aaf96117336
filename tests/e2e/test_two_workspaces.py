"""Two workspaces installed with "Add to Slack" run whole programs side by side.

People join through signed requests to the running app (authorised with their own
workspace's installation); the clock then runs twelve weeks of the program with the
scheduler's own code. Every call the fake Slack received is checked against the
workspace of the token that made it: no user, channel or file of one workspace is
ever touched with the other's token, and each lead's CSV holds only their own people.
Then one workspace uninstalls in the middle of a fan-out.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.container import Services, build_services
from bot.db import make_session_factory
from bot.sandbox.fakeslack import FakeSlack
from bot.services.outbox.delivery import Outgoing, enqueue
from bot.services.people.workspaces import ensure_workspace
from bot.shapes.report import FileKind
from models import OutboundMessage, OutboxStatus, Person, Workspace
from tests.support import FixedClock
from tests.support.oauth import install, oauth_settings
from tests.support.polling import wait_until
from tests.support.programs import PEOPLE, START, run_clock
from tests.support.slack_requests import SlackSender, join_values


@dataclass
class Team:
    id: str
    lead: str
    people: list[str] = field(default_factory=list)


def oauth_services(fake: FakeSlack, url: str, engine, clock: FixedClock) -> Services:
    """The scheduler's graph as a many-workspace deployment builds it."""
    return build_services(oauth_settings(fake, url), clock, make_session_factory(engine))


def set_up_team(base_url: str, fake: FakeSlack, new_id, oauth_db) -> Team:
    """Installed through OAuth, a lead (an admin) and PEOPLE's three pairs joined."""
    team = Team(new_id("T"), new_id())
    assert install(base_url, fake, team.id).status_code == 200
    fake.add_user(team.lead, team_id=team.id, is_admin=True, tz="Europe/London")
    sender = SlackSender(base_url, fake, team.id)
    for mentor_tz, mentee_tz, skill in PEOPLE:
        for tz, role in ((mentor_tz, "mentor"), (mentee_tz, "mentee")):
            user = new_id()
            fake.add_user(user, team_id=team.id, tz=tz)
            values = join_values(
                role=role,
                teach=(skill,) if role == "mentor" else (),
                learn=(skill,) if role == "mentee" else (),
                seniority="1" if role == "mentor" else "4",
            )
            assert sender.view_submission(user, "upward_join", values).status_code == 200
            team.people.append(user)

    def time_zones_known() -> bool:  # looked up after the ack, with the team's token
        with oauth_db.connect() as conn:
            zones = conn.scalars(
                select(Person.tz).where(Person.slack_user_id.in_(team.people))
            ).all()
        return len(zones) == len(team.people) and all(zones)

    assert wait_until(time_zones_known, timeout=15)
    return team


def match(services: Services, team: Team) -> None:
    preview = services.pairing.preview(team.id, None)
    assert len(preview.pairs) == len(PEOPLE)
    services.pairing.confirm(team.id, None, preview.round_id)
    services.intros.introduce_round(preview.round_id)


def team_of_everything(fake: FakeSlack, teams: list[Team]) -> tuple[dict[str, str], dict]:
    users = {user: team.id for team in teams for user in [team.lead, *team.people]}
    channels = {}
    for channel, members in fake.conversations_opened.items():
        owners = {users.get(member) for member in members}
        assert len(owners) == 1, f"{channel} mixes workspaces: {members}"
        channels[channel] = owners.pop()
    return users, channels


def check_every_call_stayed_in_its_workspace(fake: FakeSlack, teams: list[Team]) -> int:
    """Every user and channel a call names belongs to the workspace of its token."""
    users, channels = team_of_everything(fake, teams)
    checked = 0
    for call in fake.calls:
        if call.team_id is None:
            continue
        named = [call.args.get(k) for k in ("user", "user_id")]
        named += str(call.args.get("users") or "").split(",")
        for user in filter(None, named):
            if user in users:
                assert users[user] == call.team_id, (call.method, call.args)
                checked += 1
        channel = call.args.get("channel") or call.args.get("channel_id")
        if channel in channels:
            assert channels[channel] == call.team_id, (call.method, call.args)
            checked += 1
    return checked


@pytest.mark.timeout(600)
def test_two_workspaces_run_whole_programs_with_nothing_crossing(
    oauth_running, oauth_url, oauth_db, fake_slack, new_id
):
    teams = [set_up_team(oauth_running.base_url, fake_slack, new_id, oauth_db) for _ in "ab"]
    clock = FixedClock(START)
    services = oauth_services(fake_slack, oauth_url, oauth_db, clock)
    try:
        for team in teams:
            match(services, team)
        # Twelve weeks of prompts, check-ins, reminders and the wrap-up, every 3 hours.
        run_clock(services.due, START, START + timedelta(weeks=13), timedelta(hours=3))
        clock.current = START + timedelta(weeks=13)
        for team in teams:
            services.lead_desk.send_file(team.id, team.lead, FileKind.CSV)
        fake_slack.settle()

        assert check_every_call_stayed_in_its_workspace(fake_slack, teams) > 100
        with oauth_db.connect() as conn:
            sent = conn.execute(
                select(Workspace.slack_team_id, OutboundMessage.kind, OutboundMessage.user_id)
                .join(Workspace, OutboundMessage.workspace_id == Workspace.id)
                .where(
                    Workspace.slack_team_id.in_([t.id for t in teams]),
                    OutboundMessage.status == OutboxStatus.SENT,
                )
            ).all()
        for team in teams:
            kinds = [kind for team_id, kind, _ in sent if team_id == team.id]
            assert kinds.count("intro") == len(PEOPLE)
            assert kinds.count("prompt") >= len(PEOPLE) * 10  # about a prompt a week each
            # DMs went to the team's own people only.
            dm_users = {user for team_id, _, user in sent if team_id == team.id and user}
            assert dm_users <= {team.lead, *team.people}
        # Each lead's CSV: their own people, none of the other workspace's.
        files = list(fake_slack.uploaded_files.values())
        for team, other in (teams, teams[::-1]):
            (csv_file,) = [
                f
                for f in files
                if f["filename"].endswith(".csv")
                and "outcomes" not in f["filename"]
                and team.people[0].encode() in f["bytes"]
            ]
            assert all(user.encode() in csv_file["bytes"] for user in team.people)
            assert not any(user.encode() in csv_file["bytes"] for user in other.people)
    finally:
        services.close()


def test_an_uninstall_mid_fan_out_stops_that_workspace_within_the_batch(
    oauth_running, oauth_url, oauth_db, fake_slack, new_id
):
    """A's app is removed while A's messages are going out: Slack revokes A's token and
    sends app_uninstalled; A's sending stops at once, B's carries on, nothing of A's is
    accepted after the revoke, and the next tick sends nothing to A."""
    a, b = (Team(new_id("T"), new_id()) for _ in "ab")
    for team in (a, b):
        assert install(oauth_running.base_url, fake_slack, team.id).status_code == 200
    clock = FixedClock(START)
    services = oauth_services(fake_slack, oauth_url, oauth_db, clock)
    try:
        planned = {
            a.id: plan_dms(services, fake_slack, a, 120),
            b.id: plan_dms(services, fake_slack, b, 40),
        }
        fake_slack.delay("chat.postMessage", 0.02)  # a fan-out that takes a few seconds
        fanning = threading.Thread(target=lambda: services.due.delivery.deliver_due(START))
        fanning.start()
        assert wait_until(lambda: accepted(fake_slack, a.id) >= 10, timeout=30)
        fake_slack.uninstall(a.id)  # Slack revokes the tokens, then tells the app
        revoked_at = time.time()
        event = {"type": "app_uninstalled", "event_ts": f"{time.time():.6f}"}
        assert SlackSender(oauth_running.base_url, fake_slack, a.id).event(event).status_code == 200
        fanning.join(timeout=120)
        assert not fanning.is_alive()

        a_posts = [c for c in fake_slack.calls_to("chat.postMessage") if c.team_id == a.id]
        late = [c for c in a_posts if c.at > revoked_at and is_accepted(fake_slack, c)]
        assert late == []
        # At most one refused call per sender thread after the revoke, then A stops: no
        # conversations.open or chat.postMessage for each message left.
        tried_after = [c for c in fake_slack.calls if c.team_id == a.id and c.at > revoked_at]
        assert len(tried_after) <= 4
        statuses = outbox_statuses(oauth_db, planned[a.id])
        assert set(statuses) <= {OutboxStatus.SENT, OutboxStatus.CANCELLED}
        assert statuses.count(OutboxStatus.SENT) == accepted(fake_slack, a.id)
        assert statuses.count(OutboxStatus.CANCELLED) >= 120 - accepted(fake_slack, a.id) - 4
        assert outbox_statuses(oauth_db, planned[b.id]) == [OutboxStatus.SENT] * 40
        with oauth_db.connect() as conn:
            gone = conn.scalar(
                select(Workspace.uninstalled_at).where(Workspace.slack_team_id == a.id)
            )
        assert gone is not None

        # The next tick: nothing for A, not even an attempt.
        calls_before = len(fake_slack.calls)
        plan_dms(services, fake_slack, a, 5)
        services.due.run_due(START + timedelta(minutes=1))
        assert [c for c in fake_slack.calls[calls_before:] if c.team_id == a.id] == []
    finally:
        services.close()


def plan_dms(services: Services, fake: FakeSlack, team: Team, count: int) -> list[str]:
    """``count`` DMs to new people of the team, due now: a fan-out's worth."""
    keys = []
    with services.sessions.begin() as session:
        workspace = ensure_workspace(session, team.id, START)
        for _ in range(count):
            user, key = new_id_of("U"), f"fanout-{new_id_of('K')}"
            fake.add_user(user, team_id=team.id)
            enqueue(
                session,
                workspace.id,
                Outgoing(key=key, kind="test", text="hello", due_at=START, user_id=user),
                START,
            )
            keys.append(key)
    return keys


def new_id_of(prefix: str) -> str:
    return prefix + secrets.token_hex(5).upper()


def accepted(fake: FakeSlack, team_id: str) -> int:
    return sum(
        1
        for c in fake.calls_to("chat.postMessage")
        if c.team_id == team_id and is_accepted(fake, c)
    )


def is_accepted(fake: FakeSlack, call) -> bool:
    key = (call.args.get("metadata") or {}).get("event_payload", {}).get("key")
    return any(
        m.get("metadata", {}).get("event_payload", {}).get("key") == key
        for m in fake.messages(call.args["channel"])
    )


def outbox_statuses(oauth_db, keys: list[str]) -> list[str]:
    with oauth_db.connect() as conn:
        return list(
            conn.scalars(
                select(OutboundMessage.status)
                .where(OutboundMessage.key.in_(keys))
                .order_by(OutboundMessage.id)
            )
        )
