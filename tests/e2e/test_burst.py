"""Launch day: many people join at once. No ack waits on Slack's pace, every modal opens,
`/mentor help` still answers, and every welcome goes out exactly once, at Slack's pace.

The pace is the app's own SLACK_POST_RATE: the default, and one so slow that a single
ack waiting on it would take seconds. (bench/join_burst.py measures the same at scale.)
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from models import OutboundMessage, Person
from tests.support import TEAM_ID, app_env, free_port, start_app
from tests.support.polling import wait_until
from tests.support.slack_requests import SlackSender, join_values

SLACK_GIVES_UP = 3.0


def welcome_keys(fake_slack) -> Counter[str]:
    """How many times each welcome reached Slack, by its outbox key."""
    keys = (
        m.get("metadata", {}).get("event_payload", {}).get("key", "")
        for messages in fake_slack.all_messages().values()
        for m in messages
    )
    return Counter(k for k in keys if k.startswith("welcome:"))


@pytest.mark.parametrize(("post_rate", "people", "clients"), [("10", 100, 25), ("0.5", 30, 15)])
def test_a_burst_of_joins_never_waits_on_slacks_pace(
    own_url, own_sessions, fake_slack, tmp_path, post_rate, people, clients
):
    env = app_env(own_url, fake_slack.url, free_port(), SLACK_POST_RATE=post_rate)
    app = start_app(env, tmp_path / "app.log")
    slack = SlackSender(app.base_url, fake_slack, TEAM_ID)
    users = [f"UBURST{i:05d}" for i in range(people)]
    for user in [*users, "UPROBE0001"]:
        fake_slack.add_user(user)
    acks: list[float] = []
    probe: list[float] = []
    done = threading.Event()

    def timed(send, into: list[float]) -> None:
        started = time.monotonic()
        response = send()
        into.append(time.monotonic() - started)
        assert response.status_code == 200, response.text
        assert "went wrong" not in response.text

    def join(user: str) -> None:
        timed(lambda: slack.command(user, "join"), acks)
        timed(lambda: slack.view_submission(user, "upward_join", join_values()), acks)

    def help_probe() -> None:
        while not done.is_set():
            timed(lambda: slack.command("UPROBE0001", "help"), probe)
            time.sleep(0.05)

    try:
        prober = threading.Thread(target=help_probe)
        prober.start()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(join, users))
        done.set()
        prober.join()

        assert len(acks) == 2 * people
        assert max(acks) < SLACK_GIVES_UP, sorted(acks)[-5:]
        assert probe
        assert max(probe) < SLACK_GIVES_UP, sorted(probe)[-5:]
        stats = fake_slack.stats
        assert (stats.modals_opened, stats.triggers_expired) == (people, 0)
        with own_sessions() as s:
            assert s.scalar(select(func.count()).select_from(Person)) == people
            planned = s.scalar(select(func.count()).where(OutboundMessage.key.like("welcome:%")))
        assert planned == people  # every welcome is planned before anyone waits for it
        if post_rate == "10":
            # At the default pace they all go out within seconds, each exactly once.
            sent = wait_until(lambda: len(welcome_keys(fake_slack)) == people, timeout=60)
            assert sent, f"{len(welcome_keys(fake_slack))} of {people} welcomes sent"
        counts = welcome_keys(fake_slack)
        assert all(n == 1 for n in counts.values()), counts.most_common(3)
    finally:
        done.set()
        app.stop()
    log = app.log()
    assert "Traceback" not in log
    assert " ERROR " not in log
