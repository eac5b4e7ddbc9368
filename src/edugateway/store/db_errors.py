"""A database error as a sentence a person can act on: which kind of failure, the database's own first line, and
what to do. Used where a run records why it failed and by the command line's last resort."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError


def describe_database_error(exc: DBAPIError) -> str:
    cause = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
    if isinstance(exc, IntegrityError):
        return (
            f"the local database refused a write ({cause}): another process changed the same records at the same "
            "time; nothing of the step was kept. Run again; if it repeats, check which other process writes this "
            "school's data"
        )
    if isinstance(exc, OperationalError) and "locked" in cause:
        return (
            f"the local database stayed locked by another process ({cause}); SQLite lets one process write at a "
            "time. Run again when the other command has finished, or use PostgreSQL for parallel work"
        )
    return f"the local database failed ({cause}); check it with `edugateway doctor`, then run again"
