"""A rule that was not checked (the platform's data cannot show it, or its journal was never pulled) shows
«не проверяется: причина» and no figure: no 0 in the summary, no «(0)» or «Нарушений нет» in its section, no
0 in the workbook's «Найдено» column, and it is left out of the night-to-night trend."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from edugateway.reconciliation.render_html import render_html
from edugateway.reconciliation.render_xlsx import SUMMARY_SHEET, render_xlsx
from edugateway.reconciliation.report import Column, Report, Section, SectionGroup
from support.report_factory import make_report

REASON = "ЕЦП не передаёт темы уроков"
SHOWN = f"не проверяется: {REASON}"  # as compliance.py phrases a rule not checked
KEY = "compliance.lesson_without_topic"


def _report() -> Report:
    """The factory's report with the topic rule not checked (ЕЦП has no topics) and one checked, empty rule."""
    report = make_report()
    sections = [s.model_copy(update={"rows": [], "not_checked": SHOWN}) if s.key == KEY else s for s in report.sections]
    sections.append(
        Section(
            key="compliance.extra_rule",
            group=SectionGroup.COMPLIANCE,
            title="Проверенное правило без нарушений",
            columns=[Column(key="class", title="Класс")],
        )
    )
    return report.model_copy(update={"sections": sections})


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_html_shows_the_reason_and_no_figure() -> None:
    html = render_html(_report(), {KEY: 4})

    row = re.search(rf'<tr data-section="{KEY}">(.*?)</tr>', html, re.S)
    assert row is not None
    assert _text(row.group(1)) == f"Уроки без темы не проверяется: {REASON}"  # no 0, no «▼ −4»
    section = html.split(f'id="s-{KEY}"')[1].split("</section>")[0]
    assert f"Не проверяется: {REASON}." in _text(section)
    assert "(0)" not in section
    assert "Нарушений нет" not in section
    # A rule that was checked and found nothing still says so, with its 0.
    checked = html.split('id="s-compliance.extra_rule"')[1].split("</section>")[0]
    assert "(0)" in checked
    assert "Нарушений нет" in checked


def test_xlsx_shows_the_reason_where_the_count_would_be() -> None:
    book = load_workbook(io.BytesIO(render_xlsx(_report(), {KEY: 4})))
    summary = [[c.value for c in row] for row in book[SUMMARY_SHEET].iter_rows()]
    line = next(r for r in summary if r[0] == "Уроки без темы")
    assert line[2] == f"не проверяется: {REASON}"
    assert line[3] in (None, "")
    assert "Уроки без темы" not in book.sheetnames  # no rows, no sheet: the summary line says why


def test_a_rule_not_checked_is_left_out_of_the_trend() -> None:
    report = _report()
    assert KEY not in report.summary()
    assert report.summary()["compliance.extra_rule"] == 0
