"""The fake Slack, driven by the real slack_sdk clients the app uses.

A call that succeeds here proves the allowlists cover what slack_sdk really sends; a call that
fails proves the fake is as strict as Slack where the app could get it wrong.
"""

import base64
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, HeaderBlock, SectionBlock
from slack_sdk.models.metadata import Metadata
from slack_sdk.models.views import View
from slack_sdk.webhook import WebhookClient

from bot.sandbox.fakeslack import FakeSlack, Stats, server

TS = re.compile(r"^\d{10}\.\d{6}$")
ALICE, BOB, CAROL = "U0ALICE01", "U0BOB0001", "U0CAROL01"


@pytest.fixture
def fake():
    with FakeSlack() as slack:
        slack.add_user(ALICE, email="alice@example.com", real_name="Alice A", title="CTO")
        slack.add_user(BOB, tz="Europe/Paris")
        slack.add_user(CAROL)
        yield slack


@pytest.fixture
def client(fake):
    # Bolt builds each listener's client with team_id, so every call carries it.
    return WebClient(token=fake.token, base_url=fake.url, team_id=fake.team_id)


@pytest.fixture
def bare_client(fake):
    """A client without slack_sdk's default ConnectionErrorRetryHandler: every reply shows."""
    return WebClient(token=fake.token, base_url=fake.url, team_id=fake.team_id, retry_handlers=[])


def slack_error(call, *args, **kwargs) -> SlackApiError:
    with pytest.raises(SlackApiError) as raised:
        call(*args, **kwargs)
    return raised.value


def modal(title="Check-in", **extra):
    return View(
        type="modal",
        callback_id="checkin",
        title=title,
        submit="Send",
        blocks=[SectionBlock(text="How did it go?")],
        **extra,
    )


# -- what the app calls, as slack_sdk sends it


def test_auth_test_names_the_bot_and_team(fake, client):
    answer = client.auth_test()

    assert answer["team_id"] == fake.team_id
    assert answer["user_id"] == fake.bot_user_id
    assert answer["bot_id"] == fake.bot_id
    assert fake.calls_to("auth.test")[0].headers["Authorization"] == f"Bearer {fake.token}"


def test_users_info_answers_from_the_directory(client):
    user = client.users_info(user=BOB)["user"]

    now = datetime.now(ZoneInfo("Europe/Paris"))
    assert user["id"] == BOB
    assert user["tz"] == "Europe/Paris"
    assert user["tz_offset"] == now.utcoffset().total_seconds()
    assert user["tz_label"] == now.tzname()
    assert not user["deleted"]
    assert not user["is_admin"]
    assert slack_error(client.users_info, user="U0NOBODY1").response["error"] == "user_not_found"


def test_users_lookup_by_email(client):
    user = client.users_lookupByEmail(email="Alice@Example.com")["user"]

    assert user["id"] == ALICE
    assert user["profile"]["email"] == "alice@example.com"
    assert user["profile"]["real_name"] == "Alice A"
    assert user["profile"]["title"] == "CTO"
    error = slack_error(client.users_lookupByEmail, email="nobody@example.com")
    assert error.response["error"] == "users_not_found"


def test_conversations_open_gives_stable_ids(fake, client):
    dm = client.conversations_open(users=[ALICE])
    again = client.conversations_open(users=ALICE)
    group = client.conversations_open(users=[CAROL, BOB])

    assert dm["channel"]["id"].startswith("D")
    assert again["channel"]["id"] == dm["channel"]["id"]
    assert again["already_open"]
    assert group["channel"]["id"].startswith("G")
    assert client.conversations_open(users=[BOB, CAROL])["channel"]["id"] == group["channel"]["id"]
    assert fake.conversations_opened == {
        dm["channel"]["id"]: (ALICE,),
        group["channel"]["id"]: (BOB, CAROL),
    }


def test_post_update_and_read_back_with_metadata(client):
    channel = client.conversations_open(users=ALICE)["channel"]["id"]
    blocks = [
        HeaderBlock(text="Week 3"),
        SectionBlock(text="*Prompt:* teach me one shortcut"),
        ActionsBlock(elements=[ButtonElement(text="Done", action_id="done", value="3")]),
    ]
    metadata = Metadata(event_type="prompt_sent", event_payload={"week": 3})

    posted = client.chat_postMessage(
        channel=channel, text="Week 3", blocks=blocks, metadata=metadata, unfurl_links=False
    )
    client.chat_postMessage(channel=channel, text="second")
    updated = client.chat_update(
        channel=channel,
        ts=posted["ts"],
        text="Week 3 (done)",
        blocks=[SectionBlock(text="Done, thanks!")],
        metadata=metadata,
        reply_broadcast=False,
        file_ids=["F0FILE0001"],
    )
    history = client.conversations_history(channel=channel, include_all_metadata=True)
    without_metadata = client.conversations_history(channel=channel)

    assert posted["channel"] == channel
    assert TS.match(posted["ts"])
    assert posted["message"]["text"] == "Week 3"
    assert posted["message"]["blocks"][0]["type"] == "header"
    assert posted["message"]["metadata"] == metadata.to_dict()
    assert posted["message"]["bot_id"]
    assert updated["message"]["text"] == "Week 3 (done)"
    newest, oldest = history["messages"]
    assert newest["text"] == "second"
    assert float(newest["ts"]) > float(oldest["ts"])
    assert oldest["ts"] == posted["ts"]
    assert oldest["blocks"] == [SectionBlock(text="Done, thanks!").to_dict()]
    assert oldest["metadata"] == {"event_type": "prompt_sent", "event_payload": {"week": 3}}
    assert "metadata" not in without_metadata["messages"][1]


