"""The fake Slack, driven by the real slack_sdk clients the app uses.

A call that succeeds here proves the allowlists cover what slack_sdk really sends; a call that
fails proves the fake is as strict as Slack where the app could get it wrong.
"""

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

from tests.fakeslack import FakeSlack, server

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
        content=b"week,done\n3,yes\n", filename="report.csv", title="Report", channel=channel
    )

    file_id = answer["file"]["id"]
    assert fake.uploaded_files == {
        file_id: {
            "bytes": b"week,done\n3,yes\n",
            "filename": "report.csv",
            "title": "Report",
            "channel_id": channel,
        }
    }
    assert client.files_info(file=file_id)["file"]["name"] == "report.csv"


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
