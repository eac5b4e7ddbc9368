"""A report as an XLSX workbook: «Отчёт» first (school, what, when, basis, notes), then one sheet per table with
rows (an empty table gets no sheet), its header row bold on grey, frozen, under an autofilter.

Every data string (names of pupils, teachers, classes, subjects come from school and platform data) is a text
cell, never a formula; counts and percentages are numbers, so a deputy can sum and sort them.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from edugateway.reconciliation.render_xlsx import sheet_names
from edugateway.school_reports.model import SchoolReport, Table
from edugateway.school_reports.render_text import heading_lines
from edugateway.spreadsheet_text import put

COVER_SHEET = "Отчёт"
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
_FORMATS = {"count": "0", "percent": "0.0", "ratio": "0.0"}


def render_xlsx(report: SchoolReport) -> bytes:
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None  # a new workbook has its one sheet
    cover.title = COVER_SHEET
    _write_cover(cover, report)
    tables = [t for t in report.tables if t.rows]  # a sheet of headers only tells nothing
    for table, name in zip(tables, sheet_names((t.sheet_name for t in tables), (COVER_SHEET,)), strict=True):
        _write_table(workbook.create_sheet(name), table)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_cover(sheet: Worksheet, report: SchoolReport) -> None:
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 90
    put(sheet, 1, 1, report.title).font = _TITLE
    row = 3
    for label, value in heading_lines(report):
        put(sheet, row, 1, label).font = _BOLD
        put(sheet, row, 2, value)
        row += 1
    tables = [t for t in report.tables if t.rows]
    if tables:
        row += 1
        put(sheet, row, 1, "Таблицы").font = _BOLD
        for table in tables:
            row += 1
            put(sheet, row, 1, table.title)
            put(sheet, row, 2, len(table.rows))
    if report.notes:
        row += 2
        put(sheet, row, 1, "Примечания").font = _BOLD
        for note in report.notes:
            row += 1
            put(sheet, row, 1, note)


def _write_table(sheet: Worksheet, table: Table) -> None:
    for column, c in enumerate(table.columns, start=1):
        cell = put(sheet, 1, column, c.title)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        longest = max([len(str(r.get(c.key) or "")) for r in table.rows[:500]] + [min(len(c.title), 18)])
        sheet.column_dimensions[get_column_letter(column)].width = min(max(longest + 2, 8), 50)
    for row, values in enumerate(table.rows, start=2):
        for column, c in enumerate(table.columns, start=1):
            cell = put(sheet, row, column, values.get(c.key))
            if c.kind in _FORMATS and values.get(c.key) is not None:
                cell.number_format = _FORMATS[c.kind]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
