"""Platform ids: int64 numbers above 2^53 (as Дневник's group and subject ids are), each with a `_str` twin."""

from __future__ import annotations

import hashlib
from typing import Any

_BASE = 1 << 60  # 19 digits, like 2260325488551003873; always above 2^53 so JSON doubles lose digits
_SPAN = 1 << 62  # _BASE + _SPAN stays below 2^63


def platform_id(kind: str, *parts: str) -> int:
    """A deterministic id for one record: the same kind and local key give the same id in every run.

    Only tests and the world builder use this; a connector must find platform ids through the API.
    """
    digest = hashlib.sha256("\x1f".join((kind, *parts)).encode()).digest()
    return _BASE + int.from_bytes(digest[:8], "big") % _SPAN


def with_str(row: dict[str, Any], key: str, value: int | None) -> None:
    """Sets `key` and its `key_str` twin the way the API writes them (null stays null in both)."""
    row[key] = value
    row[f"{key}_str"] = None if value is None else str(value)


def id_list(values: list[int]) -> list[str]:
    return [str(v) for v in values]
