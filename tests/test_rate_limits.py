"""A 429 pauses that method for the workspace: no call of it goes out before Retry-After
has passed, from any sender, and the refused message is sent later, exactly once."""

from __future__ import annotations

import threading

import pytest
from slack_sdk.errors import SlackApiError

from bot.background import mark_request_thread
from bot.gateway import make_web_client
from bot.rate_limits import GatedWebClient, RateLimits
from bot.slack_errors import SlackPausedError, describe_slack_failure
from tests.conftest import BOT_TOKEN
from tests.test_delivery import group_dm


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


def test_a_request_thread_is_refused_at_once_instead_of_waiting():
    time = FakeTime()
    limits = RateLimits(time.monotonic, time.sleep, jitter=lambda: 0.0)
    limits.pause("views.open", 5)
    error = on_request_thread(lambda: limits.wait("views.open"))
    assert isinstance(error, SlackPausedError)
    assert error.seconds == pytest.approx(5)
    assert time.slept == []


def gated(fake_slack, limits: RateLimits) -> GatedWebClient:
    return GatedWebClient(
        token=BOT_TOKEN, base_url=fake_slack.url, timeout=5, retry_handlers=[], limits=limits
    )


def test_after_a_429_no_call_of_that_method_goes_out_before_retry_after(fake_slack, new_id):
    limits = RateLimits()
    client = gated(fake_slack, limits)
    other = gated(fake_slack, limits)  # another sender in the same process
    channels = [group_dm(fake_slack, client, new_id) for _ in range(2)]
    fake_slack.rate_limit_next("chat.postMessage", retry_after=1)
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel=channels[0], text="first")
    assert refused.value.response.status_code == 429
    other.chat_postMessage(channel=channels[1], text="second")  # waits out the pause
    first, second = fake_slack.calls_to("chat.postMessage")
    assert second.at - first.at >= 1.0
    assert describe_slack_failure(refused.value) == (
        "Slack answered chat.postMessage with ratelimited (HTTP 429), retry after 1 s"
    )


def test_a_paused_method_on_a_request_thread_is_a_429_without_calling_slack(fake_slack, new_id):
    limits = RateLimits()
    client = gated(fake_slack, limits)
    channel = group_dm(fake_slack, client, new_id)
    fake_slack.rate_limit_next("chat.postMessage", retry_after=30)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel=channel, text="refused")
    error = on_request_thread(lambda: client.chat_postMessage(channel=channel, text="again"))
    assert isinstance(error, SlackApiError)
    assert error.response.status_code == 429
    assert error.response["error"] == "ratelimited"
    assert int(error.response.headers["Retry-After"][0]) in (30, 31)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # Slack never saw the second


def test_the_apps_client_retries_after_the_pause_while_other_threads_wait(fake_slack, new_id):
    """The client Bolt and the gateway use: its retry handler records the pause for
    everyone, waits it out and tries again; a second thread meanwhile waits too."""
    client = make_web_client(BOT_TOKEN, fake_slack.url)
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
