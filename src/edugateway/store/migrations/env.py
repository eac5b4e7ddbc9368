"""Alembic environment: the engine comes from edugateway.store.db, never from an ini file."""

from alembic import context
from sqlalchemy import Engine

from edugateway.store.tables import Base

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through `edugateway init-db` (edugateway.store.db.migrate)")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    context.run_migrations()
