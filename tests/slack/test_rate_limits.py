"""A 429 pauses that method for the workspace: no call of it goes out before Retry-After
has passed, from any sender, and the refused message is sent later, exactly once."""

from __future__ import annotations

import threading

import pytest

from bot.background import mark_request_thread
from bot.slack.errors import PAUSED, RateLimitedError, describe_slack_failure
from bot.slack.gateway import SlackGateway
from bot.slack.rate_limits import RateLimits
from tests.services.test_delivery import group_dm
from tests.support import BOT_TOKEN


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def on_request_thread(job):
    """Run ``job`` on a thread marked as serving a request; return what it raised."""
    raised: list[BaseException] = []

    def run() -> None:
        mark_request_thread()
        try:
            job()
        except BaseException as error:  # handed back to the test
            raised.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return raised[0] if raised else None


def test_a_pause_holds_the_method_for_retry_after_plus_jitter():
    time = FakeTime()
    limits = RateLimits(time.monotonic, time.sleep, jitter=lambda: 0.1)
    limits.pause("chat.postMessage", 2)
    limits.wait("views.publish")  # other methods are not paused
    assert time.slept == []
    limits.wait("chat.postMessage")
    assert sum(time.slept) == pytest.approx(2.1)
    assert limits.remaining("chat.postMessage") == 0


def test_a_shorter_429_never_shortens_a_pause():
    time = FakeTime()
    limits = RateLimits(time.monotonic, time.sleep, jitter=lambda: 0.0)
    limits.pause("chat.postMessage", 10)
    limits.pause("chat.postMessage", 1)
    assert limits.remaining("chat.postMessage") == pytest.approx(10)


def test_the_shared_pause_includes_the_jitter_and_each_extension():
    class Recorded:
        def __init__(self) -> None:
            self.pauses: list[tuple[str, float]] = []

        def record(self, method: str, seconds: float) -> None:
            self.pauses.append((method, seconds))

        def remaining(self, method: str) -> float:
            return 0.0

    time, shared = FakeTime(), Recorded()
    limits = RateLimits(time.monotonic, time.sleep, jitter=lambda: 0.2, shared=shared)
    limits.pause("chat.postMessage", 2)
    limits.pause("chat.postMessage", 1)  # inside the first: nothing new to share
    limits.pause("chat.postMessage", 5)  # longer: every replica must hold it
    assert shared.pauses == [("chat.postMessage", 2.2), ("chat.postMessage", 5.2)]


def test_a_request_thread_is_refused_at_once_instead_of_waiting():
    time = FakeTime()
    limits = RateLimits(time.monotonic, time.sleep, jitter=lambda: 0.0)
    limits.pause("views.open", 5)
    error = on_request_thread(lambda: limits.wait("views.open"))
    assert isinstance(error, RateLimitedError)
    assert (error.code, error.retry_after) == (PAUSED, pytest.approx(5))
    assert time.slept == []


def gated(fake_slack, limits: RateLimits) -> SlackGateway:
    return SlackGateway(BOT_TOKEN, fake_slack.url, limits)


def test_after_a_429_no_call_of_that_method_goes_out_before_retry_after(fake_slack, new_id):
    limits = RateLimits()
    client = gated(fake_slack, limits)
    other = gated(fake_slack, limits)  # another sender in the same process
    channels = [group_dm(fake_slack, client, new_id) for _ in range(2)]
    fake_slack.rate_limit_next("chat.postMessage", retry_after=1)
    with pytest.raises(RateLimitedError) as refused:
        client.post_message(channels[0], "first")  # posts are never retried blindly
    assert refused.value.retry_after == 1
    other.post_message(channels[1], "second")  # waits out the pause
    first, second = fake_slack.calls_to("chat.postMessage")
    assert second.at - first.at >= 1.0
    assert describe_slack_failure(refused.value) == (
        "Slack answered chat.postMessage with ratelimited, retry after 1 s"
    )


def test_a_paused_method_on_a_request_thread_is_a_429_without_calling_slack(fake_slack, new_id):
    limits = RateLimits()
    client = gated(fake_slack, limits)
    channel = group_dm(fake_slack, client, new_id)
    fake_slack.rate_limit_next("chat.postMessage", retry_after=30)
    with pytest.raises(RateLimitedError):
        client.post_message(channel, "refused")
    error = on_request_thread(lambda: client.post_message(channel, "again"))
    assert isinstance(error, RateLimitedError)
    assert error.code == PAUSED
    assert 29 < error.retry_after <= 30.5
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # Slack never saw the second


def test_the_apps_client_retries_after_the_pause_while_other_threads_wait(fake_slack, new_id):
    """The client Bolt and the gateway's look-ups use: its retry handler records the pause
    for everyone, waits it out and tries again; a second thread meanwhile waits too."""
    client = SlackGateway(BOT_TOKEN, fake_slack.url).bolt_client
    user = new_id()
    fake_slack.add_user(user)
    fake_slack.rate_limit_next("users.info", retry_after=1)
    second = threading.Thread(target=lambda: client.users_info(user=user))
    first = threading.Thread(target=lambda: client.users_info(user=user))
    first.start()
    fake_slack.wait_for("users.info")  # the 429 is answered
    second.start()
    first.join()
    second.join()
    refused, *after = fake_slack.calls_to("users.info")
    assert len(after) == 2
    assert all(call.at - refused.at >= 1.0 for call in after)
