"""What several app processes on one database share, so that two replicas behave as one.

- :class:`SharedPostPace`: the workspace's chat.postMessage pace, one slot at a time, in
  a row every sender moves forward (Postgres); two replicas post at the pace, not twice it.
- :class:`SharedPauses`: a 429's pause, written for every replica to honour.
- :class:`Replicas`: Events API de-duplication by ``event_id``, the tick's heartbeat
  (read by /readyz and /metrics), and "only one replica at a time" for work that is
  idempotent but wasteful to run twice at once (planning, pruning).

SQLite serves one process (the app, or the CLI beside it), so the pace stays in-process
there; the rest works on both.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from models import Heartbeat, SeenEvent, SlackPause

log = logging.getLogger(__name__)

DEFAULT_SCOPE = "workspace"  # one workspace per deployment until OAuth (issue 15)
PAUSES_FRESH_FOR = 1.0  # seconds a replica trusts its copy of the shared pauses
TICK = "run_due"
# pg advisory locks take two int4 keys here: "Up" and a job number, then the schema's
# hash, so deployments (or test runs) sharing one database in different schemas never
# hold each other's jobs. (Migrations use the one-bigint form, a separate key space.)
_LOCK_IDS = {"plan": 0x5570_7701, "prune": 0x5570_7702, "purge": 0x5570_7703}
_TRY_LOCK = text("SELECT pg_try_advisory_lock(:id, hashtext(current_schema()))")
_UNLOCK = text("SELECT pg_advisory_unlock(:id, hashtext(current_schema()))")


def replica_name() -> str:
    """Who did it, in the heartbeat: the host (a container's id) and the process."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def _wall() -> datetime:
    return datetime.now(UTC)


# Take the next slot in one statement. The slot is the later of the row's next free slot,
# now less the burst allowance, and the end of a 429's pause on chat.postMessage
# (GREATEST skips NULLs: no pause row, no effect); the row moves one interval past it.
_RESERVE = text(
    "WITH pause AS (SELECT max(until) AS until FROM slack_pause"
    "   WHERE scope = :scope AND method = 'chat.postMessage')"
    " INSERT INTO post_pace (scope, next_slot_at)"
    " SELECT :scope, GREATEST(now() - make_interval(secs => :tolerance), pause.until)"
    "   + make_interval(secs => :interval)"
    "   FROM pause"
    " ON CONFLICT (scope) DO UPDATE SET next_slot_at = GREATEST("
    "   post_pace.next_slot_at,"
    "   now() - make_interval(secs => :tolerance),"
    "   (SELECT until FROM pause)"
    " ) + make_interval(secs => :interval)"
    " RETURNING EXTRACT(EPOCH FROM"
    "   post_pace.next_slot_at - make_interval(secs => :interval) - now())"
)


class SharedPostPace:
    """A generic cell rate algorithm on one row: ``next_slot_at`` is the earliest time
    the next message may go; each sender takes a slot by moving it one interval on, in
    one statement, so senders on any number of replicas never share a slot. The pace's
    shape (interval, burst tolerance) is the caller's (bot.services.outbox.pacing), so
    one process and many keep the same pace. A 429 on chat.postMessage pushes every slot
    past the pause, and the slots after it are spaced from its end. The slots are on the
    database's clock (``now()``); a pause's end is the wall clock of the replica that
    was refused, so replicas' clocks should agree (NTP) to within a fraction of a
    second."""

    def __init__(self, engine: Engine, scope: str = DEFAULT_SCOPE) -> None:
        self._engine = engine
        self._scope = scope

    def reserve(self, interval: float, tolerance: float) -> float:
        """Take the next slot; returns the seconds to wait until it (0: go now)."""
        with self._engine.begin() as conn:
            wait = conn.execute(
                _RESERVE, {"scope": self._scope, "interval": interval, "tolerance": tolerance}
            ).scalar_one()
        return max(0.0, float(wait))


class SharedPauses:
    """The pauses Slack asked for (429 + Retry-After), for every replica. Writes go
    straight to the database; reads come from a copy at most a second old, so a call
    costs no query. A database that does not answer leaves each replica with its own
    pauses, which is how it was before replicas shared them."""

    def __init__(
        self,
        engine: Engine,
        scope: str = DEFAULT_SCOPE,
        wall: Callable[[], datetime] = _wall,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._scope = scope
        self._wall = wall
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._copy: dict[str, datetime] = {}
        self._read_at: float | None = None

    def record(self, method: str, seconds: float) -> None:
        until = self._wall() + timedelta(seconds=seconds)
        try:
            with self._engine.begin() as conn:
                insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
                statement = insert(SlackPause).values(
                    scope=self._scope, method=method[:64], until=until
                )
                conn.execute(
                    statement.on_conflict_do_update(
                        index_elements=["scope", "method"],
                        set_={"until": until},
                        where=SlackPause.until < until,
                    )
                )
        except SQLAlchemyError as error:
            log.warning("could not share a Slack pause for %s: %s", method, type(error).__name__)
            return
        with self._lock:
            self._copy[method] = max(until, self._copy.get(method, until))

    def remaining(self, method: str) -> float:
        """Seconds left of the pause any replica recorded for ``method``."""
        with self._lock:
            stale = self._read_at is None or self._monotonic() - self._read_at > PAUSES_FRESH_FOR
            if stale:
                self._refresh()
            until = self._copy.get(method)
        if until is None:
            return 0.0
        return max(0.0, (until - self._wall()).total_seconds())

    def _refresh(self) -> None:
        self._read_at = self._monotonic()  # also on failure: one try a second, not per call
        try:
            with self._engine.connect() as conn:
                rows = conn.execute(
                    select(SlackPause.method, SlackPause.until).where(
                        SlackPause.scope == self._scope, SlackPause.until > self._wall()
                    )
                ).all()
        except SQLAlchemyError as error:
            log.warning("could not read the shared Slack pauses: %s", type(error).__name__)
            return
        self._copy = dict(rows)  # type: ignore[arg-type]


class Replicas:
    def __init__(self, engine: Engine, wall: Callable[[], datetime] = _wall) -> None:
        self._engine = engine
        self._wall = wall
        self._name = replica_name()

    @property
    def engine(self) -> Engine:
        return self._engine

    def first_delivery(self, event_id: str) -> bool:
        """True the first time any replica sees this Events API ``event_id``."""
        with self._engine.begin() as conn:
            insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            inserted = conn.execute(
                insert(SeenEvent)
                .values(event_id=event_id[:64], seen_at=self._wall())
                .on_conflict_do_nothing(index_elements=["event_id"])
                .returning(SeenEvent.event_id)
            ).first()
        return inserted is not None

    def forget_events(self, older_than: timedelta) -> int:
        """Slack retries an event for a few minutes at most; a day is plenty."""
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(SeenEvent).where(SeenEvent.seen_at < self._wall() - older_than)
            )
        return result.rowcount or 0

    def beat(self, name: str = TICK) -> None:
        """Record that ``name`` just finished, on this replica, in real time (a sandbox's
        virtual clock or `run-due --at` does not make the service look alive)."""
        now = self._wall()
        with self._engine.begin() as conn:
            insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            statement = insert(Heartbeat).values(name=name, finished_at=now, replica=self._name)
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["name"], set_={"finished_at": now, "replica": self._name}
                )
            )

    def last_beat(self, name: str = TICK) -> datetime | None:
        with self._engine.connect() as conn:
            return conn.execute(
                select(Heartbeat.finished_at).where(Heartbeat.name == name)
            ).scalar_one_or_none()

    @contextmanager
    def exclusive(self, job: str) -> Iterator[bool]:
        """Yields True when this replica may run ``job`` now, False when another replica
        is running it (Postgres advisory lock, released at the end, or when a replica
        dies, with its connection). On SQLite, one process serves: always True."""
        if self._engine.dialect.name != "postgresql":
            yield True
            return
        lock_id = _LOCK_IDS[job]
        with self._engine.connect() as conn:
            got = conn.execute(_TRY_LOCK, {"id": lock_id}).scalar()
            conn.commit()
            try:
                yield bool(got)
            finally:
                if got:
                    conn.execute(_UNLOCK, {"id": lock_id})
                    conn.commit()
