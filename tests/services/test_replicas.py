"""What replicas share through the database (bot/replicas.py). Each "replica" here is an
engine of its own, as a second process would have: nothing is shared in memory."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import make_engine
from bot.replicas import Replicas, SharedPauses, SharedPostPace
from bot.slack.rate_limits import RateLimits


@pytest.fixture
def two_engines(own_url):
    engines = [make_engine(own_url), make_engine(own_url)]
    yield engines
    for engine in engines:
        engine.dispose()


def postgres_only(engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("replicas share the post pace and the planning lock on Postgres")


def test_an_event_is_handled_once_whichever_replica_gets_it(two_engines):
    first, second = (Replicas(engine) for engine in two_engines)
    assert first.first_delivery("Ev0AAA0001") is True
    assert second.first_delivery("Ev0AAA0001") is False  # Slack's retry, to the other
    assert first.first_delivery("Ev0AAA0001") is False
    assert second.first_delivery("Ev0AAA0002") is True


def test_seen_events_are_forgotten_after_a_day(two_engines):
    now = datetime(2027, 3, 1, 9, tzinfo=UTC)
    replicas = Replicas(two_engines[0], wall=lambda: now)
    replicas.first_delivery("Ev0OLD0001")
    later = Replicas(two_engines[0], wall=lambda: now + timedelta(days=2))
    assert later.forget_events(timedelta(days=1)) == 1
    assert later.first_delivery("Ev0OLD0001") is True  # no longer remembered


def test_a_pause_from_one_replica_holds_on_the_other(two_engines):
    mine, theirs = (SharedPauses(engine) for engine in two_engines)
    limits = RateLimits(shared=theirs)
    assert limits.remaining("views.open") == 0
    mine.record("views.open", 30)
    # The other replica's copy is at most a second old: a fresh one reads it at once.
    fresh = RateLimits(shared=SharedPauses(two_engines[1]))
    assert 28 < fresh.remaining("views.open") <= 30
    assert fresh.remaining("chat.postMessage") == 0
    time.sleep(1.1)  # the first copy refreshes
    assert 27 < limits.remaining("views.open") <= 30


def test_a_shorter_pause_never_shortens_a_longer_one(two_engines):
    pauses = SharedPauses(two_engines[0])
    pauses.record("users.info", 60)
    pauses.record("users.info", 5)
    assert 55 < SharedPauses(two_engines[1]).remaining("users.info") <= 60


def test_two_replicas_post_at_one_pace(two_engines):
    """Four senders on two engines take 80 slots at 20 a second: the slots they are given
    span the time 80 messages take at 20/s (less the small burst), not half of it, as two
    per-process pacers would allow."""
    postgres_only(two_engines[0])
    rate, n_each = 20.0, 20
    slots: list[float] = []
    lock = threading.Lock()

    def sender(pace: SharedPostPace) -> None:
        for _ in range(n_each):
            at = time.monotonic() + pace.reserve(interval, tolerance)  # when it may go
            with lock:
                slots.append(at)

    interval, tolerance = 1 / rate, (rate / 5 - 1) / rate  # a burst of a fifth of a second
    paces = [SharedPostPace(engine, scope="pace-test") for engine in two_engines]
    threads = [threading.Thread(target=sender, args=(pace,)) for pace in paces for _ in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slots.sort()
    burst = max(1.0, rate / 5)
    assert len(slots) == 4 * n_each
    assert slots[-1] - slots[0] >= (len(slots) - burst - 1) / rate * 0.95
    # And no one-second window holds more than the pace and its burst.
    for i, start in enumerate(slots):
        within = sum(1 for s in slots[i:] if s < start + 1.0)
        assert within <= rate + burst + 1


def test_the_first_messages_of_a_new_pace_go_at_once_as_a_burst(two_engines):
    postgres_only(two_engines[0])
    pace = SharedPostPace(two_engines[0], scope="first-burst")
    waits = [pace.reserve(0.05, 0.15) for _ in range(5)]  # a burst of 4 is 3 intervals early
    assert waits[:4] == [0.0] * 4 or max(waits[:4]) < 0.01, waits
    assert 0.02 < waits[4] <= 0.05, waits


def test_a_429_on_posting_moves_every_replicas_next_slot_past_it(two_engines):
    postgres_only(two_engines[0])
    SharedPauses(two_engines[0], scope="pause-test").record("chat.postMessage", 5)
    wait = SharedPostPace(two_engines[1], scope="pause-test").reserve(0.02, 0.1)
    assert 4.5 < wait <= 5.1


def test_after_a_429_every_replicas_slots_are_spaced_from_the_pause_end(two_engines):
    """No burst when a pause ends, though the pace was idle through it: the first slot is
    the pause's end, each next one an interval later, whichever replica takes it."""
    postgres_only(two_engines[0])
    SharedPauses(two_engines[0], scope="after-pause").record("chat.postMessage", 0.5)
    paces = [SharedPostPace(engine, scope="after-pause") for engine in two_engines]
    waits = [paces[n % 2].reserve(0.02, 0.1) for n in range(6)]
    assert waits[0] > 0.4
    gaps = [later - earlier for earlier, later in itertools.pairwise(waits)]
    # Each reserve also takes a little real time, so a wait is a little less than the
    # one before plus an interval; a burst would be a gap near -0.02.
    assert all(0.0 < gap <= 0.02 for gap in gaps), gaps


def test_one_replica_plans_at_a_time(two_engines):
    postgres_only(two_engines[0])
    first, second = (Replicas(engine) for engine in two_engines)
    with first.exclusive("plan") as mine:
        assert mine is True
        with second.exclusive("plan") as theirs:
            assert theirs is False  # planning is under way elsewhere: skip it this tick
        with second.exclusive("prune") as other_job:
            assert other_job is True  # a different job is not held up
    with second.exclusive("plan") as theirs:
        assert theirs is True  # released at the end


def test_a_deployment_in_another_schema_of_the_same_database_is_not_held_up(
    two_engines, migrated_url
):
    """Advisory locks are database-wide; the schema is part of the key."""
    postgres_only(two_engines[0])
    elsewhere = make_engine(migrated_url)  # the session's schema, not this test's
    try:
        with Replicas(two_engines[0]).exclusive("plan") as mine:
            assert mine is True
            with Replicas(elsewhere).exclusive("plan") as theirs:
                assert theirs is True
            with Replicas(two_engines[1]).exclusive("plan") as same_schema:
                assert same_schema is False
    finally:
        elsewhere.dispose()


def test_the_heartbeat_is_real_time_and_any_replicas(two_engines):
    first, second = (Replicas(engine) for engine in two_engines)
    assert second.last_beat() is None
    before = datetime.now(UTC)
    first.beat()
    seen = second.last_beat()
    assert seen is not None
    assert before - timedelta(seconds=1) <= seen <= datetime.now(UTC) + timedelta(seconds=1)
