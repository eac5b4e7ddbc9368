"""Migration 0007 on both backends: outbox rows get `claimed_by`; a failed row a later row of the same record
carries is superseded, one with no later row stays failed (the next plan of its record queues it again); and
the migration goes down and up again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from edugateway.store.db import Database, _alembic_config

LEGACY = [  # (key, status): what runs before 0007 left, oldest first
    ("a", "failed"),  # attempts ran out during an outage ...
    ("a", "done"),  # ... and a later run pushed the record
    ("b", "failed"),
    ("b", "pending"),
    ("c", "failed"),  # nothing later: still owed
]


def test_0007_adds_claims_and_supersedes_failed_rows_a_later_row_carries(database: Database) -> None:
    config = _alembic_config(database.engine)
    command.downgrade(config, "0006")
    assert "claimed_by" not in {c["name"] for c in inspect(database.engine).get_columns("sync_outbox")}
    with database.engine.begin() as conn:
        school = conn.execute(
            text(
                "INSERT INTO schools (code, name, timezone, created_at, updated_at) "
                "VALUES ('s1', 'Школа', 'Europe/Moscow', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"
            )
        ).scalar_one()
        run = conn.execute(
            text(
                "INSERT INTO sync_runs (school_id, platform, entities, directions, dry_run, status, started_at) "
                "VALUES (:school, 'ecp', '[]', '{}', false, 'done', CURRENT_TIMESTAMP) RETURNING id"
            ),
            {"school": school},
        ).scalar_one()
        for key, status in LEGACY:
            conn.execute(
                text(
                    "INSERT INTO sync_outbox (run_id, school_id, platform, entity, op, local_key, payload, status, "
                    "attempts, created_at, updated_at) VALUES (:run, :school, 'ecp', 'persons', 'create', :key, "
                    "'{}', :status, 3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"run": run, "school": school, "key": key, "status": status},
            )

    command.upgrade(config, "0007")
    with database.engine.connect() as conn:
        found = conn.execute(text("SELECT local_key, status, claimed_by FROM sync_outbox ORDER BY id")).all()
    assert [tuple(r) for r in found] == [
        ("a", "superseded", None),
        ("a", "done", None),
        ("b", "superseded", None),
        ("b", "pending", None),
        ("c", "failed", None),
    ]

    command.downgrade(config, "0006")
    command.upgrade(config, "head")
    database.require_current_schema()
