"""The report as an XLSX workbook: «Сводка» first, then one sheet per section with findings (a section without
any is a line of the summary, not a header-only sheet), each with its Russian header row in bold, frozen, under
an autofilter. Counts and changes are numbers Excel can sum and sort; a value with Latin letters inside a
Cyrillic word gets a «латинские буквы: e» note in an extra column, as the page marks them.

Written in openpyxl's write-only mode: rows stream to the file, so a section of many thousands of findings
does not hold a cell object per value in memory. Column widths are therefore measured before the rows go out.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from edugateway.reconciliation.lookalikes import latin_in_cyrillic
from edugateway.reconciliation.report import Report, Section
from edugateway.reconciliation.report_view import (
    COUNT_COLUMNS,
    ENTITY_TITLES,
    FIGURE_TITLES,
    GROUP_TITLES,
    capitalised,
    platform_title,
    scrubbed,
    show_date,
    show_time,
    summary_lines,
    top_teachers,
    typed_value,
)
from edugateway.spreadsheet_text import as_text, text_cell

SUMMARY_SHEET = "Сводка"
_MAX_NAME = 31  # Excel's limit on a sheet name
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)
_DATE_FORMAT = "DD.MM.YYYY"
_DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
_WIDTH_SAMPLE = 500  # rows measured for column widths: enough to judge, cheap on a huge section
# The change since the previous night as a number shown the page's way: «▲ +3», «▼ −2», «0».
_CHANGE_FORMAT = '[Red]"▲ +"0;[Color10]"▼ −"0;"0"'
_LATIN_NOTE = "Латинские буквы"


def sheet_names(titles: Iterable[str], taken: Iterable[str] = (SUMMARY_SHEET,)) -> list[str]:
    """Excel-safe, unique (case-insensitively, as Excel compares) names of at most 31 characters, a long title cut
    at a word with «…» rather than mid-word; «Ученики: различаются» reads «Ученики — различаются»."""
    used = {name.casefold() for name in taken}
    names: list[str] = []
    for title in titles:
        base = _FORBIDDEN.sub("-", title.replace(": ", " — ")).strip(" '") or "Раздел"
        name, n = _shortened(base, _MAX_NAME), 1
        while name.casefold() in used:
            n += 1
            suffix = f" ({n})"
            name = _shortened(base, _MAX_NAME - len(suffix)) + suffix
        used.add(name.casefold())
        names.append(name)
    return names


def _shortened(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    at_word = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return at_word.rstrip(" ,—-(«") + "…"


def render_xlsx(report: Report, previous_summary: dict[str, int] | None, *, zone: dt.tzinfo | None = None) -> bytes:
    report = scrubbed(report)
    workbook = Workbook(write_only=True)
    listed = [s for s in report.sections if s.rows]
    names = dict(zip((s.key for s in listed), sheet_names(s.title for s in listed), strict=True))
    _write_summary(workbook.create_sheet(SUMMARY_SHEET), report, previous_summary, names, zone)
    for section in listed:
        _write_section(workbook.create_sheet(names[section.key]), section)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _bold(sheet: WriteOnlyWorksheet, value: Any) -> Cell:
    cell = as_text(WriteOnlyCell(sheet, value))
    cell.font = _BOLD
    return cell


def _append(sheet: WriteOnlyWorksheet, values: list[Any]) -> None:
    """A row whose strings (school and class names, notes, findings) are text cells: never a formula."""
    sheet.append([text_cell(sheet, value) for value in values])


def _write_summary(
    sheet: WriteOnlyWorksheet,
    report: Report,
    previous_summary: dict[str, int] | None,
    names: dict[str, str],
    zone: dt.tzinfo | None,
) -> None:
    _set_widths(sheet, [44, 40, 14, 14, 14, 16, 16, 12])
    sheet.append([_bold(sheet, f"Ночная сверка: {report.school_name}")])
    for label, value in (
        ("Школа", f"{report.school_name} ({report.school})"),
        ("Платформа", platform_title(report.platform)),
        ("Отчёт за", show_date(report.as_of)),
        ("Проверены дни журнала", f"{show_date(report.span_start)} – {show_date(report.span_end)}"),
        ("Составлен", show_time(report.generated_at, zone)),
    ):
        _append(sheet, [label, value])
    sheet.append([])
    sheet.append([_bold(sheet, title) for title in ("Раздел", "Лист", "Найдено", "Изменение", "Группа")])
    for line in summary_lines(report, previous_summary):
        name = names.get(line.key)
        link: Any = ""
        if name is not None:
            link = as_text(WriteOnlyCell(sheet, name))
            link.hyperlink = f"#'{name}'!A1"
        # A section not checked has no count: its reason stands where the number would be.
        found: Any = line.shown_total if line.not_checked else line.total
        _append(sheet, [line.title, link, found, _change_cell(sheet, line.change), GROUP_TITLES[line.group]])
    teachers = top_teachers(report)
    if teachers:
        sheet.append([])
        sheet.append([_bold(sheet, t) for t in ("Кому исправлять: учитель", "Нарушений", "Больше всего")])
        for t in teachers:
            _append(sheet, [t.teacher, t.total, t.worst])
    if report.counts:
        sheet.append([])
        sheet.append([_bold(sheet, t) for t in ("Что сверялось", *(title for _, title in COUNT_COLUMNS))])
        for counts in report.counts:
            values = [getattr(counts, key) for key, _ in COUNT_COLUMNS]
            _append(sheet, [ENTITY_TITLES.get(counts.entity, counts.entity), *values])
    if report.figures:
        sheet.append([])
        sheet.append([_bold(sheet, "Контрольный показатель"), _bold(sheet, "Доля")])
        for key, share in report.figures.items():
            cell = WriteOnlyCell(sheet, share)
            cell.number_format = "0.0%"
            _append(sheet, [FIGURE_TITLES.get(key, key), cell])
    if report.notes:
        sheet.append([])
        sheet.append([_bold(sheet, "Примечания")])
        for note in report.notes:
            _append(sheet, [note])


def _change_cell(sheet: WriteOnlyWorksheet, change: int | None) -> Any:
    """A number (Excel sums and sorts it) shown as «▲ +3»; empty when there is nothing to compare with."""
    if change is None:
        return None
    cell = WriteOnlyCell(sheet, change)
    cell.number_format = _CHANGE_FORMAT
    return cell


def _write_section(sheet: WriteOnlyWorksheet, section: Section) -> None:
    keys = [c.key for c in section.columns]
    notes = [latin_in_cyrillic(" ".join(str(v) for v in row.values() if isinstance(v, str))) for row in section.rows]
    noted = any(notes)
    widths = _widths(section) + ([float(len(_LATIN_NOTE) + 2)] if noted else [])
    _set_widths(sheet, widths)
    sheet.freeze_panes = "A2"
    if keys:
        _untyped(sheet).auto_filter.ref = f"A1:{get_column_letter(len(widths))}{len(section.rows) + 1}"
    sheet.append([_bold(sheet, c.title) for c in section.columns] + ([_bold(sheet, _LATIN_NOTE)] if noted else []))
    if section.not_checked:
        _append(sheet, [f"{capitalised(section.not_checked)}."])
    for row, note in zip(section.rows, notes, strict=True):
        cells = [_cell(sheet, row.get(key)) for key in keys]
        sheet.append(cells + ([f"латинские буквы: {note}" if note else None] if noted else []))


def _cell(sheet: WriteOnlyWorksheet, raw: Any) -> Any:
    value = typed_value(raw)
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value.replace(tzinfo=None))  # Excel has no zones: the time as written
        cell.number_format = _DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet)
        cell.value = value
        cell.number_format = _DATE_FORMAT
        return cell
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = "; ".join(f"{k}: {v}" for k, v in value.items())
    # Finding values come from the platforms and the school's data: text, never a formula a spreadsheet would run.
    return text_cell(sheet, value)


def _untyped(sheet: WriteOnlyWorksheet) -> Any:
    """types-openpyxl's WriteOnlyWorksheet lacks the attributes it takes over from Worksheet at run time
    (column_dimensions, auto_filter); openpyxl writes them in write-only mode too."""
    return sheet


def _set_widths(sheet: WriteOnlyWorksheet, widths: list[float]) -> None:
    # Before the first row: a write-only sheet writes its column definitions ahead of the data.
    for i, width in enumerate(widths, start=1):
        _untyped(sheet).column_dimensions[get_column_letter(i)].width = width


def _widths(section: Section) -> list[float]:
    """Wide enough for the header and the longer values of a sample of rows, within 8…60 characters."""
    widths = []
    for column in section.columns:
        longest = len(column.title)
        for row in section.rows[:_WIDTH_SAMPLE]:
            value = typed_value(row.get(column.key))
            shown = 10 if isinstance(value, dt.date) else len(str(value)) if value is not None else 0
            longest = max(longest, 16 if isinstance(value, dt.datetime) else shown)
        widths.append(float(min(max(longest + 2, 8), 60)))
    return widths