def test_concurrent_posts_get_distinct_increasing_ts(fake, client):
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(
                lambda i: client.chat_postMessage(channel="C0GENERAL1", text=str(i)), range(24)
            )
        )

    stamps = [answer["ts"] for answer in answers]
    history = client.conversations_history(channel="C0GENERAL1")["messages"]
    assert len(set(stamps)) == 24
    assert [m["ts"] for m in history] == sorted(stamps, reverse=True)


def test_post_ephemeral(client):
    answer = client.chat_postEphemeral(channel="C0GENERAL1", user=ALICE, text="Only you")

    assert TS.match(answer["message_ts"])


def test_long_text_is_truncated_not_rejected(fake, client):
    answer = client.chat_postMessage(channel="C0GENERAL1", text="x" * 40_001)

    assert len(answer["message"]["text"]) == 40_000


def test_form_encoded_json_arguments_are_decoded(fake, client):
    blocks = [{"type": "divider"}]
    client.api_call(
        "chat.postMessage",
        params={"channel": "C0GENERAL1", "text": "hi", "blocks": json.dumps(blocks)},
    )

    assert fake.calls_to("chat.postMessage")[0].args["blocks"] == blocks


def test_views_open_exchanges_a_fresh_trigger_once(fake, client):
    trigger_id = fake.new_trigger_id()

    view = client.views_open(trigger_id=trigger_id, view=modal())["view"]

    assert re.match(r"^\d+\.\d+\.[0-9a-f]+$", trigger_id)
    assert view["id"].startswith("V")
    assert view["hash"]
    assert view["callback_id"] == "checkin"
    error = slack_error(client.views_open, trigger_id=trigger_id, view=modal())
    assert error.response["error"] == "exchanged_trigger_id"
    error = slack_error(client.views_open, trigger_id="1.2.abc", view=modal())
    assert error.response["error"] == "invalid_trigger_id"


def test_views_open_rejects_an_expired_trigger(fake, client, monkeypatch):
    monkeypatch.setattr(server, "TRIGGER_TTL", 0.0)

    error = slack_error(client.views_open, trigger_id=fake.new_trigger_id(), view=modal())

    assert error.response["error"] == "expired_trigger_id"


def test_views_update_checks_the_hash(fake, client):
    opened = client.views_open(trigger_id=fake.new_trigger_id(), view=modal())["view"]

    updated = client.views_update(
        view_id=opened["id"], hash=opened["hash"], view=modal(title="Saved")
    )["view"]

    assert updated["id"] == opened["id"]
    assert updated["title"]["text"] == "Saved"
    error = slack_error(client.views_update, view_id=opened["id"], hash="1.stale", view=modal())
    assert error.response["error"] == "hash_conflict"


def test_views_publish_home(client):
    home = View(type="home", blocks=[SectionBlock(text="Your mentor: <@U0BOB0001>")])

    first = client.views_publish(user_id=ALICE, view=home)["view"]
    second = client.views_publish(user_id=ALICE, view=home, hash=first["hash"])["view"]

    assert first["type"] == "home"
    assert second["id"] == first["id"]


@pytest.mark.parametrize(
    ("view", "message"),
    [
        ({"type": "home", "blocks": [{"type": "divider"}], "submit": "Go"}, "submit and close"),
        ({"type": "modal", "title": "Hi", "blocks": [{"type": "divider"}]}, "view type"),
        ({"type": "home", "blocks": [{"type": "divider"}] * 101}, "no more than 100"),
    ],
)
def test_views_publish_rejects_invalid_home_views(client, view, message):
    error = slack_error(client.views_publish, user_id=ALICE, view=view)

    assert error.response["error"] == "invalid_arguments"
    assert message in " ".join(error.response["response_metadata"]["messages"])


def test_files_upload_v2(fake, client):
    channel = client.conversations_open(users=ALICE)["channel"]["id"]

    answer = client.files_upload_v2(
        content=b"week,done\n3,yes\n",
        filename="report.csv",
        title="Report",
        channel=channel,
        initial_comment="Here it is",
    )

    file_id = answer["file"]["id"]
    assert fake.uploaded_files == {
        file_id: {
            "bytes": b"week,done\n3,yes\n",
            "filename": "report.csv",
            "title": "Report",
            "channel_id": channel,
            "comment": "Here it is",
        }
    }
    assert client.files_info(file=file_id)["file"]["name"] == "report.csv"
    assert answer["file"]["permalink"].endswith(f"/files/{file_id}/report.csv")


def test_a_file_cannot_be_shared_into_a_conversation_the_app_is_not_in(fake, client):
    with pytest.raises(SlackApiError) as refused:
        client.files_upload_v2(content=b"x", filename="a.csv", channel="D_NEVER_OPENED")
    assert refused.value.response["error"] == "channel_not_found"
    # The bytes went up, but the file was never shared anywhere.
    assert [f["channel_id"] for f in fake.uploaded_files.values()] == [None]


