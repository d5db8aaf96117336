"""Alembic is the only way the schema changes: it builds from nothing, matches the models
and tears down cleanly, on every database we support."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from bot.db import alembic_config, make_engine


def test_upgrade_check_and_downgrade_on_an_empty_database(fresh_database_url):
    cfg = alembic_config(fresh_database_url)
    engine = make_engine(fresh_database_url)
    try:
        assert inspect(engine).get_table_names() == []
        command.upgrade(cfg, "head")
        tables = set(inspect(engine).get_table_names())
        assert {"workspace", "program", "person", "person_skill", "skill"} <= tables
        assert {"self_assessment", "self_assessment_score"} <= tables
        with engine.connect() as conn:
            seeded = conn.execute(text("SELECT count(*) FROM skill")).scalar_one()
        assert seeded == 6

        command.check(cfg)  # raises if the models and migrations have drifted apart

        command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
