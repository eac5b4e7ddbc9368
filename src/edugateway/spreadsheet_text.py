"""Data values in files people open in a spreadsheet: shown as typed, never run as a formula.

A name from an import or a platform may begin with `=`, `+`, `-` or `@` (or a tab or carriage return, which
some spreadsheets skip before looking): Excel and LibreOffice run such a cell as a formula (`=HYPERLINK(…)`,
DDE `=cmd|' /C calc'!A0`). Every XLSX we write puts data strings in string cells (never `<f>`) with the
quote prefix, so that editing the cell keeps it text too; every CSV meant for a spreadsheet (the problems
list, `identity cases list --format csv`) prefixes such a value with `'`, as OWASP advises. CSV that machines
read (the OneRoster export, the ГИС ЕЦП upload) is written as it is: there the value must survive byte for
byte. The importers refuse a name that looks like a formula (`looks_like_formula`), so the school's own
files never bring one in.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ERROR_CODES, Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_SHOWN = {"\t": "a tab", "\r": "a carriage return"}


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet would read `text` as the start of a formula; a hyphen inside a name is fine."""
    return text.startswith(FORMULA_TRIGGERS)


def formula_refusal(what: str, text: str) -> str:
    """The importers' one-line problem for a value that `looks_like_formula`: `what` names the column."""
    sign = _SHOWN.get(text[:1], f'"{text[:1]}"')
    return f"{what} begins with {sign}, which a spreadsheet runs as a formula; write it without that sign"


def as_text(cell: Cell) -> Cell:
    """`cell`, if it holds a string, as a string cell no spreadsheet evaluates; any other value as it is."""
    if isinstance(cell.value, str):
        cell.data_type = "s"  # openpyxl made an "="-value a formula; written as an inline string instead
        if looks_like_formula(cell.value):
            cell.quotePrefix = True
    return cell


def text_cell(sheet: Any, value: Any) -> Any:
    """`value` ready for `sheet.append` (a write-only sheet too): a string openpyxl would not store as plain text
    (a formula, an error code such as #N/A) as a text cell; anything else unchanged, since openpyxl writes other
    strings as inline strings anyway and a cell object per value costs a report of 100 000 rows a third more time.
    """
    if isinstance(value, str) and (looks_like_formula(value) or value in ERROR_CODES):
        return as_text(Cell(sheet, row=1, column=1, value=value))
    return value


def put(sheet: Any, row: int, column: int, value: Any) -> Cell:
    """`sheet.cell(row, column, value)` with a string value made text."""
    return as_text(sheet.cell(row=row, column=column, value=value))


def csv_text(value: Any) -> Any:
    """A CSV field for a spreadsheet: a string that looks like a formula gets a leading `'`; others unchanged."""
    return "'" + value if isinstance(value, str) and looks_like_formula(value) else value
