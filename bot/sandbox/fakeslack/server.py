"""FakeSlack: a strict fake of Slack's Web API, served over real HTTP for tests.

Every /api/ call is checked against Slack's OpenAPI spec (spec.py) and Block Kit limits
(blockkit.py), recorded, and answered with the shapes Slack documents. The app talks to it through
slack_sdk's WebClient(base_url=fake.url), so tests exercise the real client code, retries included.

The app can be installed in many workspaces (install(), then oauth.v2.access, as Slack's OAuth
flow goes), org-wide on Enterprise Grid too; each installation's bot token sees only its own
workspace's people and conversations (an org-wide one, those of its org's workspaces).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import copy
import hashlib
import json
import math
import random
import re
import secrets
import string
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from decimal import Decimal
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from bot.sandbox.fakeslack import spec
from bot.sandbox.fakeslack.blockkit import check_message_blocks, check_view
from bot.sandbox.fakeslack.spec import SlackError
from bot.slack.scopes import BOT_SCOPES

TEXT_MAX = 40_000  # Slack truncates longer chat.postMessage text; other chat.* answer msg_too_long
TRIGGER_TTL = 3.0  # seconds a trigger_id can be exchanged for a view
MPIM_MAX_USERS = 8
HISTORY_LIMIT_MAX = 999  # conversations.history serves at most this many messages per page
_CURSOR = re.compile(r"next_ts:([0-9]+)([0-9]{6})")  # history's next_cursor, base64-decoded
CODE_TTL = 600.0  # seconds an OAuth code can be exchanged (Slack's codes last ten minutes)
# Methods that take the app's client id and secret (HTTP Basic auth or form fields).
_CLIENT_METHODS = frozenset({"oauth.v2.access", "apps.uninstall"})


@dataclass(frozen=True)
class Stats:
    """What the fake did with chat.postMessage since the last reset."""

    posts_accepted: int  # messages stored, including those whose reply was then lost
    rate_limited_channel: int  # 429s from a channel's bucket (set_post_limits)
    rate_limited_workspace: int  # 429s from the workspace's bucket
    replies_lost: int  # calls (any method) stored, then answered by accept_then_fail/drop_next
    # or by set_chaos
    modals_opened: int = 0  # views.open calls whose trigger_id was exchanged for a modal
    triggers_expired: int = 0  # views.open calls that came after the trigger's TRIGGER_TTL
    # Calls set_chaos answered with a fault (any method); its lost replies also count
    # in replies_lost.
    chaos_server_errors: int = 0  # a 5xx, nothing done
    chaos_rate_limited: int = 0  # a 429 with Retry-After, nothing done
    chaos_replies_lost: int = 0  # done (a message stored), then a 500 or no answer at all

    @property
    def rate_limited(self) -> int:
        return self.rate_limited_channel + self.rate_limited_workspace


@dataclass(frozen=True)
class PostPace:
    """chat.postMessage's pace as the fake's limits saw it (see FakeSlack.post_pace)."""

    ceiling: float | None  # the workspace's limit, messages a second (None: none set)
    burst: int  # the workspace bucket's size: what may go at once after a quiet spell
    window: float  # seconds, for busiest and busiest_tried
    accepted: int  # messages stored
    refused_channel: int  # 429s from a channel's bucket
    refused_workspace: int  # 429s from the workspace's bucket
    busiest: int  # most messages stored in any `window` seconds
    busiest_tried: int  # most posts that reached the limits (stored or refused) in any window
    seconds: float  # from the first stored message to the last
    # Of those seconds, the ones inside a pause the fake asked for on chat.postMessage
    # (a chaos 429's Retry-After), when a client that honours it sends nothing.
    paused: float = 0.0

    @property
    def peak_rate(self) -> float:
        """Messages a second in the busiest window."""
        return self.busiest / self.window

    @property
    def mean_rate(self) -> float:
        """Messages a second from the first stored message to the last (0: fewer than 2)."""
        return (self.accepted - 1) / self.seconds if self.seconds > 0 else 0.0

    @property
    def most_allowed(self) -> float | None:
        """The most the workspace bucket lets through in `window` seconds: a full bucket,
        then the ceiling's rate (None: no ceiling)."""
        return None if self.ceiling is None else self.burst + self.ceiling * self.window


@dataclass(frozen=True)
class Call:
    """One request the fake received: a Web API method, or "response_url"."""

    method: str
    args: dict[str, Any]  # form, query or JSON arguments, JSON-string ones decoded
    headers: dict[str, str]
    at: float  # time.time() when it was answered
    # The workspace and Grid org of the bot token that made the call (a revoked one too);
    # None without one: oauth.v2.access, the app-level token, response_url posts, bad tokens.
    # An org-wide token's calls have no team_id.
    team_id: str | None = None
    enterprise_id: str | None = None


@dataclass(frozen=True)
class _Installation:
    """The app installed in a workspace, or org-wide on Enterprise Grid, and its bot token."""

    token: str
    team_id: str | None  # None for an org-wide install
    enterprise_id: str | None
    is_enterprise_install: bool
    bot_user_id: str
    bot_id: str
    revoked: bool = False

    @property
    def key(self) -> tuple[str | None, str | None]:
        """What a reinstall replaces: the workspace, or for an org-wide install the org."""
        return self.enterprise_id, None if self.is_enterprise_install else self.team_id

    @property
    def reach(self) -> str:
        """Whose conversations this bot opens: its workspace's, or for an org-wide install
        the org's."""
        return (self.enterprise_id if self.is_enterprise_install else self.team_id) or ""


@dataclass(frozen=True)
class _Team:
    name: str
    enterprise_id: str | None  # its Grid org, if any


@dataclass(frozen=True)
class _Grant:
    """Someone pressed "Allow": the code Slack sent to the redirect URL, waiting for the app to
    exchange it (oauth.v2.access)."""

    token: str
    user_id: str  # who installed
    redirect_uri: str | None  # the exchange must name the same one, if any was given
    at: float  # time.monotonic() issued


@dataclass(frozen=True)
class _ResponseTarget:
    """Where a response_url's posts show: for whom, in which conversation, replacing what."""

    user: str | None
    channel: str | None
    source: tuple[str, str] | None  # ("ephemeral", id) or ("message", ts)


