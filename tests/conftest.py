"""Shared fixtures: markers from directories, sockets blocked in unit tests, databases on both backends."""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from sqlalchemy import create_engine, make_url, text

from edugateway.store.db import Database


@functools.cache
def pg_url() -> str | None:
    """The test PostgreSQL database of this process: EDUGATEWAY_TEST_PG_URL itself, or, under pytest-xdist, a
    database of each worker's own beside it (created once), since every test drops and recreates the schema."""
    base = os.environ.get("EDUGATEWAY_TEST_PG_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not base or not worker:
        return base
    url = make_url(base)
    name = f"{url.database}_{worker}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        kind = Path(str(item.fspath)).relative_to(Path(__file__).parent).parts[0]
        if kind in ("unit", "integration", "e2e"):
            item.add_marker(getattr(pytest.mark, kind))


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """A command under test configures logging for the process (level, format); the next test starts afresh."""
    yield
    structlog.reset_defaults()


@pytest.fixture(autouse=True)
def _no_network_in_unit_tests(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests may not open TCP connections; a test that needs one belongs in integration/."""
    if request.node.get_closest_marker("unit") is None:
        return
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise RuntimeError(f"unit test connected to {address!r}; use respx, or move it to integration/")
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


def _backends() -> list[object]:
    pg = pytest.param("postgresql", marks=pytest.mark.postgres, id="postgresql")
    return ["sqlite", pg]


@pytest.fixture(params=_backends())
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database on each backend: an SQLite file, and PostgreSQL when configured."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'school.sqlite3'}")
    else:
        url = pg_url()
        if not url:
            if os.environ.get("EDUGATEWAY_REQUIRE_PG"):
                pytest.fail("EDUGATEWAY_REQUIRE_PG is set but EDUGATEWAY_TEST_PG_URL is not")
            pytest.skip("no PostgreSQL: set EDUGATEWAY_TEST_PG_URL (./run test starts one when it can)")
        db = Database(url)
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'school.sqlite3'}")
    db.migrate()
    yield db
    db.dispose()
