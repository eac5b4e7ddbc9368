"""A query's result straight into Arrow columns, for the million-row reads of reconciliation: SQLAlchemy's row
objects cost seconds per million rows.

PostgreSQL is read through ADBC (the Arrow project's driver: binary COPY into Arrow). SQLite is read through the
session's own sqlite3 connection, a batch of plain tuples at a time turned into columns: an ADBC or DuckDB SQLite
reader would bring a second copy of the SQLite library into the process, and two copies releasing each other's
POSIX locks corrupt a WAL database (SQLite's "multiple copies of SQLite in one application" warning).
Every column is then cast to the schema the caller expects (SQLite gives dates as text). Any other
database is read through SQLAlchemy, a partition of rows at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
from sqlalchemy import Select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

FETCH_ROWS = 50_000


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def _sql(engine: Engine, statement: Select[Any]) -> str:
    # The statements hold only ids, dates and names from the configuration; the dialect quotes them as literals.
    return str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


def _conformed(columns: list[pa.Array | pa.ChunkedArray], schema: pa.Schema) -> list[pa.Array | pa.ChunkedArray]:
    return [col if col.type == f.type else col.cast(f.type) for col, f in zip(columns, schema, strict=True)]


def _batch(rows: Sequence[Sequence[Any]], schema: pa.Schema) -> pa.RecordBatch:
    arrays = [pa.array(column) for column in zip(*rows, strict=True)]
    return pa.RecordBatch.from_arrays(_conformed(arrays, schema), schema=schema)


def _typed_batch(rows: Sequence[Sequence[Any]], schema: pa.Schema) -> pa.RecordBatch:
    """Driver values that are already of the schema's types (what SQLAlchemy's result processors give)."""
    columns = zip(*rows, strict=True)
    return pa.RecordBatch.from_arrays(
        [pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
    )


def _read_sqlite(session: Session, statement: Select[Any], schema: pa.Schema) -> pa.Table:
    raw = session.connection().connection.driver_connection
    cursor = raw.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_sql(_engine(session), statement))
        batches = []
        while rows := cursor.fetchmany(FETCH_ROWS):
            batches.append(_batch(rows, schema))
    finally:
        cursor.close()
    return pa.Table.from_batches(batches, schema=schema)


def _read_postgres(session: Session, statement: Select[Any], schema: pa.Schema) -> pa.Table | None:
    try:
        import adbc_driver_postgresql.dbapi as pg_adbc
    except ImportError:  # the driver is part of the postgres extra; without it SQLAlchemy reads
        return None
    engine = _engine(session)
    uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with pg_adbc.connect(uri) as adbc, adbc.cursor() as cursor:
        cursor.execute(_sql(engine, statement))
        table = cursor.fetch_arrow_table()
    return pa.Table.from_arrays(_conformed(table.columns, schema), schema=schema)


def read_arrow(session: Session, statement: Select[Any], schema: pa.Schema) -> pa.Table:
    """The rows of `statement` as a table of `schema` (its columns in the statement's order)."""
    backend = _engine(session).url.get_backend_name()
    if backend == "sqlite":
        return _read_sqlite(session, statement, schema)
    if backend == "postgresql" and (table := _read_postgres(session, statement, schema)) is not None:
        return table
    parts = session.execute(statement, execution_options={"yield_per": FETCH_ROWS}).partitions()
    return pa.Table.from_batches([_typed_batch(part, schema) for part in parts], schema=schema)
