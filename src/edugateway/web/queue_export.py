"""The queue as an Excel workbook: the cases the filters keep, in their order, for a clerk to work through or
hand on. XLSX, not CSV: Russian Excel opens it with Cyrillic and dates intact, whatever its locale. Every data
string goes in as text (`spreadsheet_text.text_cell`), so a name a spreadsheet would run as a formula stays text;
no SNILS is written."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from edugateway.identity.case_types import CASE_TITLES, DETAIL_TITLES, STATUS_TITLES
from edugateway.spreadsheet_text import text_cell
from edugateway.web.queue import QueueRow

HEADER = ("№", "ФИО", "Роль", "Класс", "Школа", "Замечание", "Уточнение", "Статус", "Открыт", "Исполнитель")
WIDTHS = (8, 36, 12, 8, 28, 40, 30, 20, 17, 26)
EXPORT_LIMIT = 20_000  # beyond this the filters should narrow it: a sheet for people, not a dump


def queue_workbook(rows: Sequence[QueueRow], zone: ZoneInfo) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Случаи")
    sheet.freeze_panes = "A2"
    for n, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + n)].width = width
    bold = Font(bold=True)
    header = []
    for title in HEADER:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        opened = WriteOnlyCell(sheet, value=_local(row.opened_at, zone))
        opened.number_format = "DD.MM.YYYY HH:MM"
        sheet.append(
            [
                row.case_id,
                text_cell(sheet, row.person_name),
                text_cell(sheet, row.role),
                text_cell(sheet, row.class_name or ""),
                text_cell(sheet, row.school_name),
                CASE_TITLES.get(row.case_type, row.case_type),
                DETAIL_TITLES.get(row.detail, row.detail) if row.detail else "",
                STATUS_TITLES.get(row.status, row.status),
                opened,
                text_cell(sheet, row.assignee_name or ""),
            ]
        )
    sheet.auto_filter.ref = f"A1:J{len(rows) + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _local(at: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The school's wall-clock time, without a zone: Excel has no zoned dates."""
    aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone).replace(tzinfo=None)
