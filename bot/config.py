"""Settings from the environment, checked once at start.

Every variable the app reads is listed in DESIGN.md; nothing else configures it.
A bad value raises :class:`SettingsError` naming the variable and the fix, which
the entry points print as one line before exiting with status 2.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///upward.db"
DEFAULT_PORT = 3000
DEFAULT_POST_RATE = 10.0
DEFAULT_TICK_SECONDS = 60
DEFAULT_RETENTION_DAYS = 90
DEFAULT_DELETE_AFTER_DAYS = 30
LOG_FORMATS = ("text", "json")

# Every variable the app reads (the Compose file's test checks the app's env against it).
ENV_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "MENTOR_LEADS",
    "SLACK_POST_RATE",
    "SCHEDULER_TICK_SECONDS",
    "OUTBOX_RETENTION_DAYS",
    "DELETE_AFTER_UNINSTALL_DAYS",
    "LOG_FORMAT",
    "UPWARD_SANDBOX",
    "UPWARD_SANDBOX_HOST",
)

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CLIENT_ID = re.compile(r"^[0-9]+\.[0-9]+$")
SETUP_HELP = (
    "Create the Slack app from manifest.json (https://api.slack.com/apps → Create New App → "
    "From a manifest), install it, then copy the Bot User OAuth Token (OAuth & Permissions) "
    "and the Signing Secret (Basic Information). See README.md, 'Slack app setup'."
)


class SettingsError(Exception):
    """A variable is missing or malformed; the message says which and what to do."""


@dataclass(frozen=True)
class Settings:
    # Exactly one of: bot_token (one workspace), client_id + client_secret (many, OAuth).
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    api_url: str
    database_url: str
    port: int
    leads: frozenset[str] = field(default_factory=frozenset)
    # Workspace-wide ceiling for chat.postMessage, messages per second (Slack allows
    # about one per second per channel, and more across channels).
    post_rate: float = DEFAULT_POST_RATE
    # How often the scheduler runs run_due; 0 turns the in-process clock off (then run
    # `python -m bot run-due` from cron or a separate process instead).
    tick_seconds: int = DEFAULT_TICK_SECONDS
    # Sent messages older than this are pruned from the outbox by the tick.
    retention_days: int = DEFAULT_RETENTION_DAYS
    client_id: str | None = None
    client_secret: str | None = None
    # A workspace's data is deleted this long after the app was uninstalled from it.
    delete_after_days: int = DEFAULT_DELETE_AFTER_DAYS

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @property
    def many_workspaces(self) -> bool:
        """Installed with OAuth ("Add to Slack"): a token per workspace, from the database."""
        return self.client_id is not None

    def __repr__(self) -> str:  # never let a token reach a log line through repr()
        return (
            f"Settings(many_workspaces={self.many_workspaces}, "
            f"socket_mode={self.socket_mode}, api_url={self.api_url!r}, "
            f"database={redact_url(self.database_url)!r}, port={self.port}, "
            f"leads={sorted(self.leads)})"
        )


def load_settings(env: Mapping[str, str] | None = None, serving: bool = True) -> Settings:
    """Read and check every variable; raise SettingsError on the first bad one.

    ``serving=False`` is for the CLI, which talks to Slack but never receives its
    requests, so it needs no signing secret.
    """
    env = os.environ if env is None else env

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    bot_token, client_id, client_secret = _slack_credentials(get)
    app_token = get("SLACK_APP_TOKEN")
    if app_token is not None and not app_token.startswith("xapp-"):
        raise SettingsError(
            "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' "
            "(Basic Information → App-Level Tokens, scope connections:write); "
            "unset it to use HTTP mode."
        )

    if client_id is not None and app_token is not None:
        raise SettingsError(
            "SLACK_APP_TOKEN (Socket Mode) cannot be used with SLACK_CLIENT_ID: installs "
            "from 'Add to Slack' need the HTTP endpoints. Unset SLACK_APP_TOKEN."
        )
    signing_secret = get("SLACK_SIGNING_SECRET")
    if serving and app_token is None and signing_secret is None:
        raise SettingsError(
            "SLACK_SIGNING_SECRET is required in HTTP mode: copy it from Basic Information → "
            "App Credentials (or set SLACK_APP_TOKEN to use Socket Mode)."
        )
    if signing_secret is not None and not re.fullmatch(r"[0-9a-f]{16,}", signing_secret):
        raise SettingsError(
            "SLACK_SIGNING_SECRET looks wrong: Slack's signing secrets are hexadecimal "
            "(Basic Information → App Credentials → Signing Secret)."
        )

    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=_api_url(get("SLACK_API_URL")),
        database_url=normalize_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL),
        port=_port(get("PORT")),
        leads=_leads(get("MENTOR_LEADS")),
        post_rate=_post_rate(get("SLACK_POST_RATE")),
        tick_seconds=_tick_seconds(get("SCHEDULER_TICK_SECONDS")),
        retention_days=_retention_days(get("OUTBOX_RETENTION_DAYS")),
        client_id=client_id,
        client_secret=client_secret,
        delete_after_days=_delete_after_days(get("DELETE_AFTER_UNINSTALL_DAYS")),
    )


def _slack_credentials(get: Callable[[str], str | None]) -> tuple[str | None, ...]:
    """(bot token, client id, client secret): one workspace with SLACK_BOT_TOKEN, or many
    with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET; never both, never half of the pair."""
    bot_token = get("SLACK_BOT_TOKEN")
    client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
    if bot_token is not None and (client_id or client_secret):
        raise SettingsError(
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are both set: set "
            "SLACK_BOT_TOKEN for one workspace, or the client pair for 'Add to Slack', not both."
        )
    if client_id is not None or client_secret is not None:
        if client_secret is None:
            raise SettingsError(
                "SLACK_CLIENT_SECRET is not set: copy it from Basic Information → App "
                "Credentials (it goes with SLACK_CLIENT_ID)."
            )
        if client_id is None:
            raise SettingsError(
                "SLACK_CLIENT_ID is not set: copy it from Basic Information → App "
                "Credentials (it goes with SLACK_CLIENT_SECRET)."
            )
        if not _CLIENT_ID.match(client_id):
            raise SettingsError(
                "SLACK_CLIENT_ID looks wrong: Slack's client IDs are two numbers joined by a "
                "dot, like 1234567890.1234567890 (Basic Information → App Credentials)."
            )
        return None, client_id, client_secret
    if bot_token is None:
        raise SettingsError(
            "SLACK_BOT_TOKEN is not set (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for "
            f"'Add to Slack' to many workspaces). {SETUP_HELP}"
        )
    if not bot_token.startswith("xoxb-"):
        raise SettingsError(
            "SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-' "
            "(OAuth & Permissions → Bot User OAuth Token)."
        )
    return bot_token, None, None


def load_log_format(env: Mapping[str, str] | None = None) -> str:
    """LOG_FORMAT: "text" (readable, the default) or "json" (one object per line; the
    container's default). Read before the other settings: it shapes their error lines."""
    env = os.environ if env is None else env
    value = env.get("LOG_FORMAT", "").strip().lower() or "text"
    if value not in LOG_FORMATS:
        raise SettingsError("LOG_FORMAT must be text or json.")
    return value


def _retention_days(value: str | None) -> int:
    if value is None:
        return DEFAULT_RETENTION_DAYS
    if not value.isdigit() or not 1 <= int(value) <= 3650:
        raise SettingsError(
            "OUTBOX_RETENTION_DAYS must be a whole number of days from 1 to 3650 "
            f"(default {DEFAULT_RETENTION_DAYS})."
        )
    return int(value)


def _delete_after_days(value: str | None) -> int:
    if value is None:
        return DEFAULT_DELETE_AFTER_DAYS
    if not value.isdigit() or not 1 <= int(value) <= 3650:
        raise SettingsError(
            "DELETE_AFTER_UNINSTALL_DAYS must be a whole number of days from 1 to 3650 "
            f"(default {DEFAULT_DELETE_AFTER_DAYS})."
        )
    return int(value)


def _api_url(value: str | None) -> str:
    if value is None:
        return DEFAULT_API_URL
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(
            f"SLACK_API_URL must be an http(s) URL ending in /api/, "
            f"like {DEFAULT_API_URL} (got {value!r})."
        )
    # slack_sdk joins the method name straight onto the base URL.
    return value if value.endswith("/") else value + "/"


def load_port(env: Mapping[str, str]) -> int:
    """PORT alone, for sandbox mode (which needs no other setting)."""
    return _port(env.get("PORT", "").strip() or None)


def _port(value: str | None) -> int:
    if value is None:
        return DEFAULT_PORT
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingsError(f"PORT must be a number from 1 to 65535 (got {value!r}).")
    return int(value)


def _tick_seconds(value: str | None) -> int:
    if value is None:
        return DEFAULT_TICK_SECONDS
    if not value.isdigit() or not (int(value) == 0 or 10 <= int(value) <= 3600):
        raise SettingsError(
            f"SCHEDULER_TICK_SECONDS must be 0 (off) or 10 to 3600 seconds (got {value!r})."
        )
    return int(value)


def _post_rate(value: str | None) -> float:
    if not value:
        return DEFAULT_POST_RATE
    try:
        rate = float(value)
    except ValueError:
        rate = 0.0
    if not 0.1 <= rate <= 1000:
        raise SettingsError(
            f"SLACK_POST_RATE must be messages per second, from 0.1 to 1000 (got {value!r})."
        )
    return rate


def _leads(value: str | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    ids = [part.strip() for part in value.split(",") if part.strip()]
    bad = [i for i in ids if not _USER_ID.match(i)]
    if bad:
        raise SettingsError(
            "MENTOR_LEADS must be comma-separated Slack user IDs like U012AB3CD "
            f"(profile → ⋮ → Copy member ID); not valid: {', '.join(bad)}."
        )
    return frozenset(ids)


def normalize_database_url(value: str) -> str:
    """Check DATABASE_URL and point Postgres URLs at psycopg 3, the driver we ship."""
    try:
        url: URL = make_url(value)
    except ArgumentError:
        raise SettingsError(
            "DATABASE_URL is not a database URL; use sqlite:///upward.db or "
            "postgresql://user:password@host:5432/dbname."
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise SettingsError(
            f"DATABASE_URL uses {backend!r}; Upward supports sqlite and postgresql."
        )
    return url.render_as_string(hide_password=False)


def redact_url(value: str) -> str:
    """The database URL without its password, for logs."""
    try:
        return make_url(value).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable>"
