"""Mark values as Russian journals write them: 1–5 with an optional +/-, and the special finals."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

# Canonical spellings; the keys are the spellings met in exports and platform payloads.
_SPECIAL = {
    "н/а": "Н/А",
    "на": "Н/А",
    "неаттестован": "Н/А",
    "осв": "ОСВ",
    "освобожден": "ОСВ",
    "освобождён": "ОСВ",
    "зач": "зачёт",
    "зачет": "зачёт",
    "зачёт": "зачёт",
    "незач": "незачёт",
    "незачет": "незачёт",
    "незачёт": "незачёт",
}
_NUMERIC = re.compile(r"^([1-5])\s*([+-]?)$")
SPECIAL_MARKS = frozenset(_SPECIAL.values())


def parse_mark(value: object) -> str:
    """The canonical spelling of a mark, or ValueError saying which values are allowed."""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():  # spreadsheets hand back 5.0 for 5
        text = text[:-2]
    numeric = _NUMERIC.match(text)
    if numeric:
        return numeric.group(1) + numeric.group(2)
    special = _SPECIAL.get(text.lower().replace(" ", "").replace(".", ""))
    if special:
        return special
    raise ValueError(f"mark {text!r} is not one of 1–5 (optionally with + or -), Н/А, ОСВ, зачёт, незачёт")


def mark_score(value: str) -> float | None:
    """The number behind a mark for averages (5- is 4.75, 4+ is 4.25); None for the special marks."""
    numeric = _NUMERIC.match(value)
    if not numeric:
        return None
    base = float(numeric.group(1))
    return base + {"+": 0.25, "-": -0.25, "": 0.0}[numeric.group(2)]


MarkValue = Annotated[str, BeforeValidator(parse_mark)]
