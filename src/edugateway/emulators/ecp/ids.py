"""ЕЦП ids: GUIDs in the UUID v7 layout the captured replies show (`0195d6d0-8dfe-7170-819e-…`: a millisecond
timestamp, version 7, variant 10), derived from the local key so a regenerated world gets the same ids."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

ALL_SUBJECTS = "00000000-0000-0000-0000-000000000000"  # the subjectId clients send for "all subjects"

_MS_PER_DAY = 86_400_000


def ecp_guid(kind: str, *parts: str, created: dt.date) -> str:
    """A deterministic GUID for one record, its timestamp on the day the record was (notionally) created.

    Only the world builder and tests use this; a connector must take ids from the API's answers.
    """
    digest = hashlib.sha256("\x1f".join((kind, *parts)).encode()).digest()
    midnight = dt.datetime(created.year, created.month, created.day, tzinfo=dt.UTC)
    millis = int(midnight.timestamp() * 1000) + int.from_bytes(digest[:4], "big") % _MS_PER_DAY
    rand_a = int.from_bytes(digest[4:6], "big") & 0x0FFF
    rand_b = int.from_bytes(digest[6:14], "big") & ((1 << 62) - 1)
    value = (millis & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36
