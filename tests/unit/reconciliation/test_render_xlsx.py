"""The report as a workbook, read back with openpyxl: «Сводка» then a sheet per section, empty ones too;
bold frozen Russian headers under an autofilter; real dates; no SNILS."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from edugateway.reconciliation.render_xlsx import render_xlsx, sheet_names
from edugateway.reconciliation.report import Column, Section, SectionGroup
from support.report_factory import make_report
from support.xlsx_cells import cells_starting_with, formula_cells


def _workbook(previous: dict[str, int] | None = None) -> Workbook:
    return load_workbook(io.BytesIO(render_xlsx(make_report(), previous)))


def test_a_sheet_per_section_after_the_summary_empty_ones_included() -> None:
    book = _workbook()
    report = make_report()

    assert book.sheetnames[0] == "Сводка"
    assert book.sheetnames[1:] == [s.title[:31] for s in report.sections]
    for section, name in zip(report.sections, book.sheetnames[1:], strict=True):
        assert book[name].max_row == section.total + 1


def test_section_sheets_have_bold_frozen_headers_under_an_autofilter() -> None:
    sheet = _workbook()["Отметки, которых нет в базе шко"]

    assert [c.value for c in sheet[1]] == ["Дата", "Класс", "Предмет", "Ученик", "Отметка"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4"
    assert sheet.column_dimensions["C"].width >= len("Математика")


def test_an_empty_section_keeps_its_header_and_filter() -> None:
    sheet = _workbook()["Есть на платформе, нет в школе"]

    assert [c.value for c in sheet[1]] == ["ФИО", "Класс", "Роль", "Дата рождения"]
    assert sheet.max_row == 1
    assert sheet.auto_filter.ref == "A1:D1"


def test_dates_and_times_are_excel_dates() -> None:
    book = _workbook()
    marks = book["Отметки, которых нет в базе шко"]
    cases = book["Открытые случаи ЕСИА"]

    assert marks["A2"].is_date
    assert marks["A2"].value == dt.datetime(2026, 11, 18)
    assert marks["A2"].number_format == "DD.MM.YYYY"
    assert cases["D2"].is_date
    assert cases["D2"].value == dt.datetime(2026, 11, 2, 6, 15)


def test_the_summary_has_the_header_totals_with_trend_counts_and_figures() -> None:
    sheet = _workbook({"persons.only_local": 1, "marks.only_remote": 5})["Сводка"]
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]

    assert ["Отчёт за", "22.11.2026"] in rows
    assert ["Платформа", "Дневник.ру"] in rows
    lines = {row[-1]: row for row in rows if row and str(row[-1]).count(".") == 1 and len(row) == 6}
    assert lines["persons.only_local"][2:4] == [2, "▲ +1"]
    assert lines["marks.only_remote"][2:4] == [3, "▼ −2"]
    assert ["Отметки", 5120, 5123, 5120, 0, 0, 3, 1] in rows
    assert ["Процент обучающихся, не имеющих отметок", 0.034] in rows


def test_no_snils_in_the_workbook() -> None:
    sheet = _workbook()["Данные участника различаются"]
    values = [v for row in sheet.iter_rows(values_only=True) for v in row]

    assert "СНИЛС" not in [c.value for c in sheet[1]]
    assert not any(v and ("22334455616" in str(v) or "223-344-556 16" in str(v)) for v in values)


def test_sheet_names_are_short_unique_and_without_forbidden_characters() -> None:
    titles = ["Уроки: без темы [5А]?", "Уроки: без темы [5А]*", "Сводка", "x" * 40, "x" * 40, "'"]

    names = sheet_names(titles)

    assert names == [
        "Уроки- без темы -5А--",
        "Уроки- без темы -5А-- (2)",
        "Сводка (2)",
        "x" * 31,
        "x" * 27 + " (2)",
        "Раздел",
    ]
    assert all(len(n) <= 31 for n in names)


def test_a_value_that_looks_like_a_formula_is_written_as_text() -> None:
    section = Section(
        key="subjects.needs_mapping",
        group=SectionGroup.RECONCILIATION,
        title="Предметы платформы без пары в школе",
        columns=[Column(key="subject", title="Предмет на платформе"), Column(key="ids", title="id")],
        rows=[{"subject": '=HYPERLINK("http://example.invalid","Математика")', "ids": ["=1+1", "2"]}],
    )
    book = load_workbook(io.BytesIO(render_xlsx(make_report(sections=[section]), None)))
    sheet = book["Предметы платформы без пары в ш"]
    cells = [sheet.cell(2, 1), sheet.cell(2, 2)]
    assert [c.value for c in cells] == ['=HYPERLINK("http://example.invalid","Математика")', "=1+1, 2"]
    assert [c.data_type for c in cells] == ["s", "s"]


DANGEROUS = (
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
)


def test_every_formula_sign_leaves_a_text_cell_in_sections_summary_and_notes() -> None:
    """Issue 14, finding 1: a finding, the school's name or a note from the data never becomes a live formula,
    whichever sign starts it (= + - @, a tab), in the sheet XML itself."""
    section = Section(
        key="persons.only_remote",
        group=SectionGroup.RECONCILIATION,
        title="Только на платформе",
        columns=[Column(key="name", title="ФИО")],
        rows=[{"name": value} for value in DANGEROUS],
    )
    report = make_report(sections=[section], school_name="=cmd|' /C calc'!A0", notes=["@SUM(1+1)"])
    content = render_xlsx(report, None)
    assert formula_cells(content) == []
    cells = cells_starting_with(content, ("=", "+", "-", "@", "\t"))
    assert {c.value for c in cells} >= set(DANGEROUS) | {"=cmd|' /C calc'!A0 (sch7)"}
    assert {(c.xml_type, c.quote_prefix) for c in cells} == {("inlineStr", True)}
