"""A small journal-filled school (one class a grade, so both quarters and halves occur) and its ЕЦП world."""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators.ecp import EcpWorld, world_from_snapshot
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.synthetic import generate_school

UNTIL = dt.date(2026, 11, 20)


@pytest.fixture(scope="session")
def school() -> SchoolSnapshot:
    snapshot = generate_school(seed=3, students=66, classes=11).snapshot
    return generate_journal(snapshot, until=UNTIL, seed=3)


@pytest.fixture
def world(school: SchoolSnapshot) -> EcpWorld:
    return world_from_snapshot(school)
