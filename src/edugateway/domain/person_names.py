"""How a person is named in the school's papers."""

from __future__ import annotations


def short_name(last: str, first: str, middle: str | None) -> str:
    """«Иванова М. П.»: how a class journal, a summary sheet and a compliance finding name a person."""
    initials = " ".join(f"{part[0]}." for part in (first, middle) if part)
    return f"{last} {initials}".strip()
