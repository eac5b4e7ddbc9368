"""Row ids (and list positions) in the pages' addresses, queries and forms: only what they can be, or nothing.

The id columns are INTEGER (PostgreSQL int4), so a number beyond 2**31 - 1 would reach the database and fail
there (and beyond 2**63 - 1 SQLite cannot even bind it): a 500 instead of "no such page". A path id out of
range is a validation error that app.py answers with 404; a query or form id out of range is ignored like any
other value that makes no sense. Only ASCII digits count: `str.isdigit` accepts "²", which `int` refuses.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Path

MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")

RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


def parse_id(text: str) -> int | None:
    """The id written in `text` (a query or form value), or None when it cannot be one."""
    value = parse_index(text)
    return value if value else None


def parse_index(text: str) -> int | None:
    """A position in a list (from 0) written in `text`, as the candidate forms send it; None when it is not."""
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_ID else None
