"""The report's XLSX and printable HTML: a sheet per table with rows, numbers as numbers, data strings as text
(never a formula), files 0640 under <reports_dir>/<school>/."""

from __future__ import annotations

import datetime as dt
import io
import stat
from pathlib import Path

from openpyxl import load_workbook

from edugateway.school_reports import write_report_files
from edugateway.school_reports.model import Column, SchoolReport, Table
from edugateway.school_reports.render_html import render_html
from edugateway.school_reports.render_xlsx import render_xlsx

FORMULA = '=HYPERLINK("http://evil","x")'


def _report() -> SchoolReport:
    columns = [Column("teacher", "Учитель"), Column("lessons", "Уроков", "count"), Column("share", "%", "percent")]
    return SchoolReport(
        kind="month",
        school_code="s1",
        school_name="Школа <№ 1>",
        title="Отчёт о заполнении электронного журнала и накопляемости отметок",
        subject="ноябрь 2026 г.",
        span=(dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        basis="004 §5.2",
        generated_at=dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC),
        timezone="Asia/Yekaterinburg",
        stem="s1-month-2026-11",
        tables=[
            Table("fill", "Заполнение", columns, [{"teacher": FORMULA, "lessons": 12, "share": 87.5}]),
            Table("empty", "Пусто", columns, []),
        ],
        notes=["<script>alert(1)</script>"],
    )


def test_xlsx_has_a_cover_and_a_sheet_per_table_with_rows_numbers_as_numbers_and_text_never_a_formula() -> None:
    book = load_workbook(io.BytesIO(render_xlsx(_report())))
    assert book.sheetnames == ["Отчёт", "Заполнение"]  # the empty table gets no sheet
    sheet = book["Заполнение"]
    assert [c.value for c in sheet[1]] == ["Учитель", "Уроков", "%"]
    assert sheet["A1"].font.b
    teacher, lessons, share = sheet[2]
    assert (teacher.value, teacher.data_type) == (FORMULA, "s")
    assert (lessons.value, lessons.data_type) == (12, "n")
    assert (share.value, share.number_format) == (87.5, "0.0")
    assert sheet.freeze_panes == "A2"


def test_html_is_printable_on_a4_and_escapes_school_data() -> None:
    page = render_html(_report())
    assert "@media print" in page
    assert "size: A4 landscape" in page
    assert "<script>alert" not in page
    assert "Школа &lt;№ 1&gt;" in page
    assert "87,5" in page


def test_files_are_written_for_the_group_only_under_the_school(tmp_path: Path) -> None:
    files = write_report_files(_report(), tmp_path)
    assert files == {
        "xlsx": tmp_path / "s1" / "s1-month-2026-11.xlsx",
        "html": tmp_path / "s1" / "s1-month-2026-11.html",
    }
    for path in files.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
