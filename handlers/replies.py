"""Errors after ack(), answered where they happen.

Bolt forgets an ack() when the listener raises right after it (it resets the response
it was about to send), so the HTTP answer would wait for Bolt's 3-second timeout and
Slack would show the click as failed. Work after the ack therefore runs inside
``replying``, which turns a UserFacingError into an ephemeral reply and anything else
into a logged apology, exactly as the app-wide error handler would.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt import Respond

from bot import copy
from bot.errors import UserFacingError

log = logging.getLogger(__name__)


@contextmanager
def replying(respond: Respond) -> Iterator[None]:
    try:
        yield
    except UserFacingError as error:
        respond(text=error.message, response_type="ephemeral", replace_original=False)
    except Exception:
        log.exception("listener failed after its ack")
        respond(text=copy.SOMETHING_WENT_WRONG, response_type="ephemeral", replace_original=False)
