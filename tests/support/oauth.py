"""Installing Upward with "Add to Slack", as a browser and Slack do it, for tests.

The test plays the installing person's browser (it keeps the state cookie Bolt sets) and
Slack's "Allow" page (the fake Slack hands out a code), then follows the redirect back.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from bot.config import Settings
from bot.db import migrate
from bot.sandbox.fakeslack import FakeSlack
from tests.support import RunningApp, app_env, free_port, start_app


def oauth_settings(fake: FakeSlack, database_url: str) -> Settings:
    """Settings of a many-workspace deployment (SLACK_CLIENT_ID/SECRET, no bot token), as
    the scheduler's process builds its services from them."""
    return Settings(
        bot_token=None,
        signing_secret="0123456789abcdef0123",
        app_token=None,
        api_url=fake.url,
        database_url=database_url,
        port=0,
        post_rate=100,
        # Programs here run months of virtual time: nothing is pruned from the outbox.
        retention_days=3650,
        client_id=fake.client_id,
        client_secret=fake.client_secret,
    )


def oauth_env(database_url: str, fake: FakeSlack, port: int) -> dict[str, str]:
    """The app's settings for many workspaces: the client pair, no bot token."""
    return app_env(
        database_url,
        fake.url,
        port,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=fake.client_id,
        SLACK_CLIENT_SECRET=fake.client_secret,
    )


@contextmanager
def oauth_app(database_url: str, fake: FakeSlack, log_path: Path) -> Iterator[RunningApp]:
    migrate(database_url)
    running = start_app(oauth_env(database_url, fake, free_port()), log_path)
    try:
        yield running
    finally:
        running.stop()


def start_install(base_url: str) -> tuple[requests.Session, str, requests.Response]:
    """GET /slack/install in a fresh browser: (the browser, the state, the page)."""
    browser = requests.Session()
    page = browser.get(base_url + "/slack/install", timeout=10)
    found = re.search(r'href="([^"]+)"', page.text)
    assert found, page.text
    authorize = html.unescape(found.group(1))
    (state,) = parse_qs(urlsplit(authorize).query)["state"]
    # Bolt's state cookie is Secure (production serves HTTPS); a browser on HTTPS sends
    # it back, so the test's browser does too, on the test's plain HTTP.
    cookie = page.headers.get("Set-Cookie", "").split(";", 1)[0]
    if cookie:
        browser.headers["Cookie"] = cookie
    return browser, state, page


def install(
    base_url: str,
    fake: FakeSlack,
    team_id: str | None,
    *,
    enterprise_id: str | None = None,
    org_wide: bool = False,
) -> requests.Response:
    """The whole install: button, Slack's Allow, the redirect back. Returns the last page."""
    browser, state, _ = start_install(base_url)
    code = fake.install(team_id, enterprise_id=enterprise_id, is_enterprise_install=org_wide)
    return browser.get(
        base_url + "/slack/oauth_redirect", params={"code": code, "state": state}, timeout=10
    )
