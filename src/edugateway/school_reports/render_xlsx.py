"""A report as an XLSX workbook: «Отчёт» first (school, what, when, basis, notes), then one sheet per table with
rows (an empty table gets no sheet), its header row bold on grey, frozen, under an autofilter.

Every data string (names of pupils, teachers, classes, subjects come from school and platform data) is a text
cell, never a formula; counts and percentages are numbers, so a deputy can sum and sort them. Written in
openpyxl's write-only mode, as the nightly report is: a year's per-pupil table streams out instead of holding a
cell object per value.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from edugateway.reconciliation.render_xlsx import sheet_names
from edugateway.school_reports.model import Column, SchoolReport, Table, Value
from edugateway.school_reports.render_text import heading_lines
from edugateway.spreadsheet_text import as_text, text_cell

COVER_SHEET = "Отчёт"
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
_WRAP = Alignment(wrap_text=True, vertical="top")
_FORMATS = {"percent": "0.0", "ratio": "0.0"}
_WIDTH_SAMPLE = 500  # rows measured for column widths


def render_xlsx(report: SchoolReport) -> bytes:
    workbook = Workbook(write_only=True)
    tables = [t for t in report.tables if t.rows]  # a sheet of headers only tells nothing
    _write_cover(workbook.create_sheet(COVER_SHEET), report, tables)
    for table, name in zip(tables, sheet_names((t.sheet_name for t in tables), (COVER_SHEET,)), strict=True):
        _write_table(workbook.create_sheet(name), table)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _untyped(sheet: WriteOnlyWorksheet) -> Any:
    """types-openpyxl's WriteOnlyWorksheet lacks column_dimensions, freeze_panes and auto_filter, which openpyxl
    writes in write-only mode too."""
    return sheet


def _styled(sheet: WriteOnlyWorksheet, value: str, font: Font) -> Cell:
    cell = as_text(WriteOnlyCell(sheet, value))
    cell.font = font
    return cell


def _write_cover(sheet: WriteOnlyWorksheet, report: SchoolReport, tables: list[Table]) -> None:
    _untyped(sheet).column_dimensions["A"].width = 28
    _untyped(sheet).column_dimensions["B"].width = 90
    sheet.append([_styled(sheet, report.title, _TITLE)])
    sheet.append([])
    for label, value in heading_lines(report):
        sheet.append([_styled(sheet, label, _BOLD), text_cell(sheet, value)])
    if tables:
        sheet.append([])
        sheet.append([_styled(sheet, "Таблицы", _BOLD)])
        for table in tables:
            sheet.append([text_cell(sheet, table.title), len(table.rows)])
    if report.notes:
        sheet.append([])
        sheet.append([_styled(sheet, "Примечания", _BOLD)])
        for note in report.notes:
            sheet.append([text_cell(sheet, note)])


def _write_table(sheet: WriteOnlyWorksheet, table: Table) -> None:
    # Before the first row: a write-only sheet writes its column definitions and panes ahead of the data.
    for number, column in enumerate(table.columns, start=1):
        _untyped(sheet).column_dimensions[get_column_letter(number)].width = _width(column, table)
    _untyped(sheet).freeze_panes = "A2"
    _untyped(sheet).auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
    header = []
    for column in table.columns:
        cell = _styled(sheet, column.title, _BOLD)
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([_cell(sheet, column, row.get(column.key)) for column in table.columns])


def _cell(sheet: WriteOnlyWorksheet, column: Column, value: Value) -> Any:
    if isinstance(value, float) and column.kind in _FORMATS:
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = _FORMATS[column.kind]
        return cell
    return text_cell(sheet, value)


def _width(column: Column, table: Table) -> float:
    longest = max(
        [len(str(r.get(column.key) or "")) for r in table.rows[:_WIDTH_SAMPLE]] + [min(len(column.title), 18)]
    )
    return float(min(max(longest + 2, 8), 50))
