"""Fixtures for end-to-end tests of many workspaces: the app installed with OAuth."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.db import make_engine
from tests.conftest import DATABASE_KINDS, _empty_database
from tests.support import RunningApp
from tests.support.oauth import oauth_app


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def oauth_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A database of the module's own: the app there acts on every workspace in it."""
    yield from _empty_database(request.param, tmp_path_factory)


@pytest.fixture(scope="module")
def oauth_running(oauth_url, fake_slack_server, tmp_path_factory) -> Iterator[RunningApp]:
    """The app with SLACK_CLIENT_ID/SECRET and no bot token: many workspaces."""
    log_path = tmp_path_factory.mktemp("oauth") / "app.log"
    with oauth_app(oauth_url, fake_slack_server, log_path) as running:
        yield running


@pytest.fixture(scope="module")
def oauth_db(oauth_url):
    engine = make_engine(oauth_url)
    yield engine
    engine.dispose()
