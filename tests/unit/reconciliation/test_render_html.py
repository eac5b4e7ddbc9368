"""The report as HTML: every section with its total and change since last night, empty sections said so,
names escaped, no SNILS, charts inline, nothing fetched, and a big section still quick."""

from __future__ import annotations

import re

from edugateway.reconciliation.render_html import render_html, render_report_body
from edugateway.reconciliation.report import Column, Section, SectionGroup
from support.report_factory import make_report


def _summary_cell(html: str, key: str) -> str:
    row = re.search(rf'<tr data-section="{re.escape(key)}">(.*?)</tr>', html, re.S)
    assert row, key
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1))).strip()


def test_the_summary_lists_every_section_with_its_total_and_change() -> None:
    report = make_report()
    previous = {"persons.only_local": 1, "marks.only_remote": 5, "compliance.lesson_without_topic": 4}

    html = render_html(report, previous)

    for section in report.sections:
        assert f'id="s-{section.key}"' in html
    assert _summary_cell(html, "persons.only_local") == "Есть в школе, нет на платформе 2 ▲ +1"
    assert _summary_cell(html, "marks.only_remote") == "Отметки, которых нет в базе школы 3 ▼ −2"
    assert _summary_cell(html, "compliance.lesson_without_topic") == "Уроки без темы 4 0"
    # A section the previous night did not have counts from zero.
    assert _summary_cell(html, "identity.open_cases") == "Открытые случаи ЕСИА 1 ▲ +1"
    assert 'id="report-total">13<' in html


def test_without_a_previous_report_there_is_no_change_to_show() -> None:
    html = render_html(make_report(), None)

    assert _summary_cell(html, "persons.only_local") == "Есть в школе, нет на платформе 2 —"
    assert "▲" not in html.split('id="summary"')[1].split("</table>")[0]


def test_empty_sections_say_there_is_nothing_found() -> None:
    html = render_html(make_report(), None)

    only_remote = html.split('id="s-persons.only_remote"')[1].split("</section>")[0]
    final_marks = html.split('id="s-compliance.final_mark_changed"')[1].split("</section>")[0]
    assert "Расхождений нет." in only_remote
    assert "<table" not in only_remote
    assert "Нарушений нет." in final_marks
    assert "<table" not in final_marks


def test_sections_show_russian_headers_and_dates_the_russian_way() -> None:
    html = render_html(make_report(), None)

    marks = html.split('id="s-marks.only_remote"')[1].split("</section>")[0]
    assert "<th>Дата</th><th>Класс</th><th>Предмет</th><th>Ученик</th><th>Отметка</th>" in marks
    assert "<td>18.11.2026</td>" in marks
    assert "Н/А" in marks


def test_a_name_with_markup_is_escaped_everywhere() -> None:
    evil = "<script>alert('x')</script>"
    report = make_report(school_name=f"Школа {evil}", notes=[evil])
    report.sections[0].rows[0]["name"] = evil
    report.sections[0].title = f"Раздел {evil}"

    html = render_html(report, None)

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_no_snils_reaches_the_page() -> None:
    html = render_html(make_report(), None)

    assert ">СНИЛС<" not in html.replace("<td>СНИЛС</td>", "")  # the column is gone; the field's name may stay
    for digits in ("11223344595", "112-233-445 95", "22334455616", "223-344-556 16"):
        assert digits not in html
    assert "***-***-*56 **" in html  # a SNILS typed into a cell is masked


def test_the_document_is_self_contained_and_the_body_needs_no_inline_style() -> None:
    html = render_html(make_report(), None)
    body = render_report_body(make_report(), None)

    assert "<style>" in html
    assert "@media print" in html
    assert "size: A4 landscape" in html
    assert not re.search(r"<script|<link|src=|https?://(?!www\.w3\.org/2000/svg)", html)
    assert html.count("<svg") == 2  # findings by section, and compliance findings by class
    assert "Нарушения по классам" in html
    assert "style=" not in body
    assert "<style" not in body


def test_control_figures_are_percentages_and_counts_are_shown() -> None:
    html = render_html(make_report(), None)

    assert 'Процент обучающихся, не имеющих отметок</th><td class="num">3,4 %' in html
    counts = html.split('id="entity-counts"')[1].split("</table>")[0]
    assert '<th scope="row">Отметки</th><td class="num">5120</td><td class="num">5123</td>' in counts


def test_a_section_of_twenty_thousand_rows_renders_whole() -> None:
    rows = [{"date": "2026-11-20", "class": "5А", "student": f"Ученик {i}", "value": "5"} for i in range(20_000)]
    big = Section(
        key="marks.only_local",
        group=SectionGroup.RECONCILIATION,
        title="Отметки только в школе",
        columns=[Column(key=k, title=k) for k in ("date", "class", "student", "value")],
        rows=rows,
    )
    report = make_report()
    report.sections.append(big)

    html = render_html(report, None)

    assert html.count("<td>Ученик ") == 20_000  # every row, none truncated (its speed is not a test's business)
