"""Cell values of another system's export, normalised to our fields: dates in the mapping's formats (or an Excel
day number), gender words, SNILS in any typed form, class names («5 а» → «5А», grade 5).

Each parser raises ValueError with the reason in one line; the reader adds the column and the row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping as TypingMapping
from typing import Any

from edugateway.domain.models import Gender
from edugateway.domain.snils import SnilsVerdict, check_snils
from edugateway.mapping.ecp import grade_of
from edugateway.store.cell_text import cell_text as text
from edugateway.store.table_mapping import EXCEL_SERIAL

# Excel's day 1 is 1900-01-01 and it counts a 29 February 1900 that never was: serials from 61 on are off by one,
# so day 0 is taken as 1899-12-30 (as openpyxl and LibreOffice do). Birth dates are all well after 1900.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_SERIALS = range(61, 2_958_466)  # 1900-03-01 .. 9999-12-31


def parse_date(value: Any, formats: tuple[str, ...]) -> dt.date | None:
    """The date of a cell: an XLSX date as it is, text in the first of `formats` that reads it, an Excel day
    number when `formats` holds "excel". None for an empty cell."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if not raw:
        return None
    for fmt in formats:
        if fmt == EXCEL_SERIAL:
            if raw.isdigit() and int(raw) in _EXCEL_SERIALS:
                return _EXCEL_EPOCH + dt.timedelta(days=int(raw))
            continue
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    shown = ", ".join("an Excel day number" if f == EXCEL_SERIAL else f for f in formats)
    raise ValueError(f"{raw!r} is not a date in the mapping's formats ({shown})")


def parse_gender(value: Any, words: TypingMapping[str, Gender]) -> Gender | None:
    raw = text(value)
    if not raw:
        return None
    gender = words.get(raw.lower())
    if gender is None:
        raise ValueError(f"{raw!r} is not one of the mapping's gender values ({', '.join(words)})")
    return gender


def check_snils_cell(value: Any) -> SnilsVerdict | None:
    """The SNILS verdict of a cell in any form people type (11 digits, 000-000-000 00, spaces); a number cell
    lost its leading zeros in Excel and gets them back. None for an empty cell."""
    raw = text(value)
    if isinstance(value, int | float) and raw.isdigit():
        raw = raw.zfill(11)
    return check_snils(raw) if raw else None


def class_name(value: Any) -> tuple[str, int]:
    """The class's name as the school writes it and its grade: «5 а», «5-а», «5а» → («5А», 5)."""
    raw = text(value)
    match = re.fullmatch(r"(\d{1,2})\s*[-‐–—]?\s*(\S.*)?", raw)
    if not match:
        raise ValueError(f"{raw!r} is not a class name starting with its grade, such as 5А or 11-Б")
    name = match.group(1) + (match.group(2) or "").upper()
    grade = grade_of(name)
    if grade > 12:
        raise ValueError(f"{raw!r}: grade {grade} is not a school grade (0 to 12)")
    return name, grade
