"""Signed requests shaped like the ones Slack sends to /slack/events."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import requests
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "8f742231b10e8888abcd99aaabbb85a5"


class SlackSender:
    """Plays Slack's part: builds payloads, signs them, POSTs them to the app."""

    def __init__(
        self,
        base_url: str,
        fake: Any,
        team_id: str,
        secret: str = SIGNING_SECRET,
        *,
        enterprise_id: str | None = None,
        org_wide: bool = False,
    ):
        """enterprise_id: a workspace of an Enterprise Grid org; org_wide: the app is
        installed for the whole org (Slack says so in every payload)."""
        self.url = base_url.rstrip("/") + "/slack/events"
        self.fake = fake
        self.team_id = team_id
        self.enterprise_id = enterprise_id
        self.org_wide = org_wide
        self.verifier = SignatureVerifier(secret)

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = signature or self.verifier.generate_signature(timestamp=ts, body=body)
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sig,
            **(headers or {}),
        }
        return requests.post(self.url, data=body.encode(), headers=all_headers, timeout=10)

    # --- payload builders -------------------------------------------------------

    def command_body(self, user_id: str, text: str = "") -> str:
        return urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": self.team_id,
                "team_domain": "upward-test",
                "channel_id": "C0GENERAL1",
                "channel_name": "general",
                "user_id": user_id,
                "user_name": user_id.lower(),
                "command": "/mentor",
                "text": text,
                "api_app_id": "A0UPWARD01",
                "is_enterprise_install": "true" if self.org_wide else "false",
                **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
                "response_url": self.fake.new_response_url(),
                "trigger_id": self.fake.new_trigger_id(),
            },
            errors="surrogatepass",  # hostile text goes on the wire as the bytes it is
        )

    def command(self, user_id: str, text: str = "", **kwargs: Any) -> requests.Response:
        body = self.command_body(user_id, text)
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def _interactive(self, payload: dict[str, Any]) -> requests.Response:
        payload["is_enterprise_install"] = self.org_wide
        payload["enterprise"] = {"id": self.enterprise_id} if self.enterprise_id else None
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")

    def _user(self, user_id: str) -> dict[str, Any]:
        return {"id": user_id, "username": user_id.lower(), "team_id": self.team_id}

    def block_action(
        self,
        user_id: str,
        action_id: str,
        value: str = "",
        *,
        container: str = "message",
        state: dict[str, Any] | None = None,
    ) -> requests.Response:
        """A button click; ``state`` is the message's stateful elements (state.values),
        as Slack sends them with every block_actions payload."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.team_id, "domain": "upward-test"},
            "user": self._user(user_id),
            "api_app_id": "A0UPWARD01",
            "token": "legacy-verification-token",
            "trigger_id": self.fake.new_trigger_id(),
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b1",
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if state is not None:
            payload["state"] = {"values": state}
        if container == "message":
            payload["container"] = {"type": "message", "message_ts": "1700000000.000100"}
            payload["channel"] = {"id": "C0GENERAL1", "name": "general"}
            payload["response_url"] = self.fake.new_response_url()
        else:
            payload["container"] = {"type": "view", "view_id": "VHOME0001"}
            payload["view"] = {"id": "VHOME0001", "type": "home", "blocks": []}
        return self._interactive(payload)

    def view_submission(
        self, user_id: str, callback_id: str, values: dict[str, Any], private_metadata: str = ""
    ) -> requests.Response:
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "upward-test"},
            "user": self._user(user_id),
            "api_app_id": "A0UPWARD01",
            "token": "legacy-verification-token",
            "trigger_id": self.fake.new_trigger_id(),
            "view": {
                "id": "VMODAL0001",
                "team_id": self.team_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "blocks": [],
                "state": {"values": values},
                "hash": "1700000000.abcdef",
            },
            "response_urls": [],
        }
        return self._interactive(payload)

    def event(
        self,
        event: dict[str, Any],
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """An Events API delivery; a new event_id each time, as Slack's, unless one is
        given (Slack's retry of an event carries its first delivery's id)."""
        event_id = event_id or "Ev" + secrets.token_hex(5).upper()
        body = json.dumps(
            {
                "token": "legacy-verification-token",
                "team_id": self.team_id,
                "enterprise_id": self.enterprise_id,
                "api_app_id": "A0UPWARD01",
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "authorizations": [
                    {
                        "team_id": None if self.org_wide else self.team_id,
                        "enterprise_id": self.enterprise_id,
                        "is_enterprise_install": self.org_wide,
                        "user_id": "UBOT00001",
                        "is_bot": True,
                    }
                ],
            }
        )
        return self.post(body, "application/json", headers=headers)


def reply_text(response: requests.Response) -> str:
    """What Slack would show for an ack: Bolt answers plain text, or JSON with blocks."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return json.dumps(response.json())
    return response.text


def join_values(
    *,
    role: str = "mentor",
    teach: tuple[str, ...] = ("ai-tools",),
    learn: tuple[str, ...] = (),
    department: str | None = "Marketing",
    seniority: str = "1",
    weekday: str = "any",
    window: str = "any",
    goals: str | None = None,
) -> dict[str, Any]:
    """view.state.values as Slack sends them for the join modal."""

    def option(value: str) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": value}, "value": value}

    return {
        "role": {"value": {"type": "radio_buttons", "selected_option": option(role)}},
        "teach": {
            "value": {
                "type": "multi_static_select",
                "selected_options": [option(s) for s in teach],
            }
        },
        "learn": {
            "value": {
                "type": "multi_static_select",
                "selected_options": [option(s) for s in learn],
            }
        },
        "department": {"value": {"type": "plain_text_input", "value": department}},
        "seniority": {"value": {"type": "static_select", "selected_option": option(seniority)}},
        "weekday": {"value": {"type": "static_select", "selected_option": option(weekday)}},
        "window": {"value": {"type": "static_select", "selected_option": option(window)}},
        "goals": {"value": {"type": "plain_text_input", "value": goals}},
    }
