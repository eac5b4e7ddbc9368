"""One small school's Дневник world, served over a real socket on loopback for the module's tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from support.fake_clock import FakeClock

UNTIL = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def school() -> SchoolSnapshot:
    return generate_journal(generate_school(students=110, classes=11).snapshot, until=UNTIL, seed=5)


@pytest.fixture
def clock() -> FakeClock:
    """The emulator's clock: token lifetimes and the rate-limit bucket move only when a test moves it."""
    return FakeClock()


@pytest.fixture
def served(school: SchoolSnapshot, clock: FakeClock) -> Iterator[tuple[dnevnik.DnevnikEmulator, str]]:
    """A fresh emulator per test (writes and faults do not leak between tests) and its base URL."""
    world = dnevnik.world_from_snapshot(school, admin_password="pw", client_secret="s3cret")
    emulator = dnevnik.create_app(world, clock=clock)
    with BackgroundServer(emulator.app) as server:
        yield emulator, server.base_url
