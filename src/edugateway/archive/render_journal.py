"""The class journal of a year as XLSX, one workbook per homeroom class: «Уроки», «Отметки», «Итоговые»,
«Посещаемость» (store/year_journal.py says what each holds).

The workbook is written in openpyxl's write-only mode, row by row from the database stream, so a class of a
large school never sits in memory whole. Data strings go through `text_cell` (a topic beginning with «=» stays
text); dates are date cells, lesson numbers, weights and digit marks numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.orm import Session

from edugateway.domain.transliteration import transliterate
from edugateway.private_files import FileKind, private_file
from edugateway.spreadsheet_text import as_text, text_cell
from edugateway.store import year_journal as rows
from edugateway.store.year_journal import Cell, JournalClass

_BOLD = Font(bold=True)
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def journal_file_name(cls: JournalClass, academic_year: int) -> str:
    """`journal-2026-2027-5A-17.xlsx`: ASCII letters, digits, `_` and `-` only (Cyrillic transliterated), a name
    every filesystem and archive tool keeps as it is; the class's row id keeps two classes named alike apart."""
    part = _UNSAFE.sub("_", transliterate(cls.name)).strip("_-") or "class"
    return f"journal-{academic_year}-{academic_year + 1}-{part}-{cls.id}.xlsx"


def write_class_journal(session: Session, cls: JournalClass, academic_year: int, path: Path) -> dict[str, int]:
    """Writes the class's journal to `path` (mode 0640) and returns how many rows each sheet got."""
    workbook = Workbook(write_only=True)
    tables: list[tuple[str, tuple[str, ...], Callable[[], Iterable[tuple[Cell, ...]]]]] = [
        ("Уроки", rows.LESSON_HEADERS, lambda: rows.lessons(session, cls)),
        ("Отметки", rows.MARK_HEADERS, lambda: rows.marks(session, cls)),
        ("Итоговые", rows.FINAL_HEADERS, lambda: rows.finals(session, cls, academic_year)),
        ("Посещаемость", rows.ATTENDANCE_HEADERS, lambda: rows.attendance(session, cls)),
    ]
    counts: dict[str, int] = {}
    heading = f"{cls.name} класс, {academic_year}/{academic_year + 1} учебный год"
    for title, headers, read in tables:
        counts[title] = _fill(workbook.create_sheet(title), heading, headers, read())
    with private_file(path, FileKind.SHARED) as stream:
        workbook.save(stream)
    return counts


def _fill(sheet: WriteOnlyWorksheet, title: str, headers: tuple[str, ...], data: Iterable[tuple[Cell, ...]]) -> int:
    heading = as_text(WriteOnlyCell(sheet, value=title))
    heading.font = _BOLD
    sheet.append([heading])
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = _BOLD
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for values in data:
        sheet.append([text_cell(sheet, v) for v in values])
        count += 1
    return count
