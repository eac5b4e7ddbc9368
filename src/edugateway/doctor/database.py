"""The database: reachable, and migrated to exactly the revision this code expects."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from edugateway.doctor.result import CheckResult
from edugateway.store.db import make_engine, schema_revision

NAME = "database"


def database_ready(url: str) -> CheckResult:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return CheckResult.fail(NAME, "database_url is not a database URL", _url_fix())
    sqlite_file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if sqlite_file and sqlite_file != ":memory:" and not Path(sqlite_file).is_file():
        # Connecting would create an empty file (and its folder): say so instead.
        return CheckResult.fail(NAME, f"SQLite file {sqlite_file} does not exist", "run `edugateway init-db`")
    try:
        engine = make_engine(url)
    except (SQLAlchemyError, ValueError, ImportError) as exc:
        return CheckResult.fail(NAME, f"database_url is not usable ({type(exc).__name__})", _url_fix())
    shown = engine.url.render_as_string(hide_password=True)
    try:
        revision = schema_revision(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[0]
        return CheckResult.fail(NAME, f"{shown} does not answer: {reason}", _url_fix())
    finally:
        engine.dispose()
    if revision.current == revision.head:
        return CheckResult.ok(NAME, f"{shown}, schema at {revision.head} (current)")
    if revision.current is None:
        return CheckResult.fail(NAME, f"{shown} has no schema yet", "run `edugateway init-db`")
    if not revision.known:
        return CheckResult.fail(
            NAME,
            f"{shown} is at revision {revision.current}, which this edugateway does not know (newer code migrated it)",
            "run the edugateway version that migrated it, or upgrade this one; never downgrade the schema by hand",
        )
    return CheckResult.fail(
        NAME, f"{shown} is at revision {revision.current}, code expects {revision.head}", "run `edugateway init-db`"
    )


def _url_fix() -> str:
    return (
        "check database_url (or EDUGATEWAY_DATABASE_URL): host, port, database name, user and password, "
        "and that the server is running"
    )
