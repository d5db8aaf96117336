"""Two replicas on one Postgres, under load and faults: every message exactly once, and
the workspace's pace shared between them, so Slack's ceiling never refuses a post.

Each replica's tick is a process of its own (bench/soak_replica.py: the scheduler's
``build_services(...).due.run_due(instant)``), with its own engine, pacer and Slack
clients; both tick at every step of a virtual clock, against a fake Slack that holds
chat.postMessage to 20 a second for the workspace (a burst of 4) and fails 5% of all
calls (a 429 with Retry-After, a 5xx, or done and then answered 500 or not at all). One
replica is SIGKILLed in the middle of a fan-out. Each replica alone paces at 15 a second,
so two that did not share the pace would go over the ceiling in any fan-out both work on.

A 429's pause holds both replicas, and the posts after it are spaced from its end: were
the senders waiting for it to post together when it ends, more at once than this
ceiling's burst, the ceiling would refuse them. bench/soak.py runs all of this for a
whole program of 2,000 people.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bench.soak import check, database_url_from, new_fake, replicas_running, scratch_database, seed
from bot.db import migrate

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="TEST_DATABASE_URL is not set: replicas share their work through Postgres",
)

CEILING = 20.0  # the workspace's chat.postMessage limit at the fake Slack, a second
POST_RATE = 15.0  # each replica's SLACK_POST_RATE: its burst fits the ceiling's
PAIRS = 80  # Thursday: 160 check-ins and 80 nudges at once, more than one claim's batch
SEED = 3
FAULTS = ("rate_limited", "server_error", "accepted_then_failed", "accepted_then_dropped")


def test_two_replicas_send_each_message_once_within_the_ceiling_despite_faults_and_a_kill(
    tmp_path,
):
    base_url = database_url_from(None)
    fake = new_fake(CEILING)
    rng = random.Random(SEED)
    try:
        with scratch_database(base_url, f"upward_replicas_{os.getpid()}") as url:
            migrate(url)
            # Everyone in London: a week's messages fall due at the same instants.
            seeded = seed(url, fake, 2 * PAIRS, 1, rng, zones=("Europe/London",))
            monday = datetime.combine(seeded.first_monday, datetime.min.time(), UTC)
            thursday_evening = monday + timedelta(days=3, hours=18)
            with replicas_running(
                url, fake, tmp_path, count=2, post_rate=POST_RATE, rng=rng, with_server=False
            ) as run:
                fake.set_chaos(0.05, seed=SEED, faults=FAULTS)
                # The kill lands in Thursday's fan-out, the one step with 2 * PAIRS due.
                run.run(monday - timedelta(hours=18), thursday_evening, [monday], big=2 * PAIRS)
                run.catch_up(thursday_evening)
                fake.set_chaos(0)
                killed = sum(replica.kills for replica in run.replicas)
                found = check(url, fake, seeded, run.steps)
                pace = fake.post_pace()
                stats = fake.stats
    finally:
        fake.stop()

    assert killed == 1, "the kill must land while a replica is sending"
    assert stats.chaos_rate_limited > 0
    assert stats.chaos_server_errors + stats.chaos_replies_lost > 0
    # Every message exactly once: Monday's prompts, Thursday's check-ins and nudges.
    assert found.examples == ()
    assert found.duplicates == 0
    assert (found.not_sent, found.missing, found.weeks_without_prompt) == (0, 0, 0)
    assert found.unknown == 0
    # Each person's "before" self-assessment too: they joined days before the run.
    assert found.posted == Counter(
        prompt=PAIRS, checkin=2 * PAIRS, reminder=PAIRS, assessment=2 * PAIRS
    )
    assert found.outside_hours == 0
    # The pace was the workspace's, not each replica's: the ceiling never refused a post,
    # and in no second did the fake see more posts tried than its bucket lets through (a
    # full burst and a second's rate), not even as a pause ended. Two replicas pacing alone
    # are refused dozens of times here, and senders that all go when a pause ends are too.
    assert pace.refused_workspace == 0, pace
    assert pace.most_allowed == CEILING + 4
    assert pace.busiest_tried <= pace.most_allowed, pace
    assert pace.accepted == 6 * PAIRS
