"""Long key or id lists cut into IN (…) lists a query can carry."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import TypeVar

IN_CHUNK = 500  # values per IN (…) list: well inside SQLite's and PostgreSQL's parameter limits

Value = TypeVar("Value", str, int)


def chunks(values: Collection[Value], size: int = IN_CHUNK) -> Iterator[list[Value]]:
    ordered = sorted(values)
    for at in range(0, len(ordered), size):
        yield ordered[at : at + size]
