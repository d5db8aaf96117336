"""/healthz and /readyz.

/healthz is liveness: the process answers and reaches its database (cheap; a failing one
restarts the container). /readyz is readiness, what a load balancer or Compose asks before
sending traffic: the database takes a write; its schema is at least this code's head (a
replica newer than its schema must not serve; an older one still may, since migrations
are additive and an upgrade migrates before it rolls the replicas); and the scheduler is
alive on some replica: a tick finished, or made progress, within three tick intervals.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot.db import alembic_config
from bot.replicas import Replicas

log = logging.getLogger(__name__)

READY_BEAT = "readyz"  # the row /readyz writes to prove the database takes writes
MISSED_TICKS = 3


@dataclass(frozen=True)
class Verdict:
    ready: bool
    checks: dict[str, str]

    def body(self) -> bytes:
        status = "ok" if self.ready else "not ready"
        return json.dumps({"status": status, "checks": self.checks}).encode()


class Readiness:
    def __init__(
        self,
        engine: Engine,
        replicas: Replicas,
        tick_seconds: int,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = engine
        self._replicas = replicas
        self._tick_seconds = tick_seconds
        self._wall = wall

    @cached_property
    def _scripts(self) -> ScriptDirectory:
        return ScriptDirectory.from_config(alembic_config("sqlite://"))

    @property
    def head(self) -> str | None:
        return self._scripts.get_current_head()

    def check(self) -> Verdict:
        try:
            with self._engine.connect() as conn:
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError as error:
            log.warning("readiness: no schema version readable: %s", type(error).__name__)
            return Verdict(False, {"database": "unreachable or not migrated"})
        checks = {"schema": self._schema(current)}
        if checks["schema"] == "ok":
            checks["database"] = self._takes_writes()
        checks["scheduler"] = self._scheduler()
        return Verdict(all(v == "ok" or v.startswith("off") for v in checks.values()), checks)

    def _takes_writes(self) -> str:
        try:
            self._replicas.beat(READY_BEAT)
        except SQLAlchemyError as error:
            log.warning("readiness: the database did not take a write: %s", type(error).__name__)
            return "does not take writes"
        return "ok"

    def _schema(self, current: str | None) -> str:
        if current == self.head:
            return "ok"
        try:
            known = current is not None and self._scripts.get_revision(current) is not None
        except CommandError:
            known = False
        if current is not None and not known:
            # A revision this code has never heard of: a newer release migrated first,
            # as an upgrade does. Migrations are additive, so this replica still serves
            # until it is rolled.
            return "ok"
        return f"at {current}, this code needs {self.head}: run `python -m bot migrate`"

    def _scheduler(self) -> str:
        if not self._tick_seconds:
            return "off here (SCHEDULER_TICK_SECONDS=0): run-due runs elsewhere"
        last = self._replicas.last_beat()
        if last is None:
            return "no tick yet"
        late = self._wall() - last
        if late > timedelta(seconds=MISSED_TICKS * self._tick_seconds):
            return f"last tick {int(late.total_seconds())} s ago"
        return "ok"
