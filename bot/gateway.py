"""The one way out to Slack's Web API: DMs, modals, App Home and user look-ups.

Everything else talks to Slack through this class, so retries, caching and (later)
pacing live in one place and tests can see every call on the fake Slack.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.rate_limits import GatedWebClient, PauseOnRateLimit, RateLimits

log = logging.getLogger(__name__)

USER_CACHE_SECONDS = 600  # users.info is Tier 4, but admin flags and tz rarely change
MAX_MESSAGE_BLOCKS = 50  # Slack's limit; slack_sdk does not check it


@dataclass(frozen=True)
class SlackUser:
    id: str
    tz: str | None
    is_admin: bool
    is_owner: bool
    deleted: bool
    is_bot: bool


@dataclass(frozen=True)
class UploadedFile:
    id: str
    permalink: str | None


def make_web_client(token: str, base_url: str, limits: RateLimits | None = None) -> GatedWebClient:
    """The client handed to Bolt; Bolt copies base_url and retry handlers per request.
    A 429 pauses its method for every client sharing ``limits``."""
    limits = limits or RateLimits()
    return GatedWebClient(
        token=token,
        base_url=base_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            PauseOnRateLimit(limits, max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
        limits=limits,
    )


class SlackGateway:
    def __init__(self, client: WebClient, monotonic: Callable[[], float] = time.monotonic):
        self._client = client
        self._monotonic = monotonic
        self._users: dict[str, tuple[float, SlackUser]] = {}
        self._dms: dict[str, str] = {}
        self._lock = threading.Lock()

    def user(self, user_id: str) -> SlackUser:
        """users.info, cached for a few minutes per process."""
        now = self._monotonic()
        with self._lock:
            hit = self._users.get(user_id)
        if hit is not None and now - hit[0] < USER_CACHE_SECONDS:
            return hit[1]
        data = self._client.users_info(user=user_id)["user"]
        user = SlackUser(
            id=data["id"],
            tz=data.get("tz"),
            is_admin=bool(data.get("is_admin")),
            is_owner=bool(data.get("is_owner") or data.get("is_primary_owner")),
            deleted=bool(data.get("deleted")),
            is_bot=bool(data.get("is_bot")),
        )
        with self._lock:
            self._users[user_id] = (now, user)
        return user

    def open_dm(self, user_id: str) -> str:
        """conversations.open for one person; callers store the id (the method is Tier 3)."""
        return self._client.conversations_open(users=user_id)["channel"]["id"]

    def dm_channel(self, user_id: str) -> str:
        """The DM with someone who may not be a participant (a lead), opened once per
        process: conversations.open is Tier 3."""
        with self._lock:
            known = self._dms.get(user_id)
        if known is None:
            known = self.open_dm(user_id)
            with self._lock:
                self._dms[user_id] = known
        return known

    def forget_dm(self, user_id: str) -> None:
        with self._lock:
            self._dms.pop(user_id, None)

    def upload_file(
        self, channel: str, filename: str, content: bytes, title: str, comment: str
    ) -> UploadedFile:
        """files_upload_v2 (the upload flow that replaced files.upload) into a channel."""
        response = self._client.files_upload_v2(
            channel=channel,
            filename=filename,
            file=content,
            title=title,
            initial_comment=comment,
        )
        file = response.get("file") or (response.get("files") or [{}])[0]
        return UploadedFile(id=file.get("id", ""), permalink=file.get("permalink"))

    def open_conversation(self, user_ids: Sequence[str]) -> str:
        """conversations.open for a group DM with these people and the bot."""
        return self._client.conversations_open(users=",".join(user_ids))["channel"]["id"]

    def post_message(
        self,
        channel: str,
        text: str,
        blocks: Sequence[Block] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        """chat.postMessage; returns the message ts."""
        if blocks is not None and len(blocks) > MAX_MESSAGE_BLOCKS:
            raise ValueError(f"{len(blocks)} blocks; Slack allows {MAX_MESSAGE_BLOCKS}")
        response = self._client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, metadata=metadata
        )
        return response["ts"]

    def open_modal(self, trigger_id: str, view: View) -> None:
        self._client.views_open(trigger_id=trigger_id, view=view)

    def publish_home(self, user_id: str, view: View) -> None:
        self._client.views_publish(user_id=user_id, view=view)
