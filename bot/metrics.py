"""GET /metrics: Prometheus' text format.

Counters and histograms live in this process (each replica runs one gunicorn worker,
threads for concurrency, so one process's registry is the replica's whole truth; scrape
every replica). What the database knows (outbox depth, the oldest due message, the last
tick of any replica) is read at scrape time, so every replica reports the same value:
take ``max`` across replicas, not ``sum``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.replicas import TICK
from models import Heartbeat, OutboundMessage, OutboxStatus

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

SLOW_ACK_SECONDS = 1.0

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "upward_requests",
    "Requests on /slack/events by kind (command, block_actions, view_submission, "
    "event_callback, ...; 'refused' when turned away at the door) and outcome.",
    ["kind", "outcome"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "upward_request_seconds",
    "Time from a request's arrival to its answer (the ack), by kind.",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
    registry=REGISTRY,
)
SLOW_ACKS = Counter(
    "upward_slow_acks",
    "Requests answered after more than a second (Slack gives up at three).",
    ["kind"],
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "upward_deliveries",
    "Outbox messages by outcome (sent, found_sent, retried, failed, cancelled) and "
    "reason (Slack's error code, or why a message was cancelled).",
    ["outcome", "reason"],
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "upward_slack_rate_limited",
    "429 answers from Slack, by Web API method.",
    ["method"],
    registry=REGISTRY,
)
RETRY_AFTER = Histogram(
    "upward_slack_retry_after_seconds",
    "Retry-After of Slack's 429 answers, by method.",
    ["method"],
    buckets=(1, 2, 5, 10, 30, 60, 120, 300),
    registry=REGISTRY,
)


def count_request(kind: str, status: int, seconds: float) -> None:
    outcome = "ok" if status < 400 else "refused" if status < 500 else "error"
    REQUESTS.labels(kind, outcome).inc()
    REQUEST_SECONDS.labels(kind).observe(seconds)
    if seconds > SLOW_ACK_SECONDS:
        SLOW_ACKS.labels(kind).inc()


def count_rate_limited(method: str, retry_after: float) -> None:
    RATE_LIMITED.labels(method).inc()
    RETRY_AFTER.labels(method).observe(retry_after)


def count_deliveries(outcome: str, reason: str = "", n: int = 1) -> None:
    if n:
        DELIVERIES.labels(outcome, reason).inc(n)


class DatabaseGauges(Collector):
    """Read at each scrape: one small query per gauge, on indexed columns."""

    def __init__(self, engine: Engine, wall: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self._engine = engine
        self._wall = wall

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "upward_outbox_depth", "Messages planned and not yet sent (pending or sending)."
        )
        oldest = GaugeMetricFamily(
            "upward_outbox_oldest_due_seconds",
            "How long the oldest message that is due now has waited (0: none waiting).",
        )
        since_tick = GaugeMetricFamily(
            "upward_seconds_since_tick",
            "Seconds since any replica last finished the scheduler tick (run_due).",
        )
        now = self._wall()
        try:
            with self._engine.connect() as conn:
                waiting = OutboundMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING))
                # Due: pending and its (next) attempt time has come; its age counts from
                # when it was first due, so retries do not make a late message look new.
                count, first_due = conn.execute(
                    select(
                        func.count(OutboundMessage.id),
                        func.min(OutboundMessage.due_at).filter(
                            OutboundMessage.status == OutboxStatus.PENDING,
                            OutboundMessage.next_attempt_at <= now,
                        ),
                    ).where(waiting)
                ).one()
                last_tick = conn.execute(
                    select(Heartbeat.finished_at).where(Heartbeat.name == TICK)
                ).scalar()
        except SQLAlchemyError:
            return  # the database is down: /readyz says so; no made-up numbers here
        depth.add_metric([], count)
        first_due = _aware(first_due)
        oldest.add_metric([], max(0.0, (now - first_due).total_seconds()) if first_due else 0.0)
        yield depth
        yield oldest
        if last_tick is not None:
            since_tick.add_metric([], max(0.0, (now - _aware(last_tick)).total_seconds()))
            yield since_tick


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for an aggregate (no column type to convert)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def metrics_app(engine: Engine) -> WSGIApplication:
    """The WSGI app for GET /metrics: this process's counters and the database's gauges."""
    database = CollectorRegistry()
    database.register(DatabaseGauges(engine))

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = generate_latest(REGISTRY) + generate_latest(database)
        start_response(
            "200 OK",
            [
                ("Content-Type", CONTENT_TYPE_LATEST),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]

    return application
