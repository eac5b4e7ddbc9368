"""Which days a journal pull reads, and a cursor that only ever moves forward within the caller's transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.connectors.base import DateRange
from edugateway.errors import ValidationError
from edugateway.store.cursors import CursorKey, advance_cursor, read_cursor
from edugateway.store.db import Database
from edugateway.store.tables import SchoolRow
from edugateway.sync.pull_cursor import pull_span

D = dt.date


def test_a_first_pull_starts_at_start() -> None:
    assert pull_span(None, start=D(2026, 9, 1), until=D(2026, 11, 20)) == DateRange(D(2026, 9, 1), D(2026, 11, 20))


def test_a_first_pull_without_start_says_what_to_pass() -> None:
    with pytest.raises(ValidationError, match="school year's first day"):
        pull_span(None, until=D(2026, 11, 20))


def test_a_later_pull_looks_back_from_the_cursor() -> None:
    span = pull_span(D(2026, 11, 10), until=D(2026, 11, 20), lookback_days=14)
    assert span == DateRange(D(2026, 10, 27), D(2026, 11, 20))


def test_the_look_back_never_reaches_before_start() -> None:
    span = pull_span(D(2026, 9, 5), start=D(2026, 9, 1), until=D(2026, 9, 30), lookback_days=14)
    assert span == DateRange(D(2026, 9, 1), D(2026, 9, 30))


def test_nothing_to_read_when_until_lies_before_the_span() -> None:
    assert pull_span(D(2026, 11, 20), until=D(2026, 11, 1), lookback_days=14) is None


def test_a_negative_look_back_is_refused() -> None:
    with pytest.raises(ValidationError, match="lookback_days"):
        pull_span(D(2026, 11, 20), until=D(2026, 11, 21), lookback_days=-1)


def test_the_cursor_moves_forward_only(sqlite_db: Database) -> None:
    with sqlite_db.session() as session:
        school = SchoolRow(code="s1", name="Школа")
        session.add(school)
        session.flush()
        key = CursorKey(school.id, "dnevnik", "marks")
    with sqlite_db.session() as session:
        assert read_cursor(session, key) is None
        assert advance_cursor(session, key, D(2026, 10, 1)) == D(2026, 10, 1)
    with sqlite_db.session() as session:
        assert advance_cursor(session, key, D(2026, 9, 15)) == D(2026, 10, 1)  # a look-back window ends earlier
        assert advance_cursor(session, key, D(2026, 10, 31)) == D(2026, 10, 31)
    with sqlite_db.session() as session:
        assert read_cursor(session, key) == D(2026, 10, 31)
        assert read_cursor(session, CursorKey(school.id, "dnevnik", "lessons")) is None