def test_response_url_records_what_respond_sends(fake):
    url = fake.new_response_url()

    answer = WebhookClient(url).send_dict({"text": "Saved", "response_type": "ephemeral"})
    unknown = WebhookClient(url + "x").send_dict({"text": "lost"})

    assert (answer.status_code, json.loads(answer.body)) == (200, {"ok": True})
    assert unknown.status_code == 404
    assert fake.wait_for("response_url", count=2)[0].args == {
        "text": "Saved",
        "response_type": "ephemeral",
    }


def test_plain_get_requests_are_accepted(fake):
    answer = requests.get(
        fake.url + "users.info",
        params={"user": ALICE},
        headers={"Authorization": f"Bearer {fake.token}"},
        timeout=5,
    ).json()

    assert answer["user"]["id"] == ALICE


# -- what Slack would refuse


def test_unknown_method_is_a_404(client):
    error = slack_error(client.api_call, "chat.postMesage")

    assert error.response.status_code == 404
    assert error.response["error"] == "unknown_method"


def test_missing_required_argument(client):
    error = slack_error(client.api_call, "views.publish", json={"view": {"type": "home"}})

    assert error.response["error"] == "invalid_arguments"
    assert error.response["response_metadata"]["messages"] == [
        "[ERROR] missing required field: user_id"
    ]


def test_unknown_argument(client):
    error = slack_error(client.chat_postMessage, channel="C0GENERAL1", text="hi", colour="red")

    assert error.response["error"] == "invalid_arguments"
    assert error.response["response_metadata"]["messages"] == ["[ERROR] unknown field: colour"]


def test_argument_of_the_wrong_type(client):
    error = slack_error(client.conversations_history, channel="C0GENERAL1", limit="ten")

    assert error.response["response_metadata"]["messages"] == ["[ERROR] limit: expected integer"]


def test_either_or_rules_from_the_docs(client):
    # api_call: slack_sdk's own methods warn or refuse before sending these.
    no_text = slack_error(client.api_call, "chat.postMessage", json={"channel": "C0GENERAL1"})
    no_users = slack_error(client.api_call, "conversations.open", params={"return_im": True})

    assert no_text.response["error"] == "no_text"
    assert no_users.response["error"] == "users_list_not_supplied"


@pytest.mark.parametrize(("token", "error"), [("xoxb-wrong", "invalid_auth"), (None, "not_authed")])
def test_bad_token(fake, token, error):
    bad_client = WebClient(token=token, base_url=fake.url)

    assert slack_error(bad_client.auth_test).response["error"] == error


def test_more_than_50_blocks(client):
    blocks = [{"type": "divider"}] * 51

    error = slack_error(client.chat_postMessage, channel="C0GENERAL1", text="x", blocks=blocks)

    assert error.response["error"] == "invalid_blocks"


def test_invalid_block(client):
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}

    error = slack_error(client.chat_postMessage, channel="C0GENERAL1", text="x", blocks=[section])

    assert error.response["error"] == "invalid_blocks"
    assert "3000" in error.response["response_metadata"]["messages"][0]


def test_blocks_without_a_type(client):
    error = slack_error(
        client.chat_update, channel="C0GENERAL1", ts="1.2", text="x", blocks=[{"text": "x"}]
    )

    assert error.response["error"] == "invalid_blocks_format"


@pytest.mark.parametrize(
    ("users", "error"),
    [
        (["U0GONE001"], "user_disabled"),
        (["U0ROBOT01"], "cannot_dm_bot"),
        (["U0NOBODY1"], "user_not_found"),
        ([f"U0PEER{i:04d}" for i in range(9)], "too_many_users"),
    ],
)
def test_conversations_open_refusals(fake, client, users, error):
    fake.add_user("U0GONE001", deleted=True)
    fake.add_user("U0ROBOT01", is_bot=True)
    for user_id in users:
        if user_id.startswith("U0PEER"):
            fake.add_user(user_id)

    assert slack_error(client.conversations_open, users=users).response["error"] == error


def test_history_of_an_unknown_channel(client):
    error = slack_error(client.conversations_history, channel="C0NOWHERE1")

    assert error.response["error"] == "channel_not_found"


# -- scripted faults


def test_rate_limit_is_retried_by_slack_sdk_handler(fake, client):
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    fake.rate_limit_next("chat.postMessage", retry_after=0)

    assert client.chat_postMessage(channel="C0GENERAL1", text="hi")["ok"]
    assert len(fake.calls_to("chat.postMessage")) == 2


def test_rate_limit_without_retry_handler(fake, client):
    fake.rate_limit_next("chat.postMessage", retry_after=1)

    error = slack_error(client.chat_postMessage, channel="C0GENERAL1", text="hi")

    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "1"
    assert error.response["error"] == "ratelimited"


