"""The one way out to Slack: Slack's answers become our typed errors, and a message or
view Slack would refuse for its size never leaves the process."""

from __future__ import annotations

import pytest
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from bot.slack import limits
from bot.slack.errors import (
    NotDeliverableError,
    RateLimitedError,
    SlackRejectedError,
    SlackUnavailableError,
)
from bot.slack.gateway import SlackGateway
from tests.support import BOT_TOKEN, free_port


@pytest.fixture
def gateway(fake_slack) -> SlackGateway:
    return SlackGateway(BOT_TOKEN, fake_slack.url)


@pytest.fixture
def channel(gateway, fake_slack, new_id) -> str:
    user = new_id()
    fake_slack.add_user(user)
    return gateway.open_conversation([user])


def section(text: str = "hello") -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@pytest.mark.parametrize(
    ("answer", "error", "code"),
    [
        ("account_inactive", NotDeliverableError, "account_inactive"),
        ("channel_not_found", NotDeliverableError, "channel_not_found"),
        ("invalid_blocks", SlackRejectedError, "invalid_blocks"),
        ("missing_scope", SlackRejectedError, "missing_scope"),
    ],
)
def test_slacks_refusals_become_our_errors_with_slacks_code(
    gateway, channel, fake_slack, answer, error, code
):
    fake_slack.fail_next("chat.postMessage", answer)
    with pytest.raises(error) as refused:
        gateway.post_message(channel, "hi")
    assert (refused.value.method, refused.value.code) == ("chat.postMessage", code)
    assert refused.value.describe() == f"Slack answered chat.postMessage with {code}"


def test_a_429_is_rate_limited_with_its_retry_after(gateway, channel, fake_slack):
    fake_slack.rate_limit_next("chat.postMessage", retry_after=7)
    with pytest.raises(RateLimitedError) as limited:
        gateway.post_message(channel, "hi")
    assert limited.value.retry_after == 7
    assert gateway.limits.remaining("chat.postMessage") > 6  # every sender waits now


def test_a_5xx_on_a_post_is_unavailable_and_never_retried_blindly(gateway, channel, fake_slack):
    fake_slack.server_error_next("chat.postMessage", status=503)
    with pytest.raises(SlackUnavailableError) as failed:
        gateway.post_message(channel, "hi")
    assert failed.value.code.startswith(("http_503", "service_unavailable"))
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # the outbox decides


def test_a_5xx_on_a_look_up_is_retried(gateway, fake_slack, new_id):
    user = new_id()
    fake_slack.add_user(user)
    fake_slack.server_error_next("users.info", status=503)
    assert gateway.user(user).id == user
    assert len(fake_slack.calls_to("users.info")) == 2


def test_nobody_listening_is_unavailable_not_a_crash():
    gateway = SlackGateway(BOT_TOKEN, f"http://127.0.0.1:{free_port()}/api/")
    with pytest.raises(SlackUnavailableError) as failed:
        gateway.identity()
    assert failed.value.code == "connection"
    assert failed.value.describe().startswith("could not reach Slack for auth.test")


@pytest.mark.parametrize(
    ("blocks", "why"),
    [
        ([section()] * (limits.MESSAGE_BLOCKS + 1), "51 blocks; at most 50"),
        ([section("x" * 3001)], "block 0: text attribute cannot exceed 3000 characters"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "block 0"),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "a",
                            "text": {"type": "plain_text", "text": "Go"},
                            "value": "v" * 2001,
                        }
                    ],
                }
            ],
            "value attribute cannot exceed 2000 characters",
        ),
        ([{"type": "no_such_block"}], "block 0"),
    ],
)
def test_a_message_slack_would_refuse_never_leaves(gateway, channel, fake_slack, blocks, why):
    with pytest.raises(SlackRejectedError, match=why) as refused:
        gateway.post_message(channel, "hi", blocks)
    assert refused.value.code == "invalid_blocks"
    assert fake_slack.calls_to("chat.postMessage") == []


def test_a_message_at_the_limits_goes_out(gateway, channel, fake_slack):
    blocks = [section("x" * 3000)] + [section()] * (limits.MESSAGE_BLOCKS - 1)
    ts = gateway.post_message(channel, "hi", blocks)
    (posted,) = fake_slack.messages(channel)
    assert (posted["ts"], len(posted["blocks"])) == (ts, 50)


def test_a_view_with_a_block_slack_does_not_know_is_refused(gateway, fake_slack, new_id):
    user = new_id()
    fake_slack.add_user(user)
    with pytest.raises(SlackRejectedError, match="block 1: not a block"):
        gateway.publish_home(user, {"type": "home", "blocks": [{"type": "divider"}, {"type": "x"}]})
    assert fake_slack.calls_to("views.publish") == []


def test_a_view_slack_would_refuse_is_never_published(gateway, fake_slack, new_id):
    user = new_id()
    fake_slack.add_user(user)
    too_many = View(type="home", blocks=[SectionBlock(text="x")] * (limits.VIEW_BLOCKS + 1))
    with pytest.raises(SlackRejectedError) as refused:
        gateway.publish_home(user, too_many)
    assert refused.value.code == "invalid_arguments"
    gateway.publish_home(user, View(type="home", blocks=[SectionBlock(text="x")] * 100))
    assert len(fake_slack.calls_to("views.publish")) == 1
