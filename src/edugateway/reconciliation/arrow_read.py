"""A query's result straight into Arrow columns through ADBC (the Arrow project's database drivers), for the
million-row reads of reconciliation: SQLAlchemy's row objects cost seconds per million rows, ADBC a fraction.

The statement is still built with SQLAlchemy and rendered for the database's dialect. SQLite has no column
types to go by, so the driver infers them from the rows: it is told to read the result as one batch, so a
column whose first rows are empty is typed by the later ones, and every column is then cast to the schema
the comparison expects. A database ADBC has no driver for is read through SQLAlchemy instead.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from sqlalchemy import Select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session

from edugateway.reconciliation.columns import ColumnBuffer

FETCH_ROWS = 50_000
_ONE_BATCH = {"adbc.sqlite.query.batch_rows": "1000000000"}  # the driver takes at most an int


def _adbc_connection(url: str) -> Any | None:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        import adbc_driver_sqlite.dbapi as sqlite_adbc

        return sqlite_adbc.connect(parsed.database)
    if backend == "postgresql":
        try:
            import adbc_driver_postgresql.dbapi as pg_adbc
        except ImportError:  # the postgres extra without the ADBC driver: SQLAlchemy reads it
            return None
        return pg_adbc.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False))
    return None


def _conformed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The columns renamed to the schema's and cast to its types (dates arrive from SQLite as text)."""
    arrays = []
    for column, wanted in zip(table.columns, schema, strict=True):
        arrays.append(column if column.type == wanted.type else column.cast(wanted.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def read_arrow(session: Session, statement: Select[Any], schema: pa.Schema) -> pa.Table:
    """The rows of `statement` as a table of `schema` (its columns in the statement's order)."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    url = engine.url
    adbc = _adbc_connection(url.render_as_string(hide_password=False))
    if adbc is None:
        return _read_rows(session, statement, schema)
    dialect = engine.dialect
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    try:
        cursor = adbc.cursor()
        if url.get_backend_name() == "sqlite":
            cursor.adbc_statement.set_options(**_ONE_BATCH)
        cursor.execute(sql)
        return _conformed(cursor.fetch_arrow_table(), schema)
    finally:
        adbc.close()


def _read_rows(session: Session, statement: Select[Any], schema: pa.Schema) -> pa.Table:
    buffer = ColumnBuffer(schema, FETCH_ROWS)
    for part in session.execute(statement, execution_options={"yield_per": FETCH_ROWS}).partitions():
        buffer.extend(part)
    return buffer.table()
