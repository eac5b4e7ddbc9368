"""Migration 0012 on both backends, over a database that already has a journal: the entry-time columns go down
and come back empty, and no lesson, mark or attendance entry is lost on the way (on SQLite a rebuilt lessons table
would cascade to marks and attendance)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from edugateway.store.db import Database, _alembic_config
from support.migration_journal import journal_counts, plant_journal


def test_0012_adds_the_entry_times_and_goes_down_and_up_keeping_the_journal(database: Database) -> None:
    plant_journal(database)
    assert journal_counts(database) == (1, 1, 1)
    config = _alembic_config(database.engine)

    command.downgrade(config, "0011")
    columns = {c["name"] for c in inspect(database.engine).get_columns("lessons")}
    assert not columns & {"starts_at", "ends_at", "homework_sent_at"}
    assert "entered_at" not in {c["name"] for c in inspect(database.engine).get_columns("attendance")}
    assert journal_counts(database) == (1, 1, 1)

    command.upgrade(config, "0012")
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT ends_at, homework_sent_at FROM lessons")).all() == [(None, None)]
        assert conn.execute(text("SELECT entered_at FROM attendance")).all() == [(None,)]
    assert journal_counts(database) == (1, 1, 1)
    command.upgrade(config, "head")
    database.require_current_schema()
