"""The XLSX (reloaded with openpyxl) and the HTML of a summary sheet."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook

from edugateway.archive.render_html import render_html
from edugateway.archive.render_xlsx import write_xlsx
from edugateway.archive.summary_sheet import SummarySheet

TITLE_9A = "Сводная ведомость учёта успеваемости обучающихся 9А класса, 2026/2027 учебный год"


def test_xlsx_has_a_sheet_per_class_and_the_totals(sheet: SummarySheet, tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    write_xlsx(sheet, path)
    book = load_workbook(path)
    assert book.sheetnames == ["9А", "9Б", "Итоги"]
    ws = book["9А"]
    assert ws["A1"].value == TITLE_9A
    assert ws["A2"].value == "МБОУ «СОШ № 1» & Ко"
    assert (ws["A3"].value, ws["B3"].value) == ("№", "Фамилия, инициалы обучающегося")
    # A merged cell per period over its two subjects, the subjects upright below.
    assert [ws.cell(3, c).value for c in (3, 5, 7)] == ["1 полугодие", "2 полугодие", "Год"]
    assert {"C3:D3", "E3:F3", "G3:H3", "A3:A4", "B3:B4"} <= {str(r) for r in ws.merged_cells.ranges}
    assert [ws.cell(4, c).value for c in (3, 4)] == ["Математика", "Русский <язык>"]
    assert ws.cell(4, 3).alignment.text_rotation == 90
    assert [ws.cell(5, c).value for c in range(1, 9)] == [1, "Абрамова В. П.", "5", "4", None, None, "5", None]
    assert ws.cell(5, 3).border.left.style == "thin"


def test_xlsx_prints_on_landscape_a4_one_page_wide_with_the_header_repeated(
    sheet: SummarySheet, tmp_path: Path
) -> None:
    path = tmp_path / "s.xlsx"
    write_xlsx(sheet, path)
    ws = load_workbook(path)["9А"]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4 in the OOXML paper size table
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$3:$4"


def test_xlsx_results_and_signatures_under_the_students(sheet: SummarySheet, tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    write_xlsx(sheet, path)
    ws = load_workbook(path)["9А"]
    texts = list(ws.iter_rows(values_only=True))
    header = next(r for r in texts if r[1] == "Период")
    assert header[2:18] == (
        "Обучающихся", "«5»", "«4»", "«3»", "«2»", "Н/А", "ОСВ", "Зачёт", "Незачёт",
        "Нет отметки", "Без отметок", "Успевающих", "Успеваемость, %", "Качественно", "Качество, %",
    )  # fmt: skip
    first = texts[texts.index(header) + 1]
    # 1 полугодие: Абрамова 5 and 4 (quality), О'Нил 2 and Н/А (fails): 50 % and 50 %.
    assert first[1:17] == ("1 полугодие", 2, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 50.0, 1, 50.0)
    column_b = [r[1] for r in texts if isinstance(r[1], str)]
    assert any(t.startswith("Классный руководитель ____") for t in column_b)
    assert any(t.startswith("Директор ____") for t in column_b)
    totals = load_workbook(path)["Итоги"]
    rows = [r for r in totals.iter_rows(values_only=True) if r[1] in ("9А", "9Б")]
    periods = ["1 полугодие", "2 полугодие", "Год"]
    assert [(r[1], r[2]) for r in rows] == [(c, p) for c in ("9А", "9Б") for p in periods]


def test_html_is_self_contained_escaped_and_breaks_pages_per_class(sheet: SummarySheet) -> None:
    html = render_html(sheet)
    assert TITLE_9A in html
    assert "Русский &lt;язык&gt;" in html
    assert "О&#39;Нил &lt;Б.&gt;" in html
    assert "«СОШ № 1» &amp; Ко" in html
    assert "<язык>" not in html
    assert html.count('<section class="class">') == 2
    assert "page-break-after: always" in html
    assert "@media print" in html
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", html)  # nothing fetched
    assert "Классный руководитель" in html
    assert "Директор" in html
    assert "50,0" in html  # percentages with a decimal comma