def test_server_error_is_not_retried_by_default(fake, client):
    fake.server_error_next("chat.postMessage")

    error = slack_error(client.chat_postMessage, channel="C0GENERAL1", text="hi")

    assert error.response.status_code == 503
    assert error.response["error"] == "service_unavailable"
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_fail_next_fails_only_the_scripted_calls(fake, client):
    fake.fail_next("users.info", "user_not_visible", times=2)

    for _ in range(2):
        assert slack_error(client.users_info, user=ALICE).response["error"] == "user_not_visible"
    assert client.users_info(user=ALICE)["ok"]
    assert len(fake.calls_to("users.info")) == 3


def test_delay_slows_one_method(fake, client):
    fake.delay("auth.test", 0.2)

    started = time.monotonic()
    client.auth_test()

    assert time.monotonic() - started >= 0.2


def test_wait_for_times_out_with_what_was_recorded(fake, client):
    client.auth_test()

    with pytest.raises(AssertionError, match=r"chat\.postMessage.*auth\.test"):
        fake.wait_for("chat.postMessage", timeout=0.05)


def test_reset_forgets_everything(fake, client):
    client.conversations_open(users=ALICE)
    fake.fail_next("auth.test", "invalid_auth")

    fake.reset()

    assert fake.calls == []
    assert fake.conversations_opened == {}
    assert client.auth_test()["ok"]
    assert slack_error(client.users_info, user=ALICE).response["error"] == "user_not_found"


# -- chat.postMessage rate limits (opt-in)


def post(client, channel, text="hi", **extra):
    return client.chat_postMessage(channel=channel, text=text, **extra)


def test_posts_are_unlimited_by_default(fake, bare_client):
    for i in range(5):
        post(bare_client, "C0GENERAL1", str(i))

    assert fake.stats == Stats(
        posts_accepted=5, rate_limited_channel=0, rate_limited_workspace=0, replies_lost=0
    )


def test_second_post_in_a_channel_within_a_second_is_rate_limited(fake, bare_client):
    fake.set_post_limits(per_channel=1.0)
    post(bare_client, "C0GENERAL1", "first")

    error = slack_error(post, bare_client, "C0GENERAL1", "second")
    other_channel = post(bare_client, "C0RANDOM01", "elsewhere")

    assert error.response.status_code == 429
    assert int(error.response.headers["Retry-After"]) >= 1
    assert error.response["error"] == "ratelimited"
    assert other_channel["ok"]
    assert [m["text"] for m in fake.messages("C0GENERAL1")] == ["first"]
    assert len(fake.calls_to("chat.postMessage")) == 3
    assert fake.stats.posts_accepted == 2
    assert (fake.stats.rate_limited_channel, fake.stats.rate_limited_workspace) == (1, 0)


def test_posts_to_a_user_and_to_their_dm_share_a_channel_limit(fake, bare_client):
    fake.set_post_limits(per_channel=1.0)
    dm = bare_client.conversations_open(users=ALICE)["channel"]["id"]
    post(bare_client, ALICE)

    assert slack_error(post, bare_client, dm).response.status_code == 429


def test_retry_after_is_the_wait_for_a_token_rounded_up(fake, bare_client):
    fake.set_post_limits(per_channel=0.25)  # a token every 4 seconds
    post(bare_client, "C0GENERAL1")

    error = slack_error(post, bare_client, "C0GENERAL1")

    assert error.response.headers["Retry-After"] == "4"


def test_a_channel_bucket_refills_at_its_rate(fake, bare_client):
    fake.set_post_limits(per_channel=20.0)  # a token every 50 ms
    post(bare_client, "C0GENERAL1")
    assert slack_error(post, bare_client, "C0GENERAL1").response.headers["Retry-After"] == "1"

    time.sleep(0.06)

    assert post(bare_client, "C0GENERAL1")["ok"]


def test_burst_allows_that_many_posts_at_once(fake, bare_client):
    fake.set_post_limits(per_channel=1.0, burst=3)

    for i in range(3):
        post(bare_client, "C0GENERAL1", str(i))
    error = slack_error(post, bare_client, "C0GENERAL1")

    assert error.response.status_code == 429
    assert len(fake.messages("C0GENERAL1")) == 3


def test_workspace_limit_applies_across_channels(fake, bare_client):
    fake.set_post_limits(per_channel=None, workspace=1.0, burst=2)
    post(bare_client, "C0ONE00001")
    post(bare_client, "C0ONE00001")  # no channel limit

    error = slack_error(post, bare_client, "C0TWO00001")

    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "1"
    assert fake.messages("C0TWO00001") == []
    assert (fake.stats.rate_limited_channel, fake.stats.rate_limited_workspace) == (0, 1)
    assert fake.stats.rate_limited == 1


def test_workspace_burst_can_differ_from_the_channels(fake, bare_client):
    fake.set_post_limits(per_channel=1.0, workspace=1.0, burst=1, workspace_burst=3)

    for channel in ("C0ONE00001", "C0TWO00001", "C0THREE001"):
        post(bare_client, channel)
    error = slack_error(post, bare_client, "C0FOUR0001")

    assert error.response.status_code == 429
    assert fake.stats.rate_limited_workspace == 1


def test_a_refused_post_spends_no_token(fake, bare_client):
    fake.set_post_limits(per_channel=None, workspace=20.0, burst=1)
    post(bare_client, "C0ONE00001")
    slack_error(post, bare_client, "C0TWO00001")  # over the workspace limit: nothing spent

    time.sleep(0.06)

    assert post(bare_client, "C0TWO00001")["ok"]


