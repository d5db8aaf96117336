"""Slack's part in the sandbox: what a person does on the page becomes the signed request
Slack would send to POST /slack/events, and the app's answer is shown as Slack shows it.

Requests go over real HTTP to the app's own port and through the production front door
and Bolt's signature check, with a signing secret made up for this run.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.sandbox.fakeslack import FakeSlack

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 10  # seconds; Slack itself gives up after 3, but the page can wait


class Refusal(Exception):
    """A request the sandbox turns down, with a message fit for the page; anything else
    that goes wrong is a bug, logged with its traceback."""


class SlackSideError(Refusal):
    """Something Slack would show as an error line (e.g. "/mentor failed with the error
    'dispatch_failed'"); the message is fit for the page."""


@dataclass(frozen=True)
class Answer:
    """The app's HTTP answer to one request."""

    status: int
    body: str
    content_type: str

    def json(self) -> dict[str, Any] | None:
        if not self.content_type.startswith("application/json") or not self.body.strip():
            return None
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None


@dataclass(frozen=True)
class Where:
    """Where a click happened: a message in a conversation, an ephemeral message, a view."""

    kind: str  # "message", "ephemeral", "modal" or "home"
    channel: str = ""
    key: str = ""  # the message's ts, the ephemeral message's id or the view's id


class SlackSide:
    def __init__(self, fake: FakeSlack, app_url: str, signing_secret: str) -> None:
        self.fake = fake
        self.url = app_url.rstrip("/") + "/slack/events"
        self._verifier = SignatureVerifier(signing_secret)

    # -- the ways in

    def command(self, user: str, channel: str, text: str) -> None:
        """/mentor text typed in a conversation; the ack shows as an ephemeral message,
        which the command's response_url may later replace (replace_original)."""
        place = self.fake.reserve_ephemeral(user, channel)
        body = urlencode(
            {
                "token": "sandbox-verification-token",
                "team_id": self.fake.team_id,
                "team_domain": "northwind-sandbox",
                "channel_id": channel,
                "channel_name": _channel_name(self.fake, channel),
                "user_id": user,
                "user_name": user.lower(),
                "command": "/mentor",
                "text": text,
                "api_app_id": self.fake.app_id,
                "is_enterprise_install": "false",
                "response_url": self.fake.new_response_url(user, channel, ("ephemeral", place)),
                "trigger_id": self.fake.new_trigger_id(user),
            }
        )
        try:
            answer = self._post(body, "application/x-www-form-urlencoded", "/mentor")
        except SlackSideError:
            self.fake.fill_ephemeral(user, place, "", [])
            raise
        if answer.status != 200:
            self.fake.fill_ephemeral(user, place, "", [])
            raise SlackSideError(f"/mentor failed with the error “http_{answer.status}”")
        shown = answer.json()
        if shown is not None:
            self.fake.fill_ephemeral(user, place, shown.get("text", ""), shown.get("blocks") or [])
        else:
            self.fake.fill_ephemeral(user, place, answer.body.strip(), [])

    def action(
        self,
        user: str,
        where: Where,
        action: dict[str, Any],
        state: dict[str, Any] | None = None,
    ) -> None:
        """A click (or a choice in a menu) on a message, an ephemeral message or a view."""
        action = {**action, "action_ts": f"{time.time():.6f}"}
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.fake.team_id, "domain": "northwind-sandbox"},
            "user": self._user(user),
            "api_app_id": self.fake.app_id,
            "token": "sandbox-verification-token",
            "trigger_id": self.fake.new_trigger_id(user),
            "actions": [action],
        }
        if where.kind in ("modal", "home"):
            view = self.fake.view(where.key)
            if view is None:
                raise SlackSideError("That view has closed.")
            if state is not None:
                view["state"] = {"values": state}
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = view
        elif where.kind == "ephemeral":
            shown = next((e for e in self.fake.ephemeral_of(user) if e["id"] == where.key), None)
            if shown is None:
                raise SlackSideError("That message is no longer there.")
            payload["container"] = {
                "type": "message",
                "message_ts": shown["ts"],
                "channel_id": shown["channel"],
                "is_ephemeral": True,
            }
            payload["channel"] = {"id": shown["channel"], "name": shown["channel"]}
            payload["response_url"] = self.fake.new_response_url(
                user, shown["channel"], ("ephemeral", shown["id"])
            )
        else:
            message = self.fake.message(where.channel, where.key)
            if message is None:
                raise SlackSideError("That message is no longer there.")
            payload["container"] = {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": where.channel,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": where.channel, "name": where.channel}
            payload["message"] = message
            payload["response_url"] = self.fake.new_response_url(
                user, where.channel, ("message", message["ts"])
            )
        # A message's inputs (a ticked box) come with a click on it, ephemeral or not.
        if where.kind not in ("modal", "home") and state is not None:
            payload["state"] = {"values": state}
        self._interactive(payload)

    def submit(self, user: str, view_id: str, values: dict[str, Any]) -> dict[str, str]:
        """Submits the person's top modal; returns the field errors the app answered with
        (empty when the modal was closed, updated or pushed, as Slack then does)."""
        view = self.fake.view(view_id)
        if view is None:
            raise SlackSideError("That modal has closed.")
        view["state"] = {"values": values}
        payload = {
            "type": "view_submission",
            "team": {"id": self.fake.team_id, "domain": "northwind-sandbox"},
            "user": self._user(user),
            "api_app_id": self.fake.app_id,
            "token": "sandbox-verification-token",
            "trigger_id": self.fake.new_trigger_id(user),
            "view": view,
            "response_urls": [],
        }
        answer = self._interactive(payload)
        reply = answer.json() or {}
        action = reply.get("response_action")
        if action == "errors":
            errors = reply.get("errors")
            return {str(k): str(v) for k, v in errors.items()} if isinstance(errors, dict) else {}
        if action in ("update", "push"):
            self.fake.answer_modal(user, reply["view"], push=action == "push")
        else:
            self.fake.close_modal(user, everything=action == "clear")
        return {}

    def close(self, user: str, view_id: str) -> None:
        """The person closes their modal (×, Cancel); the app hears of it if it asked to."""
        view = self.fake.view(view_id)
        self.fake.close_modal(user)
        if view is not None and view.get("notify_on_close"):
            self._interactive(
                {
                    "type": "view_closed",
                    "team": {"id": self.fake.team_id, "domain": "northwind-sandbox"},
                    "user": self._user(user),
                    "api_app_id": self.fake.app_id,
                    "token": "sandbox-verification-token",
                    "view": view,
                    "is_cleared": False,
                }
            )

    def open_home(self, user: str) -> None:
        """The person opens the app's Home tab: Slack sends app_home_opened."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user,
            "channel": self.fake.dm_of(user),
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        home = self.fake.home_of(user)
        if home is not None:
            event["view"] = home
        self._event(event)

    def say(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> None:
        """The person writes a message (or a thread reply); the app gets the message event."""
        self._event(self.fake.post_as_user(channel, user, text, thread_ts))

    # -- transport

    def _user(self, user: str) -> dict[str, Any]:
        return {"id": user, "username": user.lower(), "team_id": self.fake.team_id}

    def _interactive(self, payload: dict[str, Any]) -> Answer:
        answer = self._post(
            urlencode({"payload": json.dumps(payload)}),
            "application/x-www-form-urlencoded",
            "That click",
        )
        if answer.status != 200:
            raise SlackSideError(
                f"Upward did not answer as Slack expects (HTTP {answer.status}); "
                "the app's log has the detail."
            )
        return answer

    def _event(self, event: dict[str, Any]) -> None:
        body = json.dumps(
            {
                "token": "sandbox-verification-token",
                "team_id": self.fake.team_id,
                "api_app_id": self.fake.app_id,
                "event": event,
                "type": "event_callback",
                "event_id": "Ev" + secrets.token_hex(5).upper(),
                "event_time": int(time.time()),
                "authorizations": [
                    {
                        "team_id": self.fake.team_id,
                        "user_id": self.fake.bot_user_id,
                        "is_bot": True,
                    }
                ],
            }
        )
        answer = self._post(body, "application/json", "That event")
        if answer.status != 200:
            log.warning("the app answered HTTP %d to a %s event", answer.status, event["type"])

    def _post(self, body: str, content_type: str, what: str) -> Answer:
        # The signature's timestamp is the wall clock's, as Slack's is: the front door
        # checks it against the host's time, whatever the sandbox's own time says.
        timestamp = str(int(time.time()))
        data = body.encode()
        request = urllib.request.Request(  # noqa: S310 - always our own http://127.0.0.1 URL
            self.url,
            data=data,
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": self._verifier.generate_signature(
                    timestamp=timestamp, body=data
                ),
            },
        )
        try:
            with _OPENER.open(request, timeout=REQUEST_TIMEOUT) as response:
                return Answer(
                    response.status,
                    response.read().decode("utf-8", "replace"),
                    response.headers.get("Content-Type", ""),
                )
        except urllib.error.HTTPError as error:
            return Answer(
                error.code,
                error.read().decode("utf-8", "replace"),
                error.headers.get("Content-Type", ""),
            )
        except OSError as error:
            log.warning("sandbox: Upward did not answer in time (%s)", error)
            if what == "/mentor":
                raise SlackSideError("/mentor failed with the error “operation_timeout”") from None
            raise SlackSideError(f"{what} got no answer from Upward in time.") from None


def _channel_name(fake: FakeSlack, channel: str) -> str:
    """What Slack puts in a slash command's channel_name."""
    if channel.startswith("D"):
        return "directmessage"
    return fake.channels.get(channel) or "mpdm-" + channel.lower()


# Never through a proxy: the app is on this machine.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
