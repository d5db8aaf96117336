""" "Add to Slack": Bolt's OAuth flow on slack_sdk's stores, in Upward's own database.

Bolt does the protocol: ``GET /slack/install`` issues a state (kept in the database and
in a cookie of the installing browser) and shows the button; ``/slack/oauth_redirect``
checks the state, exchanges the code with ``oauth.v2.access`` and stores the
installation. Upward adds its pages (what to do next, what went wrong) and, in the same
step that stores an installation, the workspace's row: a reinstall after an uninstall
starts sending again.

The tables are Alembic's (models/installations.py), never created here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, delete
from sqlalchemy.exc import SQLAlchemyError

from bot import web
from bot.slack.gateway import SlackGateway
from bot.slack.scopes import BOT_SCOPES
from bot.views import install_pages
from models.installations import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE, oauth_states

log = logging.getLogger(__name__)

INSTALL_PATH = web.INSTALL_PATH
REDIRECT_PATH = web.OAUTH_REDIRECT_PATH
STATE_SECONDS = 600  # an install left open longer starts again from the button

# Called with each stored installation, in the request that stored it.
OnInstalled = Callable[[Installation], None]


def installation_store(engine: Engine, client_id: str) -> SQLAlchemyInstallationStore:
    return SQLAlchemyInstallationStore(
        client_id=client_id,
        engine=engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )


class UpwardOAuthFlow(OAuthFlow):
    """Bolt's flow with Upward's pages, and the workspace told of each installation."""

    def __init__(
        self,
        *,
        settings: OAuthSettings,
        client: object,
        on_installed: OnInstalled,
        engine: Engine,
    ):
        super().__init__(client=client, settings=settings)  # type: ignore[arg-type]
        self._on_installed = on_installed
        self._engine = engine

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return install_pages.install_page(url)

    def issue_new_state(self, request: BoltRequest) -> str:
        # Anyone can open the install page, and each visit stores a state: expired ones
        # go here, so the table holds at most ten minutes' worth.
        with self._engine.begin() as connection:
            connection.execute(
                delete(oauth_states).where(oauth_states.c.expire_at < _naive_utc_now())
            )
        return super().issue_new_state(request)

    def store_installation(self, request: BoltRequest, installation: Installation) -> None:
        try:
            super().store_installation(request, installation)
            self._on_installed(installation)
        except SQLAlchemyError as error:
            # Bolt answers a BoltError with the failure page ("storage_error"); anything
            # else would be a bare 500. The installer can simply try again.
            raise BoltError(f"could not store the installation: {type(error).__name__}") from error
        log.info(
            "installed in team %s (enterprise %s%s)",
            installation.team_id,
            installation.enterprise_id,
            ", org-wide" if installation.is_enterprise_install else "",
        )


def build_oauth_flow(
    *,
    engine: Engine,
    client_id: str,
    client_secret: str,
    gateway: SlackGateway,
    on_installed: OnInstalled,
    authorization_url: str | None = None,
) -> UpwardOAuthFlow:
    """``gateway``: a token-less gateway whose client Bolt uses for oauth.v2.access and
    auth.test (it carries SLACK_API_URL and the retry handlers)."""
    settings = OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installation_store(engine, client_id),
        # Requests are authorised with the bot token alone: Upward has no user tokens.
        installation_store_bot_only=True,
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_SECONDS, engine=engine, table_name=OAUTH_STATES_TABLE
        ),
        state_expiration_seconds=STATE_SECONDS,
        callback_options=CallbackOptions(success=_success, failure=_failure),
        authorization_url=authorization_url,
    )
    return UpwardOAuthFlow(
        settings=settings, client=gateway.bolt_client, on_installed=on_installed, engine=engine
    )


def _success(args: SuccessArgs) -> BoltResponse:
    installation = args.installation
    place = installation.team_name or installation.enterprise_name or "your workspace"
    html = install_pages.installed_page(
        place,
        app_url=_app_url(installation),
        org_wide=bool(installation.is_enterprise_install),
    )
    return _html(200, html)


def _failure(args: FailureArgs) -> BoltResponse:
    # Bolt's reasons: Slack's own `error` parameter (access_denied when the person chose
    # Cancel), invalid_browser/invalid_state (a forged, reused or expired state),
    # missing_code, invalid_code, storage_error.
    if args.error is not None:
        log.error("install failed (%s): %s", args.reason, type(args.error).__name__)
    else:
        log.info("install did not finish: %s", args.reason)
    status = args.suggested_status_code
    return _html(status, install_pages.failed_page(args.reason))


def _app_url(installation: Installation) -> str | None:
    """Slack's deep link into the app's Home, when the team is known."""
    if installation.team_id and installation.app_id:
        return f"slack://app?team={installation.team_id}&id={installation.app_id}&tab=home"
    return None


def _html(status: int, body: str) -> BoltResponse:
    return BoltResponse(
        status=status,
        body=body,
        headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"},
    )


def _naive_utc_now() -> datetime:
    """What slack_sdk's state store writes: UTC without a zone (a plain DateTime column)."""
    return datetime.now(UTC).replace(tzinfo=None)
