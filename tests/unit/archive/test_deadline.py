"""000 §3.1.16: «резервное копирование электронного классного журнала в конце учебного года (не позднее 30
июня)»: the year due is the one whose last 30 June has passed."""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.archive.deadline import due_year


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (dt.date(2027, 6, 30), 2025),  # 2026/2027 still has until tonight
        (dt.date(2027, 7, 1), 2026),
        (dt.date(2027, 12, 31), 2026),
        (dt.date(2028, 1, 1), 2026),
        (dt.date(2028, 6, 30), 2026),
    ],
)
def test_the_year_due_turns_over_on_1_july(today: dt.date, year: int) -> None:
    assert due_year(today) == year
