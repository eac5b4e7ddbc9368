"""Migration 0014 on both backends, over a database that already has a journal: the origin columns go down and
come back empty (a pulled row is not local), and no lesson, mark or attendance entry is lost on the way (on SQLite a
rebuilt lessons table would cascade to marks and attendance)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from edugateway.store.db import Database, _alembic_config
from support.migration_journal import journal_counts, plant_journal


def test_0014_adds_the_origin_columns_and_goes_down_and_up_keeping_the_journal(database: Database) -> None:
    plant_journal(database)
    config = _alembic_config(database.engine)

    command.downgrade(config, "0013")
    for table in ("lessons", "marks", "attendance"):
        assert "origin" not in {c["name"] for c in inspect(database.engine).get_columns(table)}
    assert journal_counts(database) == (1, 1, 1)

    command.upgrade(config, "0014")
    with database.engine.connect() as conn:
        for query in ("SELECT origin FROM lessons", "SELECT origin FROM marks", "SELECT origin FROM attendance"):
            assert conn.execute(text(query)).all() == [(None,)]
    assert journal_counts(database) == (1, 1, 1)
    command.upgrade(config, "head")
    database.require_current_schema()
