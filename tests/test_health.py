"""/readyz's verdicts on databases that misbehave, and on a clock that stopped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bot.db import make_engine
from bot.health import Readiness
from bot.replicas import Replicas
from bot.web import make_wsgi_app


def read_only(url: str):
    """The same database, through connections that may read but never write."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return create_engine(f"sqlite:///file:{parsed.database}?mode=ro&uri=true")
    options = parsed.query.get("options", "")
    readonly = f"{options} -cdefault_transaction_read_only=on".strip()
    return create_engine(parsed.update_query_dict({"options": readonly}))


def ask(readiness: Readiness) -> tuple[str, bytes]:
    app = make_wsgi_app(None, lambda: True, readiness=readiness.check)
    answer: list[str] = []
    body = b"".join(
        app(
            {"PATH_INFO": "/readyz", "REQUEST_METHOD": "GET"},
            lambda status, headers: answer.append(status),
        )
    )
    return answer[0], body


def test_a_database_that_stops_taking_writes_is_not_ready(own_url):
    engine = read_only(own_url)
    try:
        status, body = ask(Readiness(engine, Replicas(engine), tick_seconds=0))
    finally:
        engine.dispose()
    assert status.startswith("503")
    assert b'"database": "does not take writes"' in body
    assert b'"schema": "ok"' in body  # it still answers: only the write failed


def test_a_writable_database_at_head_is_ready(own_url):
    engine = make_engine(own_url)
    try:
        status, body = ask(Readiness(engine, Replicas(engine), tick_seconds=0))
    finally:
        engine.dispose()
    assert status.startswith("200")
    assert b'"status": "ok"' in body


@pytest.mark.parametrize(
    ("beat_ago", "ready", "says"),
    [
        (None, False, "no tick yet"),
        (timedelta(seconds=30), True, "ok"),
        (timedelta(seconds=179), True, "ok"),  # three 60 s ticks
        (timedelta(minutes=10), False, "last tick 600 s ago"),
    ],
)
def test_the_scheduler_must_have_ticked_within_three_intervals(own_url, beat_ago, ready, says):
    engine = make_engine(own_url)
    now = datetime(2027, 3, 1, 9, tzinfo=UTC)
    try:
        if beat_ago is not None:
            Replicas(engine, wall=lambda: now - beat_ago).beat()
        verdict = Readiness(engine, Replicas(engine), tick_seconds=60, wall=lambda: now).check()
    finally:
        engine.dispose()
    assert verdict.ready is ready
    assert verdict.checks["scheduler"] == says
