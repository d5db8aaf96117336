"""Waiting for what the app does after its ack, without guessing at sleeps."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(found: Callable[[], T], timeout: float = 5) -> T:
    """``found()``'s first truthy result, or its last falsy one once ``timeout`` passed."""
    deadline = time.monotonic() + timeout
    while not (result := found()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return result
