"""Engine, sessions and migrations: the one place that knows how to reach the database."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        # Bolt runs listeners on worker threads; SQLite must wait for a lock, not fail.
        kwargs.setdefault("connect_args", {"timeout": 15})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        _WritersTakeTurns(threading.RLock()).install(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets /healthz and readers run while a join is being written.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL, NORMAL is safe against a crash of the app (only power loss can undo the
    # last commits) and spares an fsync per commit, which is most of a join's time.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # We say BEGIN ourselves (below): sqlite3's own would be a deferred one.
    dbapi_connection.isolation_level = None


class _WritersTakeTurns:
    """SQLite has one writer at a time, and two ways of making the others wait badly.

    A deferred transaction that reads and then writes fails at once with "database is
    locked" when another writer got in between; and writers waiting on SQLite's lock
    poll with back-off sleeps of up to 100 ms, so under a burst of joins some wait for
    seconds while others pass. So every transaction starts with BEGIN IMMEDIATE, and the
    threads of this process queue for it on a lock of ours, which wakes the next one as
    soon as the last commits. (Another process, the CLI, still waits on SQLite's timeout.)
    Reentrant, because a thread may hold a transaction while a nested read begins one.
    """

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._holders: set[int] = set()

    def install(self, engine: Engine) -> None:
        dialect = engine.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_begin(dbapi_connection: Any) -> None:
            self._lock.acquire()
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
            except BaseException:
                self._lock.release()
                raise
            self._holders.add(id(dbapi_connection))

        def do_commit(dbapi_connection: Any) -> None:
            try:
                commit(dbapi_connection)
            finally:
                self._done(dbapi_connection)

        def do_rollback(dbapi_connection: Any) -> None:
            try:
                rollback(dbapi_connection)
            finally:
                self._done(dbapi_connection)

        # Instance attributes: this engine's dialect only, not every SQLite engine.
        dialect.do_begin = do_begin  # type: ignore[method-assign]
        dialect.do_commit = do_commit  # type: ignore[method-assign]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign]

    def _done(self, dbapi_connection: Any) -> None:
        key = id(dbapi_connection)
        if key in self._holders:  # the pool's reset-on-return rolls back idle ones too
            self._holders.discard(key)
            self._lock.release()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: services return plain data built from loaded rows.
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction per use case: committed on success, rolled back on error."""
    with factory.begin() as session:
        yield session


def database_is_up(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("database health check failed", exc_info=True)
        return False
    return True


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic's config is ConfigParser-based: a literal % must be doubled.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def migrate(database_url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (Alembic is the only way it changes)."""
    command.upgrade(alembic_config(database_url), revision)