def test_only_post_message_is_limited(fake, bare_client):
    fake.set_post_limits(per_channel=1.0, workspace=1.0)
    posted = post(bare_client, "C0GENERAL1")

    bare_client.chat_update(channel="C0GENERAL1", ts=posted["ts"], text="edited")
    bare_client.chat_postEphemeral(channel="C0GENERAL1", user=ALICE, text="only you")
    bare_client.conversations_history(channel="C0GENERAL1")

    assert fake.stats.rate_limited == 0


def test_limits_are_thread_safe(fake):
    fake.set_post_limits(per_channel=None, workspace=20.0, burst=5)
    client = WebClient(token=fake.token, base_url=fake.url, retry_handlers=[])
    statuses = []

    def attempt(i):
        try:
            statuses.append(post(client, f"C0CHAN{i:04d}").status_code)
        except SlackApiError as error:
            statuses.append(error.response.status_code)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(attempt, range(40)))
    elapsed = time.monotonic() - started

    stats = fake.stats
    assert sorted(set(statuses)) == [200, 429]
    assert stats.posts_accepted == statuses.count(200) == len(fake.all_messages())
    assert stats.rate_limited_workspace == statuses.count(429)
    assert stats.posts_accepted <= 5 + 20.0 * elapsed + 1


def test_limits_can_be_turned_off(fake, bare_client):
    fake.set_post_limits(per_channel=1.0, workspace=1.0)
    post(bare_client, "C0GENERAL1")

    fake.set_post_limits(None, None)

    assert post(bare_client, "C0GENERAL1")["ok"]


