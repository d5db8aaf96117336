"""The outbox: exactly-once delivery against a real database and the fake Slack."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services.outbox.delivery import LEASE, DeliveryService, Outgoing, enqueue
from bot.services.outbox.dm_channels import DmChannels
from bot.services.outbox.pacing import PostPacer
from bot.services.people.workspaces import ensure_workspace
from bot.slack.gateway import SlackGateway
from bot.slack.rate_limits import RateLimits
from bot.slack.workspaces import SlackWorkspaces
from models import OutboundMessage, OutboxStatus, Person
from tests.support import BOT_TOKEN


@pytest.fixture
def workspace_id(own_sessions, new_id, clock) -> int:
    with own_sessions.begin() as s:
        return ensure_workspace(s, new_id("T"), clock.now()).id


@pytest.fixture
def client(fake_slack) -> SlackGateway:
    # Production's gateway: its posts are never retried blindly, the outbox retries.
    return SlackGateway(BOT_TOKEN, fake_slack.url)


def group_dm(fake_slack, client: SlackGateway, new_id) -> str:
    """A real group DM on the fake, as a pair has."""
    users = [new_id(), new_id()]
    for user in users:
        fake_slack.add_user(user)
    return client.open_conversation(users)


@pytest.fixture
def channel(fake_slack, client, new_id) -> str:
    return group_dm(fake_slack, client, new_id)


def service(own_sessions, client: SlackGateway, **kwargs) -> DeliveryService:
    slack = SlackWorkspaces.of(client)
    dms = DmChannels(own_sessions, slack)
    return DeliveryService(own_sessions, slack, dms, PostPacer(workspace_per_second=1000), **kwargs)


def plan(own_sessions, workspace_id, clock, key: str, channel: str, **kwargs) -> bool:
    with own_sessions.begin() as s:
        return enqueue(
            s,
            workspace_id,
            Outgoing(
                key=key,
                kind="test",
                text=f"hello {key}",
                due_at=kwargs.pop("due_at", clock.now()),
                channel_id=channel,
                **kwargs,
            ),
            clock.now(),
        )


def row(own_sessions, key: str) -> OutboundMessage:
    with own_sessions() as s:
        return s.scalars(select(OutboundMessage).where(OutboundMessage.key == key)).one()


def posts_with_key(fake_slack, key: str) -> list[dict]:
    """Messages Slack accepted (not attempts) that carry this outbox key."""
    return [
        m
        for messages in fake_slack.all_messages().values()
        for m in messages
        if m.get("metadata", {}).get("event_payload", {}).get("key") == key
    ]


def test_planning_the_same_message_twice_keeps_one_row(own_sessions, workspace_id, clock, new_id):
    key = f"k-{new_id()}"
    assert plan(own_sessions, workspace_id, clock, key, "C1")
    assert not plan(own_sessions, workspace_id, clock, key, "C1")


def test_only_due_messages_go_out_with_their_key_in_the_metadata(
    own_sessions, client, fake_slack, workspace_id, clock, new_id, channel
):
    now_key, later_key = f"now-{new_id()}", f"later-{new_id()}"
    plan(own_sessions, workspace_id, clock, now_key, channel)
    plan(
        own_sessions,
        workspace_id,
        clock,
        later_key,
        channel,
        due_at=clock.now() + timedelta(days=1),
    )
    report = service(own_sessions, client).deliver_due(clock.now())
    assert report.sent >= 1
    (post,) = posts_with_key(fake_slack, now_key)
    assert post["metadata"]["event_type"] == "upward_outbox"
    assert posts_with_key(fake_slack, later_key) == []
    sent = row(own_sessions, now_key)
    assert sent.status == OutboxStatus.SENT
    assert sent.ts
    assert row(own_sessions, later_key).status == OutboxStatus.PENDING


def test_a_429_is_retried_after_retry_after(
    own_sessions, fake_slack, workspace_id, clock, new_id, channel
):
    key = f"k-{new_id()}"
    plan(own_sessions, workspace_id, clock, key, channel)
    fake_slack.rate_limit_next("chat.postMessage", retry_after=30)
    # The pause runs on the test's clock, as the outbox's retry time does.
    limits = RateLimits(monotonic=lambda: clock.now().timestamp(), jitter=lambda: 0.0)
    delivery = service(own_sessions, SlackGateway(BOT_TOKEN, fake_slack.url, limits))
    first = delivery.deliver_due(clock.now())
    assert first.rescheduled == 1
    waiting = row(own_sessions, key)
    assert waiting.status == OutboxStatus.PENDING
    assert waiting.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert not waiting.uncertain  # a 429 was not accepted: no history check needed
    assert delivery.deliver_due(clock.now() + timedelta(seconds=10)).sent == 0
    clock.advance(seconds=30)
    assert delivery.deliver_due(clock.now()).sent == 1
    assert len(posts_with_key(fake_slack, key)) == 1


def test_a_server_error_is_retried_after_checking_history(
    own_sessions, client, fake_slack, workspace_id, clock, new_id, channel
):
    key = f"k-{new_id()}"
    plan(own_sessions, workspace_id, clock, key, channel)
    fake_slack.server_error_next("chat.postMessage", status=500)
    delivery = service(own_sessions, client)
    assert delivery.deliver_due(clock.now()).rescheduled == 1
    assert row(own_sessions, key).uncertain
    later = clock.now() + timedelta(minutes=5)
    assert delivery.deliver_due(later).sent == 1
    assert fake_slack.calls_to("conversations.history")
    assert row(own_sessions, key).status == OutboxStatus.SENT


def test_a_crash_after_slack_accepted_never_posts_twice(
    own_sessions, client, fake_slack, workspace_id, clock, new_id, channel
):
    key = f"k-{new_id()}"
    plan(own_sessions, workspace_id, clock, key, channel)
    delivery = service(own_sessions, client)
    # A sender claims the row, posts, and dies before recording the answer.
    (claimed,) = [c for c in delivery._claim(clock.now())[0] if c.key == key]
    client.post_message(
        channel,
        claimed.text,
        metadata={"event_type": "upward_outbox", "event_payload": {"key": key}},
    )
    assert row(own_sessions, key).status == OutboxStatus.SENDING
    # Within the lease nobody touches it; after, the next sender finds it in history.
    assert delivery.deliver_due(clock.now() + LEASE / 2).found_already_sent == 0
    report = delivery.deliver_due(clock.now() + LEASE + timedelta(seconds=1))
    assert report.found_already_sent == 1
    assert len(posts_with_key(fake_slack, key)) == 1
    assert row(own_sessions, key).status == OutboxStatus.SENT


def test_a_crash_before_slack_saw_it_sends_it_once(
    own_sessions, client, fake_slack, workspace_id, clock, new_id, channel
):
    key = f"k-{new_id()}"
    plan(own_sessions, workspace_id, clock, key, channel)
    delivery = service(own_sessions, client)
    assert [c.key for c in delivery._claim(clock.now())[0] if c.key == key] == [key]
    report = delivery.deliver_due(clock.now() + LEASE + timedelta(seconds=1))
    assert report.sent >= 1
    assert len(posts_with_key(fake_slack, key)) == 1


def test_a_permanent_error_fails_the_message_and_reports_it(
    own_sessions, client, fake_slack, workspace_id, clock, new_id, channel
):
    key = f"k-{new_id()}"
    plan(own_sessions, workspace_id, clock, key, channel)
    fake_slack.fail_next("chat.postMessage", "is_archived")
    failures = []
    delivery = service(
        own_sessions, client, on_failure=lambda s, r, code, now: failures.append((r.key, code))
    )
    assert delivery.deliver_due(clock.now()).failed == 1
    assert failures == [(key, "is_archived")]
    failed = row(own_sessions, key)
    assert (failed.status, failed.last_error) == (OutboxStatus.FAILED, "is_archived")
    assert delivery.deliver_due(clock.now() + timedelta(hours=2)).sent == 0


def test_a_guard_cancels_what_is_no_longer_wanted(
    own_sessions, client, fake_slack, workspace_id, clock, new_id, channel
):
    key = f"k-{new_id()}"
    plan(own_sessions, workspace_id, clock, key, channel)
    delivery = service(
        own_sessions, client, guard=lambda s, rows: {r.id: "paused" for r in rows if r.key == key}
    )
    delivery.deliver_due(clock.now())
    assert row(own_sessions, key).status == OutboxStatus.CANCELLED
    assert posts_with_key(fake_slack, key) == []


def test_a_dm_is_opened_once_and_kept_on_the_person(
    own_sessions, client, fake_slack, workspace_id, clock, new_id, channel
):
    user = new_id()
    fake_slack.add_user(user)
    with own_sessions.begin() as s:
        from bot.services.people.workspaces import ensure_default_program
        from models import Workspace

        workspace = s.get(Workspace, workspace_id)
        program = ensure_default_program(s, workspace, clock.now())
        person = Person(
            workspace_id=workspace_id,
            program_id=program.id,
            slack_user_id=user,
            role="mentor",
            joined_at=clock.now(),
            updated_at=clock.now(),
        )
        s.add(person)
        s.flush()
        person_id = person.id
        for n in range(2):
            enqueue(
                s,
                workspace_id,
                Outgoing(
                    key=f"dm-{user}-{n}",
                    kind="test",
                    text="hi",
                    due_at=clock.now(),
                    user_id=user,
                    person_id=person_id,
                ),
                clock.now(),
            )
    service(own_sessions, client, workers=1).deliver_due(clock.now())
    dm_opens = [c for c in fake_slack.calls_to("conversations.open") if c.args["users"] == user]
    assert len(dm_opens) == 1
    with own_sessions() as s:
        assert s.get(Person, person_id).dm_channel_id is not None


def test_two_senders_at_once_post_each_message_once(
    own_sessions, client, fake_slack, workspace_id, clock, new_id, channel
):
    keys = [f"many-{new_id()}-{n}" for n in range(60)]
    for key in keys:
        plan(own_sessions, workspace_id, clock, key, group_dm(fake_slack, client, new_id))
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        service(own_sessions, client).deliver_due(clock.now())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for key in keys:
        assert len(posts_with_key(fake_slack, key)) == 1, key
        assert row(own_sessions, key).status == OutboxStatus.SENT


def test_the_pacer_keeps_one_message_per_second_per_channel():
    clock = [0.0]
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    pacer = PostPacer(workspace_per_second=100, monotonic=lambda: clock[0], sleep=sleep)
    for _ in range(3):
        pacer.acquire("C1")
    assert clock[0] == pytest.approx(2.0)
    before = clock[0]
    pacer.acquire("C2")  # another channel is not held up
    assert clock[0] == before


def test_the_pacer_keeps_the_workspace_under_its_ceiling():
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    pacer = PostPacer(workspace_per_second=20, monotonic=lambda: clock[0], sleep=sleep)
    for n in range(52):
        pacer.acquire(f"C{n}")
    # 2 in the initial burst (a tenth of a second's worth), then 20 a second.
    assert clock[0] == pytest.approx(2.5, abs=0.01)


class PausedClock:
    """A fake monotonic clock, and a 429's pause on chat.postMessage that starts when
    the clock passes ``starts`` and runs until ``ends``."""

    def __init__(self, starts: float, ends: float) -> None:
        self.now, self.starts, self.ends = 0.0, starts, ends
        self.sent: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def paused(self) -> float:
        return self.ends - self.now if self.starts <= self.now < self.ends else 0.0

    def pacer(self, per_second: float) -> PostPacer:
        return PostPacer(
            per_second, monotonic=lambda: self.now, sleep=self.sleep, paused=self.paused
        )


def test_after_a_pause_the_pacer_spaces_messages_from_its_end_without_a_burst():
    time = PausedClock(starts=0.0, ends=3.0)  # idle until a pause of 3 s: a burst is due
    pacer = time.pacer(100)  # 100/s: a burst of 10 after idle time
    for n in range(5):
        pacer.acquire(f"C{n}")
        time.sent.append(time.now)
    assert time.sent == pytest.approx([3.0, 3.01, 3.02, 3.03, 3.04])


def test_a_pause_that_starts_while_a_sender_waits_for_its_slot_is_waited_out_first():
    time = PausedClock(starts=0.5, ends=3.0)
    pacer = time.pacer(1)  # one a second: the second message's slot is at 1.0
    pacer.acquire("C1")
    pacer.acquire("C2")  # its slot falls inside the pause: it takes one after the pause
    assert time.now == pytest.approx(3.0)
    pacer.acquire("C3")
    assert time.now == pytest.approx(4.0)


@pytest.mark.parametrize("fault", ["500", "dropped"])
def test_slack_accepted_but_the_answer_was_lost_posts_once(
    own_sessions, client, fake_slack, workspace_id, clock, new_id, channel, fault
):
    key = f"k-{new_id()}"
    plan(own_sessions, workspace_id, clock, key, channel)
    if fault == "500":
        fake_slack.accept_then_fail_next("chat.postMessage", status=500)
    else:
        fake_slack.accept_then_drop_next("chat.postMessage")
    delivery = service(own_sessions, client)
    assert delivery.deliver_due(clock.now()).rescheduled == 1
    assert len(posts_with_key(fake_slack, key)) == 1  # Slack has it already
    report = delivery.deliver_due(clock.now() + timedelta(minutes=5))
    assert report.found_already_sent == 1
    assert len(posts_with_key(fake_slack, key)) == 1
    assert row(own_sessions, key).status == OutboxStatus.SENT


def test_the_outbox_respects_the_pause_and_sends_the_refused_message_once(
    own_sessions, fake_slack, workspace_id, clock, new_id
):
    client = SlackGateway(BOT_TOKEN, fake_slack.url)
    channels = [group_dm(fake_slack, client, new_id) for _ in range(3)]
    keys = [f"k-{new_id()}" for _ in channels]
    for key, channel in zip(keys, channels, strict=True):
        plan(own_sessions, workspace_id, clock, key, channel)
    fake_slack.rate_limit_next("chat.postMessage", retry_after=1)
    # One worker, so the posts are in order and each starts after the last was answered.
    delivery = service(own_sessions, client, workers=1)
    report = delivery.deliver_due(clock.now())
    assert (report.sent, report.rescheduled) == (2, 1)
    refused, *others = fake_slack.calls_to("chat.postMessage")
    assert all(call.at - refused.at >= 1.0 for call in others)
    waiting = row(own_sessions, keys[0])
    assert waiting.status == OutboxStatus.PENDING
    assert waiting.next_attempt_at == clock.now() + timedelta(seconds=1)
    assert delivery.deliver_due(clock.now() + timedelta(seconds=1)).sent == 1
    assert [len(posts_with_key(fake_slack, key)) for key in keys] == [1, 1, 1]
