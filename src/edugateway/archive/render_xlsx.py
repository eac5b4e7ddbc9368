"""The summary sheet as an XLSX workbook to print and sign: a sheet per class, then «Итоги» for the school.

A class sheet: the title, the school, a two-row header (a merged cell per period over its subjects, the subject
names turned upright below), a row per student, the class's results per period, and the signature lines. It
prints on landscape A4, one page wide, with the header rows repeated on every page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from edugateway.archive.labels import (
    NO_SUBJECTS,
    RESULT_HEADERS,
    RESULTS_TITLE,
    SIGNATURE_DATE,
    SIGNATURES,
    STUDENT_HEADERS,
    SUMMARY_SHEET_TITLE,
    class_title,
    result_values,
    summary_title,
)
from edugateway.archive.summary_sheet import ClassSheet, SummarySheet
from edugateway.private_files import FileKind, private_file
from edugateway.spreadsheet_text import put

HEADER_ROWS = (3, 4)  # repeated on every printed page
FIRST_STUDENT_ROW = 5
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_UPRIGHT = Alignment(horizontal="center", vertical="bottom", text_rotation=90, wrap_text=True)
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def write_xlsx(sheet: SummarySheet, path: Path) -> None:
    workbook = Workbook()
    names: set[str] = set()
    first = True
    for cls in sheet.classes:
        ws = workbook.active if first and workbook.active is not None else workbook.create_sheet()
        first = False
        ws.title = _unique_sheet_name(cls.name, names)
        _class_sheet(ws, sheet, cls)
    summary = workbook.active if first and workbook.active is not None else workbook.create_sheet()
    summary.title = SUMMARY_SHEET_TITLE
    _summary_sheet(summary, sheet)
    with private_file(path, FileKind.SHARED) as stream:
        workbook.save(stream)


def _unique_sheet_name(name: str, taken: set[str]) -> str:
    """Excel allows 31 characters without []:*?/\\ and no two sheets alike (ignoring case)."""
    base = _SHEET_NAME_FORBIDDEN.sub("-", name).strip("'")[:28] or "Класс"
    candidate, n = base, 1
    while candidate.casefold() in taken or candidate.casefold() == SUMMARY_SHEET_TITLE.casefold():
        n += 1
        candidate = f"{base} {n}"
    taken.add(candidate.casefold())
    return candidate


def _put(ws: Worksheet, row: int, column: int, value: str | float | None, *, style: Alignment = _CENTER) -> None:
    cell = put(ws, row, column, value)  # names come from the school's data: text, never a formula
    cell.border = _BOX
    cell.alignment = style


def _class_sheet(ws: Worksheet, sheet: SummarySheet, cls: ClassSheet) -> None:
    group = max(len(cls.subjects), 1)  # a class without subjects still gets a column per period
    last_column = 2 + group * len(cls.periods)
    _heading(ws, class_title(sheet, cls), sheet.school_name, last_column)
    top, bottom = HEADER_ROWS
    for column, text in enumerate(STUDENT_HEADERS, start=1):
        _put(ws, top, column, text)
        _put(ws, bottom, column, None)
        ws.merge_cells(start_row=top, start_column=column, end_row=bottom, end_column=column)
        ws.cell(row=top, column=column).font = _BOLD
    for index, period in enumerate(cls.periods):
        start = 3 + index * group
        for offset in range(group):
            _put(ws, top, start + offset, period.title if offset == 0 else None)
            _put(ws, bottom, start + offset, cls.subjects[offset].name if cls.subjects else "—", style=_UPRIGHT)
            ws.column_dimensions[get_column_letter(start + offset)].width = 4.5
        ws.merge_cells(start_row=top, start_column=start, end_row=top, end_column=start + group - 1)
        ws.cell(row=top, column=start).font = _BOLD
    ws.row_dimensions[bottom].height = 130
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 30
    row = FIRST_STUDENT_ROW
    for line in cls.students:
        _put(ws, row, 1, line.number)
        _put(ws, row, 2, line.short_name, style=Alignment(vertical="center"))
        for index, period in enumerate(cls.periods):
            for offset, subject in enumerate(cls.subjects):
                _put(ws, row, 3 + index * group + offset, line.mark(period.key, subject.id) or None)
        row += 1
    if not cls.subjects:
        put(ws, row, 2, NO_SUBJECTS)
        row += 1
    row = _results_table(ws, row + 1, RESULTS_TITLE, RESULT_HEADERS, [result_values(r) for r in cls.results])
    _signatures(ws, row + 1)
    ws.freeze_panes = f"C{FIRST_STUDENT_ROW}"
    _print_setup(ws, repeat_rows=f"{top}:{bottom}")


def _heading(ws: Worksheet, title: str, subtitle: str, last_column: int) -> None:
    put(ws, 1, 1, title).font = _TITLE
    put(ws, 2, 1, subtitle)
    for row in (1, 2):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(last_column, 2))
        ws.cell(row=row, column=1).alignment = Alignment(horizontal="center")


def _results_table(
    ws: Worksheet, row: int, title: str, headers: Sequence[str], rows: list[list[str | int | float | None]]
) -> int:
    """A titled table of results from column B; returns the row after it."""
    put(ws, row, 2, title).font = _BOLD
    row += 1
    for offset, text in enumerate(headers):
        _put(ws, row, 2 + offset, text)
        ws.cell(row=row, column=2 + offset).font = _BOLD
    ws.row_dimensions[row].height = 45
    for values in rows:
        row += 1
        for offset, value in enumerate(values):
            _put(ws, row, 2 + offset, value, style=Alignment(horizontal="left" if offset == 0 else "center"))
            if isinstance(value, float):
                ws.cell(row=row, column=2 + offset).number_format = "0.0"
    return row + 1


def _signatures(ws: Worksheet, row: int) -> None:
    for text in (*SIGNATURES, SIGNATURE_DATE):
        row += 1
        put(ws, row, 2, text)
        row += 1


def _print_setup(ws: Worksheet, *, repeat_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the students need
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    ws.print_options.horizontalCentered = True
    if repeat_rows:
        ws.print_title_rows = repeat_rows


def _summary_sheet(ws: Worksheet, sheet: SummarySheet) -> None:
    _heading(ws, summary_title(sheet), f"Классов: {len(sheet.classes)}, обучающихся: {sheet.students}", 18)
    rows = [[cls.name, *result_values(r)] for cls in sheet.classes for r in cls.results]
    _results_table(ws, 3, "По классам и периодам", ("Класс", *RESULT_HEADERS), rows)
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 16
    _print_setup(ws, repeat_rows="4:4")
