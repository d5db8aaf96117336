"""Every Web API call the app makes: posts, conversations, history, users, files, views.

Two clients share one :class:`RateLimits` (a 429 pauses its method for both):

- the *retrying* client (connection errors, 429s off request threads, 5xx) for calls that
  are safe to repeat: look-ups, opening conversations, views, uploads; Bolt gets it too;
- the *posting* client, with no retry handlers: a blind retry after a 5xx could post a
  message twice, so the outbox decides itself, after looking at the history.

Each call's slack_sdk errors come out as :mod:`bot.slack.errors`, and what we send is
checked against Slack's limits first (:mod:`bot.slack.limits`), so a message Slack would
refuse fails here, with a clear reason, instead of after a round trip.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.models.views import View

from bot.slack import limits
from bot.slack.errors import (
    DEAD_TOKEN_CODES,
    SlackError,
    SlackUnavailableError,
    WorkspaceGoneError,
    from_sdk,
)
from bot.slack.rate_limits import GatedWebClient, Observe429, PauseOnRateLimit, RateLimits

USER_CACHE_SECONDS = 600  # users.info is Tier 4, but admin flags and tz rarely change
TIMEOUT_SECONDS = 10

T = TypeVar("T")


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


@dataclass(frozen=True)
class HistoryPage:
    messages: list[dict[str, Any]]
    next_cursor: str | None


@dataclass(frozen=True)
class Identity:
    """auth.test: who the token is, in which workspace."""

    user_id: str
    team_id: str


class SlackGateway:
    def __init__(
        self,
        token: str,
        api_url: str,
        limits: RateLimits | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        on_rate_limited: Callable[[str, float], None] | None = None,
        on_token_dead: Callable[[SlackError], None] | None = None,
    ) -> None:
        self.limits = limits or RateLimits()
        self.token = token
        # Many workspaces: a revoked token stops its workspace (WorkspaceGoneError). With
        # one workspace a refused token is a misconfiguration, kept as it was (rejected).
        self._on_token_dead = on_token_dead
        # Every 429 either client receives, once each, for the metrics.
        observers = [Observe429(on_rate_limited)] if on_rate_limited is not None else []
        self._client = GatedWebClient(
            token=token,
            base_url=api_url,
            timeout=TIMEOUT_SECONDS,
            retry_handlers=[
                *observers,
                ConnectionErrorRetryHandler(max_retry_count=2),
                PauseOnRateLimit(self.limits, max_retry_count=3),
                ServerErrorRetryHandler(max_retry_count=2),
            ],
            limits=self.limits,
        )
        self._post_client = GatedWebClient(
            token=token,
            base_url=api_url,
            timeout=TIMEOUT_SECONDS,
            retry_handlers=list(observers),
            limits=self.limits,
        )
        self._monotonic = monotonic
        self._users: dict[str, tuple[float, SlackUser]] = {}
        self._lock = threading.Lock()

    @property
    def bolt_client(self) -> WebClient:
        """The client Bolt hands its listeners (it copies base_url and retry handlers)."""
        return self._client

    # --- who -----------------------------------------------------------------------

    def identity(self) -> Identity:
        data = self._call("auth.test", self._client.auth_test)
        return Identity(user_id=str(data.get("user_id")), team_id=str(data.get("team_id")))

    def user(self, user_id: str) -> SlackUser:
        """users.info, cached for a few minutes per process."""
        now = self._monotonic()
        with self._lock:
            hit = self._users.get(user_id)
        if hit is not None and now - hit[0] < USER_CACHE_SECONDS:
            return hit[1]
        data = self._call("users.info", lambda: self._client.users_info(user=user_id))["user"]
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

    def user_by_email(self, email: str) -> dict[str, Any]:
        """users.lookupByEmail; NotDeliverableError("users_not_found") if nobody has it."""
        found = self._call(
            "users.lookupByEmail", lambda: self._client.users_lookupByEmail(email=email)
        )
        return dict(found["user"])

    # --- conversations -------------------------------------------------------------

    def open_conversation(self, user_ids: Sequence[str]) -> str:
        """conversations.open: a DM (one person) or a group DM with the bot. Tier 3, so
        callers keep the id (Person.dm_channel_id, Pair.channel_id)."""
        users = ",".join(user_ids)
        return self._call(
            "conversations.open", lambda: self._client.conversations_open(users=users)
        )["channel"]["id"]

    def post_message(
        self,
        channel: str,
        text: str,
        blocks: Sequence[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        """chat.postMessage, never retried here (see the module's docstring); the ts."""
        limits.check_message(text, blocks)
        response = self._call(
            "chat.postMessage",
            lambda: self._post_client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, metadata=metadata
            ),
        )
        return str(response["ts"])

    def update_message(
        self, channel: str, ts: str, text: str, blocks: Sequence[dict[str, Any]]
    ) -> None:
        """Edit a message the app posted (chat.update), within Slack's limits."""
        limits.check_message(text, blocks)
        self._call(
            "chat.update",
            lambda: self._client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks),
        )

    def history(self, channel: str, cursor: str | None = None, limit: int = 200) -> HistoryPage:
        """One page of conversations.history, newest first, with message metadata."""
        page = self._call(
            "conversations.history",
            lambda: self._client.conversations_history(
                channel=channel, include_all_metadata=True, limit=limit, cursor=cursor
            ),
        )
        next_cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        return HistoryPage(list(page.get("messages", [])), next_cursor)

    def upload_file(
        self, channel: str, filename: str, content: bytes, title: str, comment: str
    ) -> UploadedFile:
        """files_upload_v2 (the upload flow that replaced files.upload) into a channel."""
        response = self._call(
            "files.upload",
            lambda: self._client.files_upload_v2(
                channel=channel,
                filename=filename,
                file=content,
                title=title,
                initial_comment=comment,
            ),
        )
        file = response.get("file") or (response.get("files") or [{}])[0]
        return UploadedFile(id=file.get("id", ""), permalink=file.get("permalink"))

    # --- views ---------------------------------------------------------------------

    def open_modal(self, trigger_id: str, view: View) -> None:
        data = limits.check_view(view)
        self._call("views.open", lambda: self._client.views_open(trigger_id=trigger_id, view=data))

    def publish_home(self, user_id: str, view: View) -> None:
        data = limits.check_view(view)
        self._call("views.publish", lambda: self._client.views_publish(user_id=user_id, view=data))

    def _call(self, method: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except SlackError:
            raise  # already ours: a method paused after a 429
        except (SlackApiError, SlackRequestError, OSError, TimeoutError) as error:
            ours = from_sdk(method, error)
            if ours is not None and ours.code in DEAD_TOKEN_CODES and self._on_token_dead:
                gone = WorkspaceGoneError(method, ours.code)
                self._on_token_dead(gone)
                raise gone from error
            raise (ours or SlackUnavailableError(method, "connection", str(error))) from error