@dataclass(frozen=True)
class _Reply:
    status: int
    body: dict[str, Any] | str  # a str goes out as text/plain
    headers: Mapping[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering at all

    @property
    def accepted(self) -> bool:
        return self.status == 200 and isinstance(self.body, dict) and self.body.get("ok") is True


@dataclass(frozen=True)
class _AfterAccepting:
    """A scripted reply that replaces the answer of the next call the fake accepts (and stores)."""

    reply: _Reply


_NO_ANSWER = _Reply(0, "", drop=True)

Result = dict[str, Any] | SlackError | _Reply


def _reply(result: Result) -> _Reply:
    if isinstance(result, _Reply):
        return result
    if isinstance(result, SlackError):
        return _Reply(result.status, result.body())
    return _Reply(200, result)


class _Bucket:
    """A token bucket: rate tokens a second, at most size of them, one per message."""

    __slots__ = ("at", "rate", "size", "tokens")

    def __init__(self, rate: float, size: int, now: float) -> None:
        self.rate, self.size, self.tokens, self.at = rate, size, float(size), now

    def wait(self, now: float) -> float:
        """Seconds until a token is free; 0 if one is now."""
        self.tokens = min(self.size, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class _PostLimits:
    """chat.postMessage's limits: a bucket per channel and one for the workspace, and when
    each post they saw was stored or refused (time.monotonic(), in order), for post_pace."""

    def __init__(
        self, per_channel: float | None, workspace: float | None, burst: int, workspace_burst: int
    ) -> None:
        self.per_channel, self.burst = per_channel, burst
        self.ceiling, self.workspace_burst = workspace, workspace_burst
        self.channels: dict[str, _Bucket] = {}
        self.workspace = (
            _Bucket(workspace, workspace_burst, time.monotonic()) if workspace else None
        )
        self.stored: list[float] = []
        self.refused: list[float] = []
        self.refused_by: list[str] = []  # for each refusal: "channel" or "workspace"
        self.pauses: list[tuple[float, float]] = []  # chaos 429s: (from, until), in order

    def take(self, channel: str) -> tuple[str, float] | None:
        """Spends a token from both buckets, or says which one is empty and for how long.

        Both must have a token: a refused message spends nothing, as Slack did not post it.
        """
        now = time.monotonic()
        buckets: list[tuple[str, _Bucket]] = []
        if self.per_channel:
            bucket = self.channels.get(channel)
            if bucket is None:
                bucket = self.channels[channel] = _Bucket(self.per_channel, self.burst, now)
            buckets.append(("channel", bucket))
        if self.workspace:
            buckets.append(("workspace", self.workspace))
        waits = [(bucket.wait(now), reason) for reason, bucket in buckets]
        wait, reason = max(waits, default=(0.0, ""))
        if wait > 0:
            self.refused.append(now)
            self.refused_by.append(reason)
            return reason, wait
        for _, bucket in buckets:
            bucket.tokens -= 1
        self.stored.append(now)
        return None

    def pace(self, window: float, since: float | None, until: float | None) -> PostPace:
        def part(times: list[float]) -> slice:
            first = 0 if since is None else bisect.bisect_left(times, since)
            return slice(first, len(times) if until is None else bisect.bisect_right(times, until))

        stored = self.stored[part(self.stored)]
        span = part(self.refused)
        refused = self.refused_by[span]
        return PostPace(
            ceiling=self.ceiling,
            burst=self.workspace_burst,
            window=window,
            accepted=len(stored),
            refused_channel=refused.count("channel"),
            refused_workspace=refused.count("workspace"),
            busiest=_busiest(stored, window),
            busiest_tried=_busiest(sorted([*stored, *self.refused[span]]), window),
            seconds=stored[-1] - stored[0] if stored else 0.0,
            paused=_covered(self.pauses, stored[0], stored[-1]) if stored else 0.0,
        )


def _covered(spans: list[tuple[float, float]], start: float, end: float) -> float:
    """Seconds of [start, end] inside any of these spans (sorted by their start)."""
    total, reached = 0.0, start
    for begin, until in spans:
        if begin >= end:
            break
        first, last = max(begin, reached), min(until, end)
        if last > first:
            total += last - first
            reached = last
    return total


def _busiest(times: list[float], window: float) -> int:
    """The most of these sorted instants within any `window` seconds (end excluded)."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


CHAOS_FAULTS = ("server_error", "rate_limited", "accepted_then_failed", "accepted_then_dropped")


@dataclass(frozen=True)
class _Chaos:
    """set_chaos's settings and its random draws."""

    rate: float
    faults: tuple[str, ...]
    methods: frozenset[str] | None  # None: every Web API method
    retry_after: int
    draws: random.Random

    def fault_for(self, method: str) -> str | None:
        """The fault this call gets, if any: one draw per call it applies to."""
        if self.methods is not None and method not in self.methods:
            return None
        if self.draws.random() >= self.rate:
            return None
        return self.draws.choice(self.faults)


_HANDLERS: dict[str, Callable[[FakeSlack, dict[str, Any]], Result]] = {}


def _handles(*methods: str) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Registers a FakeSlack method as the answer to Web API methods that need more than ok."""

    def register(func: Callable[..., Result]) -> Callable[..., Result]:
        for method in methods:
            _HANDLERS[method] = func
        return func

    return register


class FakeSlack:
    """A Slack Web API on 127.0.0.1 with a free port; see the module docstring."""

    # The first installation's bot (the constructor's token and team); others get their own.
    bot_user_id = "U0FAKEBOT1"
    bot_id = "B0FAKEBOT1"
    app_id = "A0FAKEAPP1"
    team_name = "Upward Test"

    def __init__(
        self,
        token: str = "xoxb-test-token",
        team_id: str = "T0TEST001",
        app_token: str = "xapp-1-A0FAKEAPP1-1-test",
        keep_calls: int | None = None,
        *,
        client_id: str = "1111111111.2222222222",
        client_secret: str = "fake-client-secret",
    ) -> None:
        """token, team_id: the first installation, there from the start (more come with
        install()). keep_calls: how many recorded calls to keep (None: all, as tests want;
        the sandbox runs for days and keeps only the latest). client_id, client_secret: the
        app's OAuth credentials, for oauth.v2.access and apps.uninstall."""
        self.token = token
        self.client_id = client_id
        self.client_secret = client_secret
        self._keep_calls = keep_calls
        self.team_id = team_id
        self.app_token = app_token
        # Where apps.connections.open sends Socket Mode clients (a FakeSocketModeServer).
        self.socket_mode_url: str | None = None
        # Where file permalinks point (the sandbox serves shared files from its own page).
        self.files_url: str | None = None
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._last_ts_us = 0  # keeps message ts strictly increasing, across resets too
        self._version = 0  # grows with every change people could see, across resets too
        self.reset()

    # -- lifecycle

    def start(self) -> FakeSlack:
        if self._server is not None:
            raise RuntimeError("FakeSlack is already started")
        self._server = _Server(self)
        # A short poll interval keeps stop() fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fakeslack",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The Web API base URL, for WebClient(base_url=...)."""
        return f"{self._origin}/api/"

    @property
    def _origin(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    def reset(self, *, rewind_ts: bool = False) -> None:
        """Forgets calls, faults, chaos, delays, post limits, stats, users, conversations,
        messages, views, triggers, files, teams and installations but the first; message ts
        follow the real clock again. Message ts stay increasing across resets unless rewind_ts
        (the sandbox's reset rewinds its clock)."""
        with self._lock:
            first = _Installation(
                self.token, self.team_id, None, False, self.bot_user_id, self.bot_id
            )
            self._installations: dict[str, _Installation] = {self.token: first}  # by token
            self._teams: dict[str, _Team] = {self.team_id: _Team(self.team_name, None)}
            self._grants: dict[str, _Grant] = {}  # OAuth code -> what it stands for
            # Channel id -> the team whose bot opened it, or the org for an org-wide bot's;
            # a channel not in here is the first team's (all there was before installations).
            self._channel_owners: dict[str, str] = {}
            # The installation whose token made the call being answered, for the handlers
            # (set and cleared with the lock held, so only ever one).
            self._caller: _Installation | None = None
            if rewind_ts:
                self._last_ts_us = 0
            # What message ts are stamped with, in epoch seconds: a test whose app runs on a
            # fixed clock points this at it, so history's oldest and latest mean the same to both.
            self.clock: Callable[[], float] = time.time
            self._calls: deque[Call] = deque(maxlen=self._keep_calls)
            self._faults: dict[str, deque[_Reply | _AfterAccepting]] = {}
            self._delays: dict[str, float] = {}
            self._users: dict[str, dict[str, Any]] = {}
            self._opened: dict[str, tuple[str, ...]] = {}  # channel id -> member user ids
            self._messages: dict[str, list[dict[str, Any]]] = {}  # channel id -> oldest first
            self._views: dict[str, dict[str, Any]] = {}
            self._home_views: dict[str, str] = {}  # user id -> view id
            self._triggers: dict[str, float] = {}  # trigger id -> time.monotonic() issued
            self._exchanged: set[str] = set()
            # response_url id -> who it answers: the person, the conversation and the
            # message it came from ("ephemeral"/"message", id or ts), for replace_original.
            self._response_ids: dict[str, _ResponseTarget] = {}
            self._trigger_users: dict[str, str] = {}  # trigger id -> the person it is for
            self._modal_stacks: dict[str, list[str]] = {}  # user id -> view ids, top last
            self._ephemeral: dict[str, list[dict[str, Any]]] = {}  # user id -> oldest first
            self._channels: dict[str, str] = {}  # public channel id -> name
            self._files: dict[str, dict[str, Any]] = {}
            self._post_limits: _PostLimits | None = None
            self._chaos: _Chaos | None = None
            self._stats = dict.fromkeys((f.name for f in fields(Stats)), 0)

    # -- directory

    def add_user(
        self,
        user_id: str,
        *,
        team_id: str | None = None,
        tz: str = "America/New_York",
        is_admin: bool = False,
        is_owner: bool = False,
        deleted: bool = False,
        is_bot: bool = False,
        email: str | None = None,
        real_name: str | None = None,
        title: str | None = None,
    ) -> dict[str, Any]:
        """Adds a user to a workspace's directory (the first team's unless team_id; a new
        team_id is a new team, outside any Grid org unless add_team said otherwise); returns
        the users.info `user` object."""
        team = team_id or self.team_id
        name = real_name or user_id.lower()
        now = datetime.now(ZoneInfo(tz))
        offset = now.utcoffset()
        profile: dict[str, Any] = {
            "real_name": name,
            "real_name_normalized": name,
            "display_name": name,
            "display_name_normalized": name,
            "title": title or "",
            "team": team,
        }
        if email is not None:  # Slack only shows it with the users:read.email scope
            profile["email"] = email
        if is_bot:
            profile["bot_id"] = "B" + user_id[1:]
        user = {
            "id": user_id,
            "team_id": team,
            "name": user_id.lower(),
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": name,
            "tz": tz,
            "tz_label": now.tzname(),  # zoneinfo's abbreviation ("EST"), not Slack's long name
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "profile": profile,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
            "has_2fa": False,
        }
        with self._lock:
            self._users[user_id] = user
            self._teams.setdefault(team, _Team(f"Team {team}", None))
        return copy.deepcopy(user)

    def add_team(
        self, team_id: str, *, enterprise_id: str | None = None, name: str | None = None
    ) -> None:
        """A workspace, in a Grid org when enterprise_id is given. Its users see only bots
        installed in it, or installed org-wide in that org."""
        with self._lock:
            self._enrol_team(team_id, enterprise_id, name)

    # -- installations (the app's OAuth flow, as Slack's side of it)

    def install(
        self,
        team_id: str | None,
        *,
        enterprise_id: str | None = None,
        is_enterprise_install: bool = False,
        team_name: str | None = None,
        user_id: str = "U0INSTALL1",
        redirect_uri: str | None = None,
    ) -> str:
        """Someone presses "Allow" on Slack's install page: the app is installed in the team
        (or org-wide in enterprise_id, when is_enterprise_install; team_id may be None then)
        and the returned code is what Slack appends to the redirect URL (?code=...&state=...),
        for the app to exchange once with oauth.v2.access, within CODE_TTL seconds. If
        redirect_uri is given, the exchange must name the same one. Installing again while
        the app is still installed keeps its bot token; after an uninstall or a revoke, a new
        token is issued."""
        if is_enterprise_install and enterprise_id is None:
            raise ValueError("an org-wide install is into a Grid org: give its enterprise_id")
        if not is_enterprise_install and team_id is None:
            raise ValueError("a workspace install needs the workspace's team_id")
        with self._lock:
            if team_id is not None:
                self._enrol_team(team_id, enterprise_id, team_name)
                enterprise_id = self._teams[team_id].enterprise_id
            installation = self._installed(
                enterprise_id, None if is_enterprise_install else team_id
            ) or self._new_installation(team_id, enterprise_id, is_enterprise_install)
            code = _new_code()
            self._grants[code] = _Grant(installation.token, user_id, redirect_uri, time.monotonic())
        return code

    def bot_token_of(
        self, team_id: str | None = None, enterprise_id: str | None = None
    ) -> str | None:
        """The bot token that acts in a workspace (its own install's, else its org's org-wide
        one), or with only enterprise_id the org-wide one; None if the app is not installed."""
        with self._lock:
            installation = self._acting_in(team_id, enterprise_id)
            return installation.token if installation else None

    def uninstall(self, team_id: str | None = None, enterprise_id: str | None = None) -> None:
        """An admin removes the app in Slack (the app then gets an app_uninstalled event, which
        the test sends): the workspace's install, or with only enterprise_id the org-wide one,
        has its token revoked."""
        with self._lock:
            if team_id is not None:
                team = self._teams.get(team_id)
                enterprise_id = team.enterprise_id if team else None
            installation = self._installed(enterprise_id, team_id)
            if installation is None:
                raise ValueError(f"the app is not installed in {team_id or enterprise_id}")
            self._revoke(installation)

    # -- what the app sent

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def settle(self, quiet: float = 0.15, timeout: float = 5.0) -> None:
        """Wait until no call has arrived for `quiet` seconds: work an app does after its
        ack (a welcome DM, an App Home refresh) then lands before the next test resets."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self._calls[-1].at if self._calls else 0.0
            idle = time.time() - last
            if idle >= quiet:
                return
            time.sleep(quiet - idle)

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Calls to method once there are at least count; for work the app does after its ack."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.calls_to(method)
            if len(calls) >= count:
                return calls
            if time.monotonic() >= deadline:
                recorded = [call.method for call in self.calls]
                raise AssertionError(
                    f"expected {count} call(s) to {method} within {timeout}s, got {len(calls)}; "
                    f"recorded: {recorded}"
                )
            time.sleep(0.01)

    @property
    def conversations_opened(self) -> dict[str, tuple[str, ...]]:
        """Conversations opened with conversations.open: channel id -> member user ids."""
        with self._lock:
            return dict(self._opened)

    def file_bytes(self, file_id: str) -> tuple[str, bytes] | None:
        """A shared file's name and bytes, for the sandbox page to show or download."""
        with self._lock:
            stored = self._files.get(file_id)
            if stored is None or stored["bytes"] is None:
                return None
            return stored["filename"], stored["bytes"]

    @property
    def uploaded_files(self) -> dict[str, dict[str, Any]]:
        """Files whose bytes arrived: file id -> bytes, filename, title, channel_id and
        the initial comment."""
        keys = ("bytes", "filename", "title", "channel_id", "comment")
        with self._lock:
            return {
                file_id: {key: stored[key] for key in keys}
                for file_id, stored in self._files.items()
                if stored["bytes"] is not None
            }

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Copies of the messages stored in channel (or a user's DM), oldest first: thread
        replies and metadata included, whatever history would show."""
        with self._lock:
            return copy.deepcopy(self._messages.get(self._resolve_channel(channel), []))

    def all_messages(self) -> dict[str, list[dict[str, Any]]]:
        """messages() for every channel that has any: channel id -> messages, oldest first."""
        with self._lock:
            return copy.deepcopy(self._messages)

    @property
    def stats(self) -> Stats:
        with self._lock:
            return Stats(**self._stats)

    # -- what Slack hands the app

    def new_response_url(
        self,
        user: str | None = None,
        channel: str | None = None,
        source: tuple[str, str] | None = None,
    ) -> str:
        """A response_url like slash commands and interactive payloads carry; respond() POSTs it.

        With a user and channel, what is posted there is kept as Slack shows it: an ephemeral
        message for the user, or (replace_original) a change to the source message, given as
        ("ephemeral", id) or ("message", ts)."""
        response_id = secrets.token_urlsafe(12)
        url = f"{self._origin}/response/{response_id}"
        with self._lock:
            self._response_ids[response_id] = _ResponseTarget(user, channel, source)
        return url

    def new_trigger_id(self, user: str | None = None) -> str:
        """A trigger_id in Slack's format, exchangeable once, within TRIGGER_TTL seconds; a
        modal opened with it is the user's (modal_of)."""
        trigger_id = (
            f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**11)}.{secrets.token_hex(16)}"
        )
        with self._lock:
            self._triggers[trigger_id] = time.monotonic()
            if user is not None:
                self._trigger_users[trigger_id] = user
        return trigger_id

    # -- what people do in Slack

    def add_reply(self, channel: str, thread_ts: str, user: str, text: str) -> dict[str, Any]:
        """Stores a person's reply in a thread, for conversations.replies and messages() to see;
        returns the Events API `message` event Slack would deliver for it."""
        with self._lock:
            parent = next(
                (m for m in self._messages.get(channel, []) if m["ts"] == thread_ts), None
            )
            if parent is None or parent.get("thread_ts", thread_ts) != thread_ts:
                raise ValueError(f"no thread {thread_ts} in {channel}")
            ts = self._next_ts()
            message = {
                "type": "message",
                "user": user,
                "text": text,
                "ts": ts,
                "thread_ts": thread_ts,
                "parent_user_id": parent.get("user"),
                "team": self.team_id,
                "client_msg_id": secrets.token_hex(16),
            }
            self._messages[channel].append(message)
        return {
            **copy.deepcopy(message),
            "channel": channel,
            "channel_type": _channel_type(channel),
            "event_ts": ts,
        }

    def post_as_user(
        self, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """Stores a message a person wrote (in a thread when thread_ts is given); returns the
        Events API `message` event Slack would deliver for it."""
        if thread_ts is not None:
            return self.add_reply(channel, thread_ts, user, text)
        with self._lock:
            ts = self._next_ts()
            message = {
                "type": "message",
                "user": user,
                "text": text,
                "ts": ts,
                "team": self.team_id,
                "client_msg_id": secrets.token_hex(16),
            }
            self._messages.setdefault(channel, []).append(message)
        return {
            **copy.deepcopy(message),
            "channel": channel,
            "channel_type": _channel_type(channel),
            "event_ts": ts,
        }

    def add_channel(self, channel_id: str, name: str, *, team_id: str | None = None) -> None:
        """A public channel everyone in the workspace (the first team unless team_id) is in,
        like the sandbox's #shout-outs."""
        with self._lock:
            self._channels[channel_id] = name
            self._channel_owners[channel_id] = team_id or self.team_id
            self._messages.setdefault(channel_id, [])

    @property
    def channels(self) -> dict[str, str]:
        with self._lock:
            return dict(self._channels)

    def conversations_of(self, user: str) -> list[tuple[str, tuple[str, ...]]]:
        """The conversations a person sees: their DM with the app, the group DMs they are in
        and the public channels, as (channel id, member ids); DM first."""
        with self._lock:
            dm = _conversation_id([user])
            groups = [
                (channel, members)
                for channel, members in self._opened.items()
                if len(members) > 1 and user in members
            ]
            channels = [(channel, ()) for channel in self._channels]
        return [(dm, (user,)), *sorted(groups), *channels]

    def dm_of(self, user: str) -> str:
        """The id of the app's DM with a person, opened or not."""
        return _conversation_id([user])

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self._lock:
            found = next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)
            return copy.deepcopy(found)

    def add_ephemeral(
        self, user: str, channel: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> str:
        """Shows a message to one person only (a slash command's ack); returns its id."""
        with self._lock:
            return self._store_ephemeral(user, channel, {"text": text, "blocks": blocks or []})

    def reserve_ephemeral(self, user: str, channel: str) -> str:
        """A place for a slash command's ack, made before the command is sent: its
        response_url may replace it (replace_original) before the ack even arrives."""
        with self._lock:
            ephemeral_id = self._store_ephemeral(user, channel, {})
            self._ephemeral[user][-1]["pending"] = True
            return ephemeral_id

    def fill_ephemeral(
        self, user: str, ephemeral_id: str, text: str, blocks: list[dict[str, Any]]
    ) -> None:
        """The ack for a reserved place: shown, unless a response_url got there first; an
        empty ack shows nothing."""
        with self._lock:
            mine = self._ephemeral.get(user, [])
            for index, shown in enumerate(mine):
                if shown["id"] == ephemeral_id and shown.get("pending"):
                    if text or blocks:
                        shown.update(text=text, blocks=blocks)
                        shown.pop("pending")
                    else:
                        del mine[index]
                    self._version += 1
                    return

    def ephemeral_of(self, user: str) -> list[dict[str, Any]]:
        """What only this person sees, oldest first: id, channel, ts, text, blocks."""
        with self._lock:
            shown = [e for e in self._ephemeral.get(user, []) if not e.get("pending")]
            return copy.deepcopy(shown)

    def home_of(self, user: str) -> dict[str, Any] | None:
        """The App Home view last published for a person."""
        with self._lock:
            view = self._views.get(self._home_views.get(user, ""))
            return copy.deepcopy(view)

    def modal_of(self, user: str) -> dict[str, Any] | None:
        """The modal on top of the person's stack, or None."""
        with self._lock:
            stack = self._modal_stacks.get(user, [])
            return copy.deepcopy(self._views[stack[-1]]) if stack else None

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            return copy.deepcopy(self._views.get(view_id))

    def modal_depth(self, user: str) -> int:
        with self._lock:
            return len(self._modal_stacks.get(user, []))

    def close_modal(self, user: str, *, everything: bool = False) -> None:
        """What Slack does when a modal is closed or submitted: the top view goes (or all)."""
        with self._lock:
            stack = self._modal_stacks.get(user, [])
            if everything:
                stack.clear()
            elif stack:
                stack.pop()
            self._version += 1

    def answer_modal(self, user: str, view: dict[str, Any], *, push: bool) -> dict[str, Any]:
        """A view_submission's response_action update or push, applied as Slack would; the
        view is checked like one sent by views.update or views.push."""
        error = check_view(view, view_type="modal")
        if error:
            raise ValueError(f"Slack would refuse this view: {error.error}")
        with self._lock:
            stack = self._modal_stacks.setdefault(user, [])
            team_id = self._acting_team(user)
            if push or not stack:
                stored = self._store_view(view, team_id=team_id)
                stack.append(stored["id"])
                return stored
            return self._store_view(view, view_id=stack[-1], team_id=team_id)

    # -- keeping the workspace across restarts (the sandbox's)

    _KEPT = (
        "_opened",
        "_messages",
        "_views",
        "_home_views",
        "_ephemeral",
        "_channels",
        "_channel_owners",
    )

    def export_state(self) -> dict[str, Any]:
        """What people have seen, as JSON-able data: conversations, messages, views, Home
        tabs, ephemeral messages, channels and shared files (modals in flight are not), and
        the teams and installations (codes not yet exchanged are not)."""
        with self._lock:
            state = {name: copy.deepcopy(getattr(self, name)) for name in self._KEPT}
            state["_opened"] = {k: list(v) for k, v in self._opened.items()}
            state["teams"] = {team_id: asdict(team) for team_id, team in self._teams.items()}
            state["installations"] = [asdict(i) for i in self._installations.values()]
            state["files"] = {
                file_id: {
                    **{k: v for k, v in stored.items() if k != "bytes"},
                    "bytes": base64.b64encode(stored["bytes"]).decode()
                    if stored["bytes"] is not None
                    else None,
                }
                for file_id, stored in self._files.items()
            }
            state["last_ts_us"] = self._last_ts_us
            return state

    def import_state(self, state: dict[str, Any]) -> None:
        """Puts back what export_state() gave; users are seeded separately. The constructor's
        installation stays, as the app it serves still has its token."""
        with self._lock:
            for name in self._KEPT:
                setattr(self, name, copy.deepcopy(state.get(name, {})))
            self._opened = {k: tuple(v) for k, v in self._opened.items()}
            for team_id, team in state.get("teams", {}).items():
                self._teams[team_id] = _Team(**team)
            for kept in state.get("installations", []):
                installation = _Installation(**kept)
                if installation.token != self.token:
                    self._installations[installation.token] = installation
            self._files = {
                file_id: {
                    **stored,
                    "bytes": base64.b64decode(stored["bytes"]) if stored["bytes"] else None,
                }
                for file_id, stored in state.get("files", {}).items()
            }
            self._last_ts_us = max(self._last_ts_us, int(state.get("last_ts_us", 0)))

    @property
    def changes(self) -> tuple[int, int]:
        """Changes whenever anything people see may have: a ts stamped (a message), a view
        stored, an ephemeral message changed."""
        with self._lock:
            return self._last_ts_us, self._version

    # -- limits

    def set_post_limits(
        self,
        per_channel: float | None = 1.0,
        workspace: float | None = None,
        burst: int = 1,
        *,
        workspace_burst: int | None = None,
    ) -> None:
        """Rate-limits chat.postMessage as Slack does: token buckets of burst messages refilled at
        per_channel a second in each channel and workspace a second across all (None: no limit;
        workspace_burst defaults to burst). A message over either gets a 429 with Retry-After
        (whole seconds until a token is free, rounded up, at least 1) and is not stored.
        set_post_limits(None, None) and reset() lift the limits."""
        for rate in (per_channel, workspace):
            if rate is not None and rate <= 0:
                raise ValueError("a rate is messages per second, more than 0 (or None)")
        sizes = (burst, burst if workspace_burst is None else workspace_burst)
        if min(sizes) < 1:
            raise ValueError("a burst is at least one message")
        limits = _PostLimits(per_channel, workspace, *sizes) if per_channel or workspace else None
        with self._lock:
            self._post_limits = limits

    def post_pace(
        self, window: float = 1.0, *, since: float | None = None, until: float | None = None
    ) -> PostPace:
        """How fast chat.postMessage went since set_post_limits, as its limits saw it: the
        messages stored and refused, the busiest `window` seconds, and the workspace's
        ceiling to hold them against. since/until: time.monotonic() instants, to look at
        a part of the run (this process's clock: the fake runs in it). Without limits
        (none set, or lifted) there is nothing to report: a ValueError."""
        if window <= 0:
            raise ValueError("a window is some seconds, more than 0")
        with self._lock:
            limits = self._post_limits
            if limits is None:
                raise ValueError("post_pace needs set_post_limits: nothing is counted without")
            return limits.pace(window, since, until)

    # -- faults

    def fail_next(self, method: str, error: str, *, times: int = 1, status: int = 200) -> None:
        self._script(method, _Reply(status, {"ok": False, "error": error}), times)

    def rate_limit_next(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        reply = _Reply(
            429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
        )
        self._script(method, reply, times)

    def server_error_next(self, method: str, *, status: int = 503, times: int = 1) -> None:
        # A 503 carries Slack's JSON error; other 5xx look like a proxy's plain-text page.
        body: dict[str, Any] | str = (
            {"ok": False, "error": "service_unavailable"}
            if status == 503
            else f"{status} Server Error"
        )
        self._script(method, _Reply(status, body), times)

    def accept_then_fail_next(
        self, method: str, *, status: int = 500, times: int = 1, error: str = "internal_error"
    ) -> None:
        """The next `times` calls to method that the fake accepts do everything a success does (a
        message is stored, metadata and all) but are answered with an HTTP error: Slack's JSON
        error for 200, 500 and 503, a proxy's plain-text page for other statuses. Calls the fake
        refuses (bad arguments, rate limits) are answered as usual and do not use them up."""
        body: dict[str, Any] | str = (
            {"ok": False, "error": error} if status in (200, 500, 503) else f"{status} Server Error"
        )
        self._script(method, _AfterAccepting(_Reply(status, body)), times)

    def accept_then_drop_next(self, method: str, *, times: int = 1) -> None:
        """Like accept_then_fail_next, but the connection closes without any HTTP response:
        slack_sdk raises http.client.RemoteDisconnected (a ConnectionError), and its default
        ConnectionErrorRetryHandler sends the call again."""
        self._script(method, _AfterAccepting(_NO_ANSWER), times)

    def set_chaos(
        self,
        rate: float = 0.05,
        *,
        seed: int | None = None,
        faults: Collection[str] = CHAOS_FAULTS,
        methods: Collection[str] | None = None,
        retry_after: int = 1,
    ) -> None:
        """From now on, a share `rate` of Web API calls (to `methods`; None: all of them)
        fail, each with one of `faults` picked at random:

        - "server_error": a 503 with Slack's JSON error; nothing is done;
        - "rate_limited": a 429 with Retry-After: `retry_after`; nothing is done;
        - "accepted_then_failed": done as a success (a message stored, metadata and all),
          then answered 500, as accept_then_fail_next does;
        - "accepted_then_dropped": done as a success, then the connection closes with no
          answer at all, as accept_then_drop_next does.

        A call the fake refuses anyway (bad arguments, a post over the limits) is answered
        as usual, and a scripted fault (fail_next, ...) waiting for a method goes first.
        With a seed, the same sequence of calls meets the same faults (calls from several
        threads arrive in the order they arrive). set_chaos(0) and reset() turn it off."""
        if not 0 <= rate <= 1:
            raise ValueError("rate is the share of calls that fail, from 0 to 1")
        unknown = set(faults) - set(CHAOS_FAULTS)
        if unknown or not faults:
            raise ValueError(f"faults are some of {', '.join(CHAOS_FAULTS)} (got {faults!r})")
        if retry_after < 1:
            raise ValueError("Retry-After is whole seconds, at least 1")
        chaos = _Chaos(
            rate=rate,
            faults=tuple(f for f in CHAOS_FAULTS if f in set(faults)),
            methods=frozenset(methods) if methods is not None else None,
            retry_after=retry_after,
            draws=random.Random(seed),  # noqa: S311 - faults, not secrets
        )
        with self._lock:
            self._chaos = chaos if rate > 0 else None

    def delay(self, method: str, seconds: float) -> None:
        """Answers method only after seconds, from now on (0 turns it off)."""
        with self._lock:
            self._delays[method] = seconds

    def _script(self, method: str, reply: _Reply | _AfterAccepting, times: int) -> None:
        with self._lock:
            self._faults.setdefault(method, deque()).extend([reply] * times)

    # -- request handling (runs in the server's threads)

    def _serve(self, verb: str, path: str, headers: Message, body: bytes) -> _Reply:
        url = urlsplit(path)
        kind, _, rest = url.path.removeprefix("/").partition("/")
        if kind == "api":  # Slack takes GET and POST for every method
            args, body_error = _parse_args(url.query, headers.get("Content-Type", ""), body)
            args = spec.decode_json_args(rest, args)
            return self._answer(
                rest, args, headers, lambda: self._api_call(rest, args, headers, body_error)
            )
        if kind == "response" and verb == "POST":
            payload, body_error = _parse_args("", "application/json", body)
            return self._answer(
                "response_url", payload, headers, lambda: self._respond(rest, payload, body_error)
            )
        if kind == "upload" and verb == "POST":
            with self._lock:
                return self._upload(rest, body)
        return _Reply(404, "not found")

    def _answer(
        self, method: str, args: dict[str, Any], headers: Message, answer: Callable[[], _Reply]
    ) -> _Reply:
        with self._lock:
            delay = self._delays.get(method, 0)
        time.sleep(delay)  # outside the lock: a slow method must not stall the others
        with self._lock:
            scripted = self._faults.get(method, deque())
            fault = scripted[0] if scripted else None
            chaos = None
            if fault is None and self._chaos is not None and method != "response_url":
                chaos = self._chaos.fault_for(method)
            if isinstance(fault, _Reply):
                scripted.popleft()
                reply = fault
            elif chaos in ("server_error", "rate_limited"):
                reply = self._chaos_reply(chaos)
                if chaos == "rate_limited" and method == "chat.postMessage" and self._post_limits:
                    now = time.monotonic()
                    self._post_limits.pauses.append((now, now + self._chaos.retry_after))
            else:
                reply = answer()
                # A lost reply waits for a call that does what a success does.
                if isinstance(fault, _AfterAccepting) and reply.accepted:
                    scripted.popleft()
                    reply = fault.reply
                    self._stats["replies_lost"] += 1
                elif chaos is not None and reply.accepted:
                    reply = self._chaos_reply(chaos)
            # Recorded once answered, so a test that waited for a call also sees its effects.
            installation = self._installations.get(_bearer(headers) or "")
            self._calls.append(
                Call(
                    method,
                    args,
                    dict(headers.items()),
                    time.time(),
                    team_id=installation.team_id if installation else None,
                    enterprise_id=installation.enterprise_id if installation else None,
                )
            )
        return reply

    def _chaos_reply(self, fault: str) -> _Reply:
        """set_chaos's answer for a call it fails (called with the lock held)."""
        assert self._chaos is not None
        if fault == "server_error":
            self._stats["chaos_server_errors"] += 1
            return _Reply(503, {"ok": False, "error": "service_unavailable"})
        if fault == "rate_limited":
            self._stats["chaos_rate_limited"] += 1
            return _Reply(
                429,
                {"ok": False, "error": "ratelimited"},
                {"Retry-After": str(self._chaos.retry_after)},
            )
        self._stats["chaos_replies_lost"] += 1
        self._stats["replies_lost"] += 1
        if fault == "accepted_then_failed":
            return _Reply(500, {"ok": False, "error": "internal_error"})
        return _NO_ANSWER

    def _api_call(
        self, method: str, args: dict[str, Any], headers: Message, body_error: SlackError | None
    ) -> _Reply:
        caller = self._authenticate(method, headers)
        if isinstance(caller, SlackError):
            return _reply(caller)
        error = body_error or spec.check(method, args)
        if error is None and method in _CLIENT_METHODS:
            error = self._client_error(args, headers)
        if error:
            return _reply(error)
        handler = _HANDLERS.get(method)
        self._caller = caller
        try:
            return _reply(handler(self, args) if handler else {"ok": True})
        finally:
            self._caller = None

    def _authenticate(self, method: str, headers: Message) -> _Installation | SlackError | None:
        """The installation whose bot token made the call, or why the call is refused. None:
        the app-level token on Socket Mode's method, or oauth.v2.access, which needs no token
        (the app's client id and secret instead)."""
        if method == "oauth.v2.access":
            return None
        token = _bearer(headers)
        installation = self._installations.get(token or "")
        error = self._token_error(method, headers, token, installation)
        return SlackError(error) if error else installation

    def _token_error(
        self, method: str, headers: Message, token: str | None, installation: _Installation | None
    ) -> str | None:
        if not headers.get("Authorization"):
            return "not_authed"
        # Socket Mode's connection method takes the app-level token, and only it does.
        app_level = method == "apps.connections.open"
        if token == self.app_token:
            return None if app_level else "not_allowed_token_type"
        if installation is None:
            return "invalid_auth"
        if app_level:
            return "not_allowed_token_type"
        return "token_revoked" if installation.revoked else None

    def _client_error(self, args: dict[str, Any], headers: Message) -> SlackError | None:
        """Checks the app's client id and secret, sent as form fields or (as slack_sdk does
        for oauth.v2.access) with HTTP Basic auth."""
        basic_id, basic_secret = _basic_credentials(headers)
        client_id = args.get("client_id", basic_id)
        client_secret = args.get("client_secret", basic_secret)
        if client_id != self.client_id:
            return SlackError("invalid_client_id")
        if client_secret != self.client_secret:
            return SlackError("bad_client_secret")
        return None

    def _respond(
        self, response_id: str, payload: dict[str, Any], body_error: SlackError | None
    ) -> _Reply:
        target = self._response_ids.get(response_id)
        if target is None:
            return _Reply(404, {"ok": False, "error": "no_service"})
        error = body_error or _blocks_error(payload)
        if error:
            return _Reply(400, error.body())
        if target.user is not None and target.channel is not None:
            self._show_response(target, payload)
        return _Reply(200, {"ok": True})

    def _show_response(self, target: _ResponseTarget, payload: dict[str, Any]) -> None:
        """A response_url post as the person sees it: it replaces or deletes the message the
        request came from, or arrives as a new message only they see."""
        user, channel = target.user or "", target.channel or ""
        kind, key = target.source or ("", "")
        replace, delete = (
            _truthy(payload.get("replace_original")),
            _truthy(payload.get("delete_original")),
        )
        if kind == "ephemeral" and (replace or delete):
            mine = self._ephemeral.get(user, [])
            for index, shown in enumerate(mine):
                if shown["id"] == key:
                    if delete:
                        del mine[index]
                    else:
                        shown["text"] = payload.get("text", "")
                        shown["blocks"] = payload.get("blocks") or []
                        shown.pop("pending", None)
                    self._version += 1
            return
        if kind == "message" and (replace or delete):
            messages = self._messages.get(channel, [])
            for index, message in enumerate(messages):
                if message["ts"] == key:
                    if delete:
                        del messages[index]
                    else:
                        message["text"] = payload.get("text", "")
                        message["blocks"] = payload.get("blocks") or []
                    self._version += 1
            return
        if payload.get("response_type") == "in_channel":
            self._messages.setdefault(channel, []).append(
                {
                    "type": "message",
                    "user": self.bot_user_id,
                    "bot_id": self.bot_id,
                    "text": payload.get("text", ""),
                    "blocks": payload.get("blocks") or [],
                    "ts": self._next_ts(),
                }
            )
            return
        self._store_ephemeral(user, channel, payload)

    def _upload(self, file_id: str, body: bytes) -> _Reply:
        stored = self._files.get(file_id)
        if stored is None:
            return _Reply(404, "not found")
        stored["bytes"] = body
        return _Reply(200, f"OK - {len(body)}")  # what files.slack.com answers

    # -- Web API methods with more to say than {"ok": true}

    @_handles("apps.connections.open")
    def _connections_open(self, _args: dict[str, Any]) -> Result:
        if self.socket_mode_url is None:
            return SlackError("internal_error")  # no Socket Mode server in this test
        return {"ok": True, "url": self.socket_mode_url}

    @_handles("oauth.v2.access")
    def _oauth_v2_access(self, args: dict[str, Any]) -> Result:
        code = args["code"]
        grant = self._grants.get(code)
        installation = self._installations.get(grant.token) if grant else None
        # Codes are single use, short-lived, and die with the installation they stand for.
        if (
            grant is None
            or installation is None
            or installation.revoked
            or time.monotonic() - grant.at > CODE_TTL
        ):
            return SlackError("invalid_code")
        if "redirect_uri" in args and grant.redirect_uri not in (None, args["redirect_uri"]):
            return SlackError("bad_redirect_uri")
        del self._grants[code]
        enterprise_id, team_id = installation.enterprise_id, installation.team_id
        return {
            "ok": True,
            "app_id": self.app_id,
            "authed_user": {"id": grant.user_id},  # no user scopes asked, so no user token
            "scope": ",".join(BOT_SCOPES),
            "token_type": "bot",
            "access_token": installation.token,
            "bot_user_id": installation.bot_user_id,
            "team": None if team_id is None else {"id": team_id, "name": self._teams[team_id].name},
            "enterprise": None
            if enterprise_id is None
            else {"id": enterprise_id, "name": self._enterprise_name(enterprise_id)},
            "is_enterprise_install": installation.is_enterprise_install,
        }

    @_handles("apps.uninstall")
    def _apps_uninstall(self, _args: dict[str, Any]) -> Result:
        assert self._caller is not None
        self._revoke(self._caller)  # an installation has one token: its bot's
        return {"ok": True}

    @_handles("auth.revoke")
    def _auth_revoke(self, args: dict[str, Any]) -> Result:
        assert self._caller is not None
        if _truthy(args.get("test")):
            return {"ok": True, "revoked": False}
        self._revoke(self._caller)
        return {"ok": True, "revoked": True}

    @_handles("auth.test")
    def _auth_test(self, _args: dict[str, Any]) -> Result:
        caller = self._caller
        assert caller is not None
        # An org-wide token answers for its org: the org's id and name stand for the team's.
        if caller.team_id is None:
            team_id = caller.enterprise_id or ""
            name, host = self._enterprise_name(team_id), f"{_slug(team_id)}.enterprise"
        else:
            team_id, name = caller.team_id, self._teams[caller.team_id].name
            host = _slug(name)
        result = {
            "ok": True,
            "url": f"https://{host}.slack.com/",
            "team": name,
            "user": "upward",
            "team_id": team_id,
            "user_id": caller.bot_user_id,
            "bot_id": caller.bot_id,
            "app_id": self.app_id,
            "app_name": "Upward",
            "is_enterprise_install": caller.is_enterprise_install,
        }
        if caller.enterprise_id is not None:
            result["enterprise_id"] = caller.enterprise_id
        return result

    @_handles("users.info")
    def _users_info(self, args: dict[str, Any]) -> Result:
        # The spec does not mark `user` required; Slack answers a missing one as not found.
        # Another workspace's people are not found: a bot sees only where it is installed.
        if not self._sees_user(args.get("user", "")):
            return SlackError("user_not_found")
        user = copy.deepcopy(self._users[args["user"]])
        if _truthy(args.get("include_locale")):
            user["locale"] = "en-US"
        return {"ok": True, "user": user}

    @_handles("users.lookupByEmail")
    def _users_lookup_by_email(self, args: dict[str, Any]) -> Result:
        email = args["email"].casefold()
        for user in self._users.values():
            if user["profile"].get("email", "").casefold() == email and self._sees_team(
                user["team_id"]
            ):
                return {"ok": True, "user": copy.deepcopy(user)}
        return SlackError("users_not_found")

    @_handles("conversations.open")
    def _conversations_open(self, args: dict[str, Any]) -> Result:
        if args.get("channel"):
            if args["channel"] not in self._opened or not self._sees_channel(args["channel"]):
                return SlackError("channel_not_found")
            return {
                "ok": True,
                "channel": {"id": args["channel"]},
                "no_op": True,
                "already_open": True,
            }
        user_ids = sorted({u.strip() for u in args["users"].split(",") if u.strip()})
        error = self._members_error(user_ids)
        if error:
            return error
        reached = self._reachable(_conversation_id(user_ids))
        if isinstance(reached, SlackError):
            return reached
        channel_id = reached
        already_open = channel_id in self._opened
        self._opened[channel_id] = tuple(user_ids)
        channel: dict[str, Any] = {"id": channel_id}
        if _truthy(args.get("return_im")) and len(user_ids) == 1:
            channel |= {
                "created": int(time.time()),
                "is_im": True,
                "is_open": True,
                "user": user_ids[0],
            }
        result: dict[str, Any] = {"ok": True, "channel": channel}
        if already_open:
            result |= {"no_op": True, "already_open": True}
        return result

    @_handles("chat.postMessage")
    def _chat_post_message(self, args: dict[str, Any]) -> Result:
        error = _blocks_error(args)
        if error:
            return error
        channel = self._reachable(args["channel"])
        if isinstance(channel, SlackError):
            return channel
        limited = self._post_limits.take(channel) if self._post_limits else None
        if limited:
            reason, wait = limited
            self._stats[f"rate_limited_{reason}"] += 1
            # Whole seconds, rounded up (the float slack keeps 1.0 from becoming 2).
            retry_after = max(1, math.ceil(wait - 1e-9))
            return _Reply(
                429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
            )
        assert self._caller is not None
        message = {
            "type": "message",
            "user": self._caller.bot_user_id,
            "bot_id": self._caller.bot_id,
            "app_id": self.app_id,
            "team": self._team_of(channel),
            "text": args.get("text", "")[:TEXT_MAX],
            "ts": self._next_ts(),
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if key in args:
                message[key] = args[key]
        if "thread_ts" in args and _truthy(args.get("reply_broadcast")):
            message["subtype"] = "thread_broadcast"
        self._messages.setdefault(channel, []).append(message)
        self._stats["posts_accepted"] += 1
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "message": copy.deepcopy(message),
        }

    @_handles("chat.postEphemeral")
    def _chat_post_ephemeral(self, args: dict[str, Any]) -> Result:
        error = _blocks_error(args) or _text_too_long(args)
        if error:
            return error
        user = args.get("user", "")
        if not self._sees_user(user):
            return SlackError("user_not_in_channel")
        channel = self._reachable(args["channel"])
        if isinstance(channel, SlackError):
            return channel
        self._store_ephemeral(user, channel, args)
        # Ephemeral: never in history.
        return {"ok": True, "message_ts": self._ephemeral[user][-1]["ts"]}

    @_handles("chat.update")
    def _chat_update(self, args: dict[str, Any]) -> Result:
        error = _blocks_error(args) or _text_too_long(args)
        if error:
            return error
        channel = self._resolve_channel(args["channel"])
        if channel not in self._messages or not self._sees_channel(channel):
            return SlackError("channel_not_found")
        message = next((m for m in self._messages[channel] if m["ts"] == args["ts"]), None)
        if message is None:
            return SlackError("message_not_found")
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        assert self._caller is not None
        message["edited"] = {"user": self._caller.bot_user_id, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    @_handles("conversations.history")
    def _conversations_history(self, args: dict[str, Any]) -> Result:
        channel = args.get("channel", "")
        if channel not in self._messages and channel not in self._opened:
            return SlackError("channel_not_found")
        if not self._sees_channel(channel):
            return SlackError("channel_not_found")
        # Newest first, between oldest and latest (bounds excluded unless inclusive), from the
        # cursor on; thread replies stay in their thread unless broadcast to the channel.
        inclusive = _truthy(args.get("inclusive"))
        oldest = _ts_number(args.get("oldest", 0))
        latest = _ts_number(args["latest"]) if "latest" in args else None
        newest = None
        if args.get("cursor"):
            newest = _cursor_ts(args["cursor"])
            if newest is None:
                return SlackError("invalid_cursor")
        messages = []
        for m in reversed(self._messages.get(channel, [])):
            if "thread_ts" in m and m.get("subtype") != "thread_broadcast":
                continue
            ts = Decimal(m["ts"])
            if (newest is not None and ts > newest) or (
                latest is not None and (ts > latest or (ts == latest and not inclusive))
            ):
                continue
            if ts < oldest or (ts == oldest and not inclusive):
                break
            messages.append(m)
        limit = int(args.get("limit", 100))
        limit = min(limit, HISTORY_LIMIT_MAX) if limit > 0 else 100
        has_more = len(messages) > limit
        next_cursor = _cursor(messages[limit]["ts"]) if has_more else ""
        result = {
            "ok": True,
            "messages": _shown(messages[:limit], args),
            "has_more": has_more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }
        if "latest" in args:
            result["latest"] = str(args["latest"])
        return result

    @_handles("conversations.replies")
    def _conversations_replies(self, args: dict[str, Any]) -> Result:
        channel = args.get("channel", "")
        if channel not in self._messages or not self._sees_channel(channel):
            return SlackError("channel_not_found")
        thread = [
            m for m in self._messages[channel] if args.get("ts") in (m["ts"], m.get("thread_ts"))
        ]
        if not thread:
            return SlackError("thread_not_found")
        return {"ok": True, "messages": _shown(thread, args), "has_more": False}

    @_handles("views.open")
    def _views_open(self, args: dict[str, Any]) -> Result:
        return self._open_modal(args, push=False)

    @_handles("views.push")
    def _views_push(self, args: dict[str, Any]) -> Result:
        return self._open_modal(args, push=True)

    def _open_modal(self, args: dict[str, Any], *, push: bool) -> Result:
        error = check_view(args["view"], view_type="modal") or self._exchange(args["trigger_id"])
        if error:
            return error
        user = self._trigger_users.get(args["trigger_id"])
        view = self._store_view(args["view"], team_id=self._acting_team(user))
        if user is not None:
            stack = self._modal_stacks.setdefault(user, [])
            if not push:
                stack.clear()
            stack.append(view["id"])
        return {"ok": True, "view": view}

    @_handles("views.update")
    def _views_update(self, args: dict[str, Any]) -> Result:
        error = check_view(args.get("view"), view_type=None)
        if error:
            return error
        view_id = args.get("view_id") or next(
            (
                v["id"]
                for v in self._views.values()
                if v["external_id"] and v["external_id"] == args.get("external_id")
            ),
            None,
        )
        current = self._views.get(view_id or "")
        if current is None or not self._sees_team(current["team_id"]):
            return SlackError("not_found")
        if "hash" in args and args["hash"] != current["hash"]:
            return SlackError("hash_conflict")
        stored = self._store_view(args["view"], view_id=current["id"], team_id=current["team_id"])
        return {"ok": True, "view": stored}

    @_handles("views.publish")
    def _views_publish(self, args: dict[str, Any]) -> Result:
        error = check_view(args["view"], view_type="home")
        if error:
            return error
        user_id = args["user_id"]
        # Slack documents no user_not_found here: another workspace's person is as unknown.
        if not self._sees_user(user_id):
            return SlackError("invalid_arguments", ("[ERROR] invalid `user_id`",))
        current = self._views.get(self._home_views.get(user_id, ""))
        if current and "hash" in args and args["hash"] != current["hash"]:
            return SlackError("hash_conflict")
        view = self._store_view(
            args["view"],
            view_id=current["id"] if current else None,
            team_id=self._acting_team(user_id),
        )
        self._home_views[user_id] = view["id"]
        return {"ok": True, "view": view}

    @_handles("files.getUploadURLExternal")
    def _files_get_upload_url(self, args: dict[str, Any]) -> Result:
        file_id = _new_id("F")
        self._files[file_id] = {
            "filename": args["filename"],
            "length": int(args["length"]),
            "bytes": None,
            "title": None,
            "channel_id": None,
            "comment": None,
        }
        return {"ok": True, "upload_url": f"{self._origin}/upload/{file_id}", "file_id": file_id}

    @_handles("files.completeUploadExternal")
    def _files_complete_upload(self, args: dict[str, Any]) -> Result:
        entries = args["files"]
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            return SlackError("invalid_arguments", ("[ERROR] files must be an array of objects",))
        if not all(self._files.get(e.get("id", ""), {}).get("bytes") is not None for e in entries):
            return SlackError("file_not_found")
        channel = args.get("channel_id")
        # Sharing into a conversation the app is not in (a DM never opened) is refused.
        if channel is not None and (
            (channel not in self._messages and channel not in self._opened)
            or not self._sees_channel(channel)
        ):
            return SlackError("channel_not_found")
        completed = []
        for entry in entries:
            stored = self._files[entry["id"]]
            stored["title"] = entry.get("title") or stored["filename"]
            stored["channel_id"] = channel
            stored["comment"] = args.get("initial_comment")
            # Slack answers with the whole file objects now, permalink included.
            completed.append(self._file_object(entry["id"], stored))
        if channel is not None:  # shared files arrive as a message from the app
            self._messages.setdefault(channel, []).append(
                {
                    "type": "message",
                    "user": self._caller.bot_user_id if self._caller else self.bot_user_id,
                    "bot_id": self._caller.bot_id if self._caller else self.bot_id,
                    "text": args.get("initial_comment", ""),
                    "files": copy.deepcopy(completed),
                    "ts": self._next_ts(),
                }
            )
        return {"ok": True, "files": completed}

    @_handles("files.info")
    def _files_info(self, args: dict[str, Any]) -> Result:
        stored = self._files.get(args.get("file", ""))
        if stored is None:
            return SlackError("file_not_found")
        return {"ok": True, "file": self._file_object(args["file"], stored)}

    def _file_object(self, file_id: str, stored: dict[str, Any]) -> dict[str, Any]:
        files_url = self.files_url or f"{self._origin}/files/"
        return {
            "id": file_id,
            "name": stored["filename"],
            "title": stored["title"],
            "size": stored["length"],
            "channels": [stored["channel_id"]] if stored["channel_id"] else [],
            "permalink": f"{files_url}{file_id}/{stored['filename']}",
        }

    # -- helpers for the methods above (called with the lock held)

    def _enrol_team(self, team_id: str, enterprise_id: str | None, name: str | None) -> None:
        known = self._teams.get(team_id)
        if known is None:
            self._teams[team_id] = _Team(name or f"Team {team_id}", enterprise_id)
            return
        if enterprise_id is not None and known.enterprise_id not in (None, enterprise_id):
            raise ValueError(f"{team_id} is in {known.enterprise_id}, not {enterprise_id}")
        self._teams[team_id] = _Team(name or known.name, enterprise_id or known.enterprise_id)

    def _installed(self, enterprise_id: str | None, team_id: str | None) -> _Installation | None:
        """The live installation with this key (team_id None: the org-wide one)."""
        return next(
            (
                i
                for i in self._installations.values()
                if not i.revoked and i.key == (enterprise_id, team_id)
            ),
            None,
        )

    def _acting_in(self, team_id: str | None, enterprise_id: str | None) -> _Installation | None:
        if team_id is None:
            return self._installed(enterprise_id, None) if enterprise_id else None
        team = self._teams.get(team_id)
        org = team.enterprise_id if team else enterprise_id
        own = self._installed(org, team_id)
        return own or (self._installed(org, None) if org else None)

    def _new_installation(
        self, team_id: str | None, enterprise_id: str | None, is_enterprise_install: bool
    ) -> _Installation:
        key = (enterprise_id, None if is_enterprise_install else team_id)
        # A reinstall after an uninstall brings back the same bot user, with a new token.
        before = next((i for i in self._installations.values() if i.key == key), None)
        token = (
            f"xoxb-{secrets.randbelow(10**12)}-{secrets.randbelow(10**13)}-"
            f"{secrets.token_urlsafe(18)}"
        )
        installation = _Installation(
            token=token,
            team_id=None if is_enterprise_install else team_id,
            enterprise_id=enterprise_id,
            is_enterprise_install=is_enterprise_install,
            # Grid users' ids start with W.
            bot_user_id=before.bot_user_id if before else _new_id("W" if enterprise_id else "U"),
            bot_id=before.bot_id if before else _new_id("B"),
        )
        self._installations[token] = installation
        return installation

    def _revoke(self, installation: _Installation) -> None:
        self._installations[installation.token] = replace(installation, revoked=True)

    def _enterprise_name(self, enterprise_id: str) -> str:
        return f"Org {enterprise_id}"

    def _sees_team(self, team_id: str | None) -> bool:
        """Whether the calling bot acts in this workspace: its own, or any of its org's for an
        org-wide install. Calls without a bot token (none get here) see everything."""
        caller = self._caller
        if caller is None:
            return True
        if caller.is_enterprise_install:
            team = self._teams.get(team_id or "")
            return team is not None and team.enterprise_id == caller.enterprise_id
        return team_id == caller.team_id

    def _sees_user(self, user_id: str) -> bool:
        user = self._users.get(user_id)
        return user is not None and self._sees_team(user["team_id"])

    def _sees_channel(self, channel: str) -> bool:
        owner = self._channel_owners.get(channel, self.team_id)
        return self._caller is None or owner == self._caller.reach or self._sees_team(owner)

    def _reachable(self, channel: str) -> str | SlackError:
        """The conversation a call names, if the calling bot may use it: a user id stands for
        the app's DM with them (if the bot sees them), and a conversation the fake has not
        heard of yet becomes the calling bot's (a channel it was invited to, say)."""
        if channel in self._users:
            if not self._sees_user(channel):
                return SlackError("channel_not_found")
            channel = _conversation_id([channel])
        known = (self._messages, self._opened, self._channels, self._channel_owners)
        if self._caller is not None and not any(channel in seen for seen in known):
            self._channel_owners[channel] = self._caller.reach
        return channel if self._sees_channel(channel) else SlackError("channel_not_found")

    def _team_of(self, channel: str) -> str:
        """The workspace a conversation is in, for the team field of messages posted in it."""
        members = self._opened.get(channel, ())
        if members and members[0] in self._users:
            return self._users[members[0]]["team_id"]
        owner = self._channel_owners.get(channel, self.team_id)
        return owner if owner in self._teams else self._acting_team()

    def _acting_team(self, user: str | None = None) -> str:
        """The workspace a view or message belongs to: the person's, else the calling bot's."""
        if user in self._users:
            return self._users[user]["team_id"]
        if self._caller is not None and self._caller.team_id is not None:
            return self._caller.team_id
        return self.team_id

    def _members_error(self, user_ids: list[str]) -> SlackError | None:
        if not user_ids:
            return SlackError("users_list_not_supplied")
        if len(user_ids) > MPIM_MAX_USERS:
            return SlackError("too_many_users")
        for user_id in user_ids:
            user = self._users.get(user_id)
            if user is None or not self._sees_user(user_id):
                return SlackError("user_not_found")
            if user["deleted"]:
                return SlackError("user_disabled")
            if user["is_bot"]:
                return SlackError("cannot_dm_bot")
        return None

    def _store_ephemeral(self, user: str, channel: str, content: dict[str, Any]) -> str:
        ephemeral_id = _new_id("E")
        self._ephemeral.setdefault(user, []).append(
            {
                "id": ephemeral_id,
                "channel": channel,
                "ts": self._next_ts(),
                "text": content.get("text", ""),
                "blocks": content.get("blocks") or [],
            }
        )
        self._version += 1
        return ephemeral_id

    def _resolve_channel(self, channel: str) -> str:
        # Posting to a user id posts to the app's DM with that user.
        return _conversation_id([channel]) if channel in self._users else channel

    def _exchange(self, trigger_id: str) -> SlackError | None:
        issued = self._triggers.get(trigger_id)
        user = self._trigger_users.get(trigger_id)
        # A trigger comes from a person's click in their workspace: another's bot cannot use it.
        if issued is None or (user in self._users and not self._sees_user(user or "")):
            return SlackError("invalid_trigger_id")
        if trigger_id in self._exchanged:
            return SlackError("exchanged_trigger_id")
        if time.monotonic() - issued > TRIGGER_TTL:
            self._stats["triggers_expired"] += 1
            return SlackError("expired_trigger_id")
        self._exchanged.add(trigger_id)
        self._stats["modals_opened"] += 1
        return None

    def _store_view(
        self, view: dict[str, Any], *, view_id: str | None = None, team_id: str | None = None
    ) -> dict[str, Any]:
        view_id = view_id or _new_id("V")
        bot_id = self._caller.bot_id if self._caller else self.bot_id
        defaults = {
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "previous_view_id": None,
            "clear_on_close": False,
            "notify_on_close": False,
        }
        stored = {
            **defaults,
            **view,
            "id": view_id,
            "team_id": team_id or self.team_id,
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "root_view_id": view_id,
            "app_id": self.app_id,
            "bot_id": bot_id,
        }
        self._views[view_id] = stored
        self._version += 1
        return copy.deepcopy(stored)

    def _next_ts(self) -> str:
        self._last_ts_us = max(self._last_ts_us + 1, round(self.clock() * 1_000_000))
        seconds, micros = divmod(self._last_ts_us, 1_000_000)
        return f"{seconds}.{micros:06d}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Room for a benchmark's concurrent connections: past the default 5 queued, the kernel
    # drops SYNs and clients stall a second before retrying.
    request_queue_size = 128

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.fake = fake


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._send(self.server.fake._serve("GET", self.path, self.headers, b""))

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(self.server.fake._serve("POST", self.path, self.headers, body))

    def _send(self, reply: _Reply) -> None:
        if reply.drop:  # the request was read; the socket closes with nothing written
            self.close_connection = True
            return
        if isinstance(reply.body, str):
            payload, content_type = reply.body.encode(), "text/plain; charset=utf-8"
        else:
            payload, content_type = json.dumps(reply.body).encode(), "application/json"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests read fake.calls, not access logs."""


def _parse_args(
    query: str, content_type: str, body: bytes
) -> tuple[dict[str, Any], SlackError | None]:
    """Query-string arguments plus the body's (form or JSON), and the error a bad body earns."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if not body:
        return args, None
    media_type = content_type.split(";", maxsplit=1)[0].strip().lower()
    try:
        if media_type == "application/json":
            payload = json.loads(body)
            if not isinstance(payload, dict):
                return args, SlackError("invalid_json")
            args.update(payload)
        elif media_type == "application/x-www-form-urlencoded":
            args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        else:  # multipart is only for the retired files.upload
            return args, SlackError("invalid_post_type")
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        return args, SlackError(
            "invalid_json" if media_type == "application/json" else "invalid_form_data"
        )
    return args, None


def _bearer(headers: Message) -> str | None:
    """The token of an Authorization: Bearer header, if there is one."""
    scheme, _, token = (headers.get("Authorization") or "").partition(" ")
    return token if scheme == "Bearer" else None


def _basic_credentials(headers: Message) -> tuple[str | None, str | None]:
    """The id and secret of an Authorization: Basic header, if there is a readable one."""
    scheme, _, encoded = (headers.get("Authorization") or "").partition(" ")
    if scheme != "Basic":
        return None, None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, colon, client_secret = decoded.partition(":")
    return (client_id, client_secret) if colon else (None, None)


def _slug(name: str) -> str:
    """A workspace name as its URL's subdomain: "Upward Test" -> upward-test."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _blocks_error(args: dict[str, Any]) -> SlackError | None:
    return check_message_blocks(args["blocks"]) if "blocks" in args else None


def _shown(messages: list[dict[str, Any]], args: dict[str, Any]) -> list[dict[str, Any]]:
    """Copies of stored messages as history shows them: metadata only when asked for."""
    shown = copy.deepcopy(messages)
    if not _truthy(args.get("include_all_metadata")):
        for message in shown:
            message.pop("metadata", None)
    return shown


def _ts_number(value: Any) -> Decimal:
    # spec.check has let only finite numbers through.
    return Decimal(str(value))


def _cursor(ts: str) -> str:
    """The next_cursor history gives for a page that starts at ts, in Slack's own shape."""
    return base64.b64encode(f"next_ts:{ts.replace('.', '')}".encode()).decode()


def _cursor_ts(cursor: str) -> Decimal | None:
    """The ts a _cursor() starts at; None for anything else."""
    try:
        decoded = base64.b64decode(cursor, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    match = _CURSOR.fullmatch(decoded)
    return Decimal(f"{match[1]}.{match[2]}") if match else None


def _channel_type(channel: str) -> str:
    """The event's channel_type: the fake's D… ids are DMs, C… channels, G… group DMs."""
    return {"D": "im", "C": "channel"}.get(channel[:1], "mpim")


def _truthy(value: Any) -> bool:
    return value is True or value in ("true", "1")


def _text_too_long(args: dict[str, Any]) -> SlackError | None:
    return SlackError("msg_too_long") if len(args.get("text", "")) > TEXT_MAX else None


def _conversation_id(user_ids: list[str]) -> str:
    """A stable id per member set: D… for a DM, G… (as MPIMs historically were) for several."""
    members = sorted(set(user_ids))
    digest = hashlib.sha256(",".join(members).encode()).hexdigest()[:10].upper()
    return ("D" if len(members) == 1 else "G") + digest


def _new_code() -> str:
    """An OAuth code in the shape of Slack's."""
    return f"{secrets.randbelow(10**10)}.{secrets.randbelow(10**13)}.{secrets.token_hex(32)}"


def _new_id(prefix: str) -> str:
    alphabet = string.ascii_uppercase + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(10))
