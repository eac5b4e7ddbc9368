"""Long id lists cut into IN (…) lists a query can carry."""

from __future__ import annotations

from collections.abc import Collection, Iterator

IN_CHUNK = 500  # ids per IN (…) list: well inside SQLite's and PostgreSQL's parameter limits


def chunks(values: Collection[str], size: int = IN_CHUNK) -> Iterator[list[str]]:
    ordered = sorted(values)
    for at in range(0, len(ordered), size):
        yield ordered[at : at + size]
