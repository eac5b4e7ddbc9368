"""The report as a workbook, read back with openpyxl: «Сводка» then a sheet per section with findings; bold frozen
Russian headers under an autofilter; real dates; numbers as numbers; no SNILS.

Issue 17: «The XLSX has 38 sheets, 26 header-only, truncated tab names, … an internal «Ключ» column, «Изменение»
stored as text …: only non-empty sheets, clean names, numbers as numbers»; «Latin look-alike letters («Андреeв»)
are invisible … in XLSX add a note column «латинские буквы: e»»."""

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


def test_a_sheet_per_section_with_findings_after_the_summary() -> None:
    book = _workbook()
    report = make_report()
    found = [s for s in report.sections if s.rows]

    assert book.sheetnames[0] == "Сводка"
    assert book.sheetnames[1:] == sheet_names(s.title for s in found)
    assert len(book.sheetnames) == 1 + 6  # two empty sections of the eight: no header-only sheets
    for section, name in zip(found, book.sheetnames[1:], strict=True):
        assert book[name].max_row == section.total + 1


def test_section_sheets_have_bold_frozen_headers_under_an_autofilter() -> None:
    sheet = _workbook()["Отметки, которых нет в базе…"]

    assert [c.value for c in sheet[1]] == ["Дата", "Класс", "Предмет", "Ученик", "Отметка"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4"
    assert sheet.column_dimensions["C"].width >= len("Математика")


def test_an_empty_section_is_a_summary_line_without_a_sheet() -> None:
    book = _workbook()
    rows = [list(row) for row in book["Сводка"].iter_rows(values_only=True)]

    assert "Есть на платформе, нет в школе" not in book.sheetnames
    line = next(r for r in rows if r[0] == "Есть на платформе, нет в школе")
    assert line[1:3] == [None, 0]


def test_dates_and_times_are_excel_dates() -> None:
    book = _workbook()
    marks = book["Отметки, которых нет в базе…"]
    cases = book["Открытые случаи ЕСИА"]

    assert marks["A2"].is_date
    assert marks["A2"].value == dt.datetime(2026, 11, 18)
    assert marks["A2"].number_format == "DD.MM.YYYY"
    assert cases["D2"].is_date
    assert cases["D2"].value == dt.datetime(2026, 11, 2, 6, 15)


def test_the_summary_has_the_header_totals_with_trend_counts_and_figures() -> None:
    sheet = _workbook({"persons.only_local": 1, "marks.only_remote": 5})["Сводка"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]

    assert rows[3][:2] == ["Отчёт за", "22.11.2026"]
    assert rows[2][:2] == ["Платформа", "Дневник.ру"]
    header = next(r for r in rows if r[0] == "Раздел")
    assert [h for h in header if h] == ["Раздел", "Лист", "Найдено", "Изменение", "Группа"]  # no internal key
    lines = {row[0]: row for row in rows}
    assert lines["Есть в школе, нет на платформе"][1:4] == ["Есть в школе, нет на платформе", 2, 1]
    assert lines["Отметки, которых нет в базе школы"][2:4] == [3, -2]
    change = next(c for row in sheet.iter_rows() for c in row if c.value == -2)
    assert change.data_type == "n"
    assert change.number_format == '[Red]"▲ +"0;[Color10]"▼ −"0;"0"'
    assert ["Отметки", 5120, 5123, 5120, 0, 0, 3, 1] in [[c for c in r if c is not None] for r in rows]
    assert ["Процент обучающихся, не имеющих отметок", 0.034] in [[c for c in r if c is not None] for r in rows]


def test_no_snils_in_the_workbook() -> None:
    sheet = _workbook()["Данные участника различаются"]
    values = [v for row in sheet.iter_rows(values_only=True) for v in row]

    assert "СНИЛС" not in [c.value for c in sheet[1]]
    assert not any(v and ("22334455616" in str(v) or "223-344-556 16" in str(v)) for v in values)


def test_sheet_names_are_short_unique_and_without_forbidden_characters() -> None:
    titles = ["Уроки: без темы [5А]?", "Уроки: без темы [5А]*", "Сводка", "x" * 40, "x" * 40, "'"]

    names = sheet_names(titles)

    assert names == [
        "Уроки — без темы -5А--",
        "Уроки — без темы -5А-- (2)",
        "Сводка (2)",
        "x" * 30 + "…",
        "x" * 26 + "… (2)",
        "Раздел",
    ]
    # A long title is cut at a word, not mid-word.
    assert sheet_names(["Отметки за письменные работы выставлены позже недели"]) == ["Отметки за письменные работы…"]
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
    sheet = book["Предметы платформы без пары в…"]
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


def test_latin_letters_in_cyrillic_words_get_a_note_column() -> None:
    section = Section(
        key="persons.different",
        group=SectionGroup.RECONCILIATION,
        title="Ученики и учителя: различаются",
        columns=[Column(key="person", title="ФИО"), Column(key="local", title="В школе")],
        rows=[
            {"person": "Андреeв Пaвел", "local": "Андреeв"},
            {"person": "Смирнова Алёна", "local": "Смирнова"},
        ],
    )
    book = load_workbook(io.BytesIO(render_xlsx(make_report(sections=[section]), None)))
    rows = [list(row) for row in book["Ученики и учителя — различаются"].iter_rows(values_only=True)]

    assert rows[0] == ["ФИО", "В школе", "Латинские буквы"]
    assert rows[1][2] == "латинские буквы: e, a"
    assert rows[2][2] is None