def test_reset_lifts_the_limits_and_zeroes_the_stats(fake, bare_client):
    fake.set_post_limits(per_channel=1.0)
    post(bare_client, "C0GENERAL1")
    slack_error(post, bare_client, "C0GENERAL1")

    fake.reset()
    post(bare_client, "C0GENERAL1")
    post(bare_client, "C0GENERAL1")

    assert fake.stats == Stats(
        posts_accepted=2, rate_limited_channel=0, rate_limited_workspace=0, replies_lost=0
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"per_channel": 0}, "rate"), ({"workspace": -1.0}, "rate"), ({"burst": 0}, "burst")],
)
def test_post_limits_must_make_sense(fake, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fake.set_post_limits(**kwargs)


# -- the message was stored, the reply was lost


def test_accept_then_fail_stores_the_message_and_answers_500(fake, bare_client):
    channel = bare_client.conversations_open(users=ALICE)["channel"]["id"]
    metadata = Metadata(event_type="outbox_message", event_payload={"key": "intro-42"})
    fake.accept_then_fail_next("chat.postMessage")

    error = slack_error(post, bare_client, channel, "Meet Bob", metadata=metadata)
    history = bare_client.conversations_history(channel=channel, include_all_metadata=True)

    assert error.response.status_code == 500
    assert error.response["error"] == "internal_error"
    assert [m["text"] for m in fake.messages(channel)] == ["Meet Bob"]
    assert fake.messages(channel)[0]["metadata"] == metadata.to_dict()
    assert history["messages"][0]["metadata"] == metadata.to_dict()
    assert fake.calls_to("chat.postMessage")[0].args["metadata"] == metadata.to_dict()
    assert (fake.stats.posts_accepted, fake.stats.replies_lost) == (1, 1)
    assert post(bare_client, channel, "next")["ok"]  # times=1


@pytest.mark.parametrize(("status", "error"), [(503, "internal_error"), (502, "502 Server Error")])
def test_accept_then_fail_with_other_statuses(fake, bare_client, status, error):
    fake.accept_then_fail_next("chat.postMessage", status=status)

    raised = slack_error(post, bare_client, "C0GENERAL1")

    assert raised.response.status_code == status
    assert error in raised.response["error"]
    assert len(fake.messages("C0GENERAL1")) == 1


def test_accept_then_fail_waits_for_a_call_the_fake_accepts(fake, bare_client):
    fake.set_post_limits(per_channel=20.0)
    post(bare_client, "C0GENERAL1", "first")
    fake.accept_then_fail_next("chat.postMessage", times=2)

    no_text = slack_error(bare_client.api_call, "chat.postMessage", json={"channel": "C0GENERAL1"})
    limited = slack_error(post, bare_client, "C0GENERAL1", "too soon")
    time.sleep(0.06)
    lost = slack_error(post, bare_client, "C0GENERAL1", "second")
    time.sleep(0.06)
    lost_again = slack_error(post, bare_client, "C0GENERAL1", "third")
    time.sleep(0.06)

    assert no_text.response["error"] == "no_text"
    assert limited.response.status_code == 429
    assert lost.response.status_code == lost_again.response.status_code == 500
    assert post(bare_client, "C0GENERAL1", "fourth")["ok"]
    assert [m["text"] for m in fake.messages("C0GENERAL1")] == [
        "first",
        "second",
        "third",
        "fourth",
    ]


def test_accept_then_drop_stores_the_message_and_never_answers(fake, bare_client):
    fake.accept_then_drop_next("chat.postMessage")

    with pytest.raises(ConnectionError):
        post(bare_client, "C0GENERAL1", "lost in transit")

    assert [m["text"] for m in fake.messages("C0GENERAL1")] == ["lost in transit"]
    assert [c.args["text"] for c in fake.calls_to("chat.postMessage")] == ["lost in transit"]
    assert fake.stats.replies_lost == 1
    assert post(bare_client, "C0GENERAL1", "next")["ok"]


def test_slack_sdk_default_retry_resends_a_dropped_post(fake, client):
    # WebClient's default ConnectionErrorRetryHandler posts again: a duplicate in the channel.
    fake.accept_then_drop_next("chat.postMessage")

    assert post(client, "C0GENERAL1", "twice")["ok"]

    assert [m["text"] for m in fake.messages("C0GENERAL1")] == ["twice", "twice"]


# -- chaos: a share of calls fail at random, reproducibly


def outcome(call, *args, **kwargs) -> str:
    """What one call met: "ok", an HTTP status, or "dropped" (no answer at all)."""
    try:
        call(*args, **kwargs)
    except SlackApiError as error:
        return str(error.response.status_code)
    except ConnectionError:
        return "dropped"
    return "ok"


def chaos_run(fake, bare_client, seed):
    fake.reset()
    fake.set_chaos(rate=0.3, seed=seed)
    return [outcome(post, bare_client, f"C0CHAN{i:04d}", str(i)) for i in range(200)]


def test_chaos_fails_a_share_of_calls_the_same_way_for_a_seed(fake, bare_client):
    first = chaos_run(fake, bare_client, seed=7)
    stats = fake.stats
    stored = len(fake.all_messages())
    again = chaos_run(fake, bare_client, seed=7)
    other = chaos_run(fake, bare_client, seed=8)

    assert first == again
    assert first != other
    faults = [o for o in first if o != "ok"]
    assert 30 <= len(faults) <= 90  # 30% of 200, give or take
    assert set(faults) == {"503", "429", "500", "dropped"}
    assert stats.chaos_server_errors == first.count("503")
    assert stats.chaos_rate_limited == first.count("429")
    assert stats.chaos_replies_lost == first.count("500") + first.count("dropped")
    assert stats.replies_lost == stats.chaos_replies_lost
    assert stats.rate_limited == 0  # chaos's 429s are not the limits'
    # Answered 500 or not at all, the message is there all the same.
    assert stored == stats.posts_accepted == 200 - first.count("503") - first.count("429")


@pytest.mark.parametrize(
    ("fault", "met", "stored"),
    [
        ("server_error", "503", 0),
        ("rate_limited", "429", 0),
        ("accepted_then_failed", "500", 1),
        ("accepted_then_dropped", "dropped", 1),
    ],
)
def test_each_chaos_fault(fake, bare_client, fault, met, stored):
    fake.set_chaos(rate=1.0, faults=[fault], retry_after=3)
    metadata = Metadata(event_type="outbox_message", event_payload={"key": "k1"})

    assert outcome(post, bare_client, "C0GENERAL1", "hi", metadata=metadata) == met

    assert len(fake.messages("C0GENERAL1")) == stored
    if stored:
        assert fake.messages("C0GENERAL1")[0]["metadata"] == metadata.to_dict()
    if fault == "rate_limited":
        error = slack_error(post, bare_client, "C0GENERAL1")
        assert error.response.headers["Retry-After"] == "3"
        assert error.response["error"] == "ratelimited"
    if fault == "server_error":
        assert slack_error(post, bare_client, "C0GENERAL1").response["error"] == (
            "service_unavailable"
        )


def test_chaos_spares_what_the_fake_refuses_anyway(fake, bare_client):
    fake.set_post_limits(per_channel=1.0)
    post(bare_client, "C0GENERAL1", "first")
    fake.set_chaos(rate=1.0, faults=["accepted_then_dropped"])

    limited = slack_error(post, bare_client, "C0GENERAL1", "too soon")
    no_text = slack_error(bare_client.api_call, "chat.postMessage", json={"channel": "C0OTHER01"})

    assert limited.response.status_code == 429
    assert no_text.response["error"] == "no_text"
    assert fake.stats.chaos_replies_lost == 0
    assert [m["text"] for m in fake.messages("C0GENERAL1")] == ["first"]


def test_chaos_only_for_the_methods_given(fake, bare_client):
    fake.set_chaos(rate=1.0, faults=["server_error"], methods=["conversations.history"])

    assert post(bare_client, "C0GENERAL1")["ok"]
    assert bare_client.conversations_open(users=ALICE)["ok"]
    assert slack_error(history, bare_client).response.status_code == 503


def test_a_scripted_fault_goes_before_chaos(fake, bare_client):
    fake.set_chaos(rate=1.0, faults=["server_error"])
    fake.fail_next("chat.postMessage", "channel_not_found")

    assert slack_error(post, bare_client, "C0GENERAL1").response["error"] == "channel_not_found"
    assert slack_error(post, bare_client, "C0GENERAL1").response.status_code == 503


def test_chaos_can_be_turned_off(fake, bare_client):
    fake.set_chaos(rate=1.0)
    fake.set_chaos(0)
    assert post(bare_client, "C0GENERAL1")["ok"]

    fake.set_chaos(rate=1.0)
    fake.reset()
    assert post(bare_client, "C0GENERAL1")["ok"]
    assert fake.stats == Stats(
        posts_accepted=1, rate_limited_channel=0, rate_limited_workspace=0, replies_lost=0
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": 1.5}, "share"),
        ({"rate": -0.1}, "share"),
        ({"faults": ["timeout"]}, "faults"),
        ({"faults": []}, "faults"),
        ({"retry_after": 0}, "Retry-After"),
    ],
)
def test_chaos_must_make_sense(fake, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fake.set_chaos(**kwargs)


# -- the pace chat.postMessage was held to


def test_post_pace_counts_against_the_workspace_ceiling(fake, bare_client):
    fake.set_post_limits(per_channel=1.0, workspace=4.0, burst=1, workspace_burst=3)
    started = time.monotonic()
    for i in range(5):
        outcome(post, bare_client, f"C0CHAN{i:04d}")  # 3 at once, then 2 refused
    outcome(post, bare_client, "C0CHAN0000")  # refused by the channel's own limit
    time.sleep(0.8)  # three more tokens
    for i in range(5, 8):
        post(bare_client, f"C0CHAN{i:04d}")

    pace = fake.post_pace()

    assert (pace.ceiling, pace.burst, pace.window) == (4.0, 3, 1.0)
    assert pace.accepted == 6 == fake.stats.posts_accepted
    assert (pace.refused_channel, pace.refused_workspace) == (1, 2)
    assert 3 <= pace.busiest <= pace.most_allowed == 7.0
    assert pace.peak_rate == pace.busiest
    assert pace.seconds >= 0.8
    assert pace.mean_rate == pytest.approx(5 / pace.seconds)
    everything = fake.post_pace(window=10.0)
    assert (everything.busiest, everything.busiest_tried) == (6, 9)
    assert everything.most_allowed == 43.0
    assert fake.post_pace(window=0.1).busiest <= 3
    later = fake.post_pace(since=started + 0.5)
    assert (later.accepted, later.refused_workspace, later.refused_channel) == (3, 0, 0)
    assert fake.post_pace(until=started).accepted == 0


def test_post_pace_says_how_long_a_chaos_429_asked_senders_to_pause(fake, bare_client):
    fake.set_post_limits(per_channel=None, workspace=100.0)
    post(bare_client, "C0CHAN0001")
    fake.set_chaos(rate=1.0, faults=["rate_limited"], retry_after=1, methods=["chat.postMessage"])
    outcome(post, bare_client, "C0CHAN0002")  # refused: pause 1 s
    fake.set_chaos(0)
    time.sleep(0.3)
    post(bare_client, "C0CHAN0003")  # inside the pause: 0.3 s of it lies between posts
    time.sleep(0.9)
    post(bare_client, "C0CHAN0004")  # after it: the whole second lies between

    assert fake.post_pace(until=time.monotonic() - 0.8).paused == pytest.approx(0.3, abs=0.1)
    pace = fake.post_pace()
    assert pace.paused == pytest.approx(1.0, abs=0.05)
    assert pace.seconds > pace.paused


def test_post_pace_starts_again_with_new_limits_and_needs_some(fake, bare_client):
    fake.set_post_limits(per_channel=None, workspace=100.0)
    post(bare_client, "C0GENERAL1")
    fake.set_post_limits(per_channel=None, workspace=100.0)

    assert fake.post_pace().accepted == 0
    fake.set_post_limits(None, None)
    with pytest.raises(ValueError, match="set_post_limits"):
        fake.post_pace()
    with pytest.raises(ValueError, match="window"):
        fake.post_pace(window=0)


def test_busiest_window_slides_over_the_instants():
    assert server._busiest([], 1.0) == 0
    assert server._busiest([0.0, 0.5, 0.99, 1.0, 1.5, 1.6, 1.7], 1.0) == 5
    assert server._busiest([0.0, 2.0, 4.0], 1.0) == 1


# -- what the fake holds, and what people add to it


def test_messages_are_copies_oldest_first_with_metadata_and_replies(fake, bare_client):
    metadata = Metadata(event_type="outbox_message", event_payload={"key": "k1"})
    parent = post(bare_client, "C0GENERAL1", "parent", metadata=metadata)
    post(bare_client, "C0GENERAL1", "in thread", thread_ts=parent["ts"])
    post(bare_client, "C0RANDOM01", "elsewhere")

    messages = fake.messages("C0GENERAL1")
    messages[0]["text"] = "changed"

    assert [m["text"] for m in fake.messages("C0GENERAL1")] == ["parent", "in thread"]
    assert messages[0]["metadata"] == metadata.to_dict()
    assert messages[1]["thread_ts"] == parent["ts"]
    assert fake.messages("C0NOWHERE1") == []
    assert {channel: len(ms) for channel, ms in fake.all_messages().items()} == {
        "C0GENERAL1": 2,
        "C0RANDOM01": 1,
    }


def test_messages_of_a_user_are_their_dm(fake, bare_client):
    post(bare_client, ALICE, "hello Alice")

    assert [m["text"] for m in fake.messages(ALICE)] == ["hello Alice"]


def test_add_reply_stores_a_thread_reply_and_returns_its_event(fake, bare_client):
    group = bare_client.conversations_open(users=[ALICE, BOB])["channel"]["id"]
    intro = post(bare_client, group, "Meet each other")

    event = fake.add_reply(group, intro["ts"], BOB, "Coffee Tuesday?")

    assert event["type"] == "message"
    assert event["channel"] == group
    assert event["channel_type"] == "mpim"
    assert (event["user"], event["text"]) == (BOB, "Coffee Tuesday?")
    assert event["thread_ts"] == intro["ts"]
    assert event["event_ts"] == event["ts"]
    assert float(event["ts"]) > float(intro["ts"])
    replies = bare_client.conversations_replies(channel=group, ts=intro["ts"])["messages"]
    assert [m["text"] for m in replies] == ["Meet each other", "Coffee Tuesday?"]
    history = bare_client.conversations_history(channel=group)["messages"]
    assert [m["text"] for m in history] == ["Meet each other"]  # replies stay in the thread
    assert fake.messages(group)[-1]["user"] == BOB


def test_add_reply_needs_an_existing_thread(fake, bare_client):
    posted = post(bare_client, "C0GENERAL1")

    with pytest.raises(ValueError, match="no thread"):
        fake.add_reply("C0GENERAL1", "1.000001", BOB, "hi")
    with pytest.raises(ValueError, match="no thread"):
        fake.add_reply("C0NOWHERE1", posted["ts"], BOB, "hi")
    assert fake.add_reply("C0GENERAL1", posted["ts"], BOB, "hi")["channel_type"] == "channel"


# -- conversations.history paging


@pytest.fixture
def five_posts(bare_client):
    return [post(bare_client, "C0GENERAL1", str(i))["ts"] for i in range(5)]


def history(client, **args):
    return client.conversations_history(channel="C0GENERAL1", **args)


def test_history_pages_by_cursor(bare_client, five_posts):
    pages, cursor = [], None
    while True:
        page = history(bare_client, limit=2, **({"cursor": cursor} if cursor else {}))
        pages.append([m["text"] for m in page["messages"]])
        cursor = page["response_metadata"]["next_cursor"]
        assert page["has_more"] == bool(cursor)
        if not cursor:
            break

    assert pages == [["4", "3"], ["2", "1"], ["0"]]


def test_history_cursor_looks_like_slacks(bare_client, five_posts):
    cursor = history(bare_client, limit=4)["response_metadata"]["next_cursor"]

    assert base64.b64decode(cursor).decode() == "next_ts:" + five_posts[0].replace(".", "")


def test_history_oldest_and_latest_are_exclusive_unless_inclusive(bare_client, five_posts):
    def texts(**args):
        return [m["text"] for m in history(bare_client, **args)["messages"]]

    assert texts(oldest=five_posts[1]) == ["4", "3", "2"]
    assert texts(oldest=five_posts[1], inclusive=True) == ["4", "3", "2", "1"]
    assert texts(latest=five_posts[3]) == ["2", "1", "0"]
    assert texts(oldest=five_posts[1], latest=five_posts[3]) == ["2"]
    assert texts(oldest=five_posts[1], latest=five_posts[3], inclusive=True) == ["3", "2", "1"]
    # The documented way to fetch one message by its ts.
    assert texts(latest=five_posts[2], inclusive=True, limit=1) == ["2"]


def test_history_pages_within_a_time_range(bare_client, five_posts):
    first = history(bare_client, oldest=five_posts[0], limit=2)
    second = history(
        bare_client,
        oldest=five_posts[0],
        limit=2,
        cursor=first["response_metadata"]["next_cursor"],
    )

    assert [m["text"] for m in first["messages"]] == ["4", "3"]
    assert [m["text"] for m in second["messages"]] == ["2", "1"]
    assert not second["has_more"]


def test_history_refuses_a_cursor_it_did_not_give(bare_client, five_posts):
    error = slack_error(history, bare_client, cursor="not-a-cursor")

    assert error.response["error"] == "invalid_cursor"


def test_history_finds_a_key_among_recent_posts(bare_client):
    # What the outbox does after a crash: look for its key in recent history.
    started = f"{time.time() - 1:.6f}"
    for i in range(3):
        key = Metadata(event_type="outbox_message", event_payload={"key": f"k{i}"})
        post(bare_client, "C0GENERAL1", str(i), metadata=key)

    found = [
        m["metadata"]["event_payload"]["key"]
        for m in history(bare_client, oldest=started, include_all_metadata=True)["messages"]
    ]

    assert found == ["k2", "k1", "k0"]


def test_message_ts_can_follow_the_apps_clock(fake, bare_client):
    fake.clock = lambda: 1_900_000_000.0

    first = post(bare_client, "C0GENERAL1", "first")["ts"]
    second = post(bare_client, "C0GENERAL1", "second")["ts"]
    found = history(bare_client, oldest="1899999940")["messages"]

    assert (first, second) == ("1900000000.000000", "1900000000.000001")
    assert [m["text"] for m in found] == ["second", "first"]
    fake.reset()
    assert fake.clock is time.time
