from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from edugateway.store.db import Database
from edugateway.store.tables import Base


def test_migrations_build_exactly_the_models(database: Database) -> None:
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_migrate_is_idempotent_and_current(database: Database) -> None:
    database.migrate()
    database.require_current_schema()
    assert "audit_log" in inspect(database.engine).get_table_names()
