import datetime as dt
import itertools

import pytest

from edugateway.connectors.base import Capabilities, DateRange, Op
from edugateway.domain.entities import Entity
from edugateway.errors import ConnectorError, ValidationError


@pytest.mark.parametrize(
    ("start", "end", "max_days", "expected"),
    [
        (dt.date(2026, 9, 1), dt.date(2026, 9, 1), 30, 1),
        (dt.date(2026, 9, 1), dt.date(2026, 9, 30), 30, 1),
        (dt.date(2026, 9, 1), dt.date(2026, 10, 1), 30, 2),
        (dt.date(2026, 9, 1), dt.date(2027, 5, 31), 30, 10),
        (dt.date(2026, 9, 1), dt.date(2027, 5, 31), 7, 39),
    ],
)
def test_windows_cover_the_range_exactly_once(start: dt.date, end: dt.date, max_days: int, expected: int) -> None:
    windows = list(DateRange(start, end).windows(max_days))
    assert len(windows) == expected
    assert windows[0].start == start
    assert windows[-1].end == end
    assert all(w.days <= max_days for w in windows)
    assert all(b.start == a.end + dt.timedelta(days=1) for a, b in itertools.pairwise(windows))
    assert sum(w.days for w in windows) == DateRange(start, end).days


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError, match="before it starts"):
        DateRange(dt.date(2026, 9, 2), dt.date(2026, 9, 1))


def test_capabilities_name_what_is_offered_when_refusing() -> None:
    caps = Capabilities({Entity.PERSONS: Op.READ, Entity.MARKS: Op.READ | Op.CREATE | Op.UPDATE})
    assert caps.allows(Entity.MARKS, Op.CREATE)
    assert not caps.allows(Entity.PERSONS, Op.CREATE)
    assert not caps.allows(Entity.HOMEWORK, Op.READ)
    caps.require("dnevnik", Entity.MARKS, Op.UPDATE)
    with pytest.raises(ConnectorError, match=r"dnevnik does not offer create for persons \(it offers: read\)"):
        caps.require("dnevnik", Entity.PERSONS, Op.CREATE)
