"""Ids from queries and forms: ASCII digits within the id column's range, or nothing."""

from __future__ import annotations

import pytest

from edugateway.web.row_ids import MAX_ID, parse_id, parse_index


@pytest.mark.parametrize(("text", "expected"), [("1", 1), (" 42 ", 42), (str(MAX_ID), MAX_ID)])
def test_an_id_in_range_is_read(text: str, expected: int) -> None:
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    "text", ["", "0", "-1", "+5", "1.0", "abc", str(MAX_ID + 1), "99999999999999999999999", "²", "١٢", "1_000"]
)
def test_anything_else_is_no_id(text: str) -> None:
    assert parse_id(text) is None


def test_a_list_position_starts_at_zero_and_stays_in_range() -> None:
    assert [parse_index(t) for t in ("0", "3", str(MAX_ID + 1), "²", "-1")] == [0, 3, None, None, None]
