"""Alembic environment: URL from the config (set by bot.db) or DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import text

import models
from bot.config import DEFAULT_DATABASE_URL, normalize_database_url
from bot.db import make_engine

config = context.config
target_metadata = models.Base.metadata

# Several replicas may start at once; on Postgres they queue on this lock.
MIGRATION_LOCK_ID = 0x5570_7761_7264  # "Upward"


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    return normalize_database_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(database_url())
    with engine.connect() as connection:
        is_postgres = connection.dialect.name == "postgresql"
        if is_postgres:
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                # SQLite cannot ALTER most things; batch mode recreates the table.
                render_as_batch=True,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if is_postgres:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID}
                )
                connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
