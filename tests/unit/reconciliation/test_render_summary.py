"""Issue 17: «A one-page printable summary for the director» — the report's first screen alone, on one A4 page,
written beside the report, without SNILS or pupils' names."""

from __future__ import annotations

import re

from edugateway.reconciliation.render_summary import render_summary_html
from edugateway.reconciliation.report import Column, Section, SectionGroup
from support.report_factory import make_report


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_summary_says_what_is_wrong_with_its_trend_and_who_fixes_it() -> None:
    html = render_summary_html(make_report(), {"marks.only_remote": 5, "compliance.lesson_without_topic": 4})
    text = _text(html)

    wrong = _text(html.split('id="summary-wrong">')[1].split("</table>")[0])
    assert wrong.startswith(
        "Раздел Найдено С прошлой сверки Уроки без темы 4 0 Отметки, которых нет в базе школы 3 ▼ −2"
    )
    assert "Без замечаний: Есть на платформе, нет в школе; Итоговая отметка изменена без заместителя директора." in text
    assert _text(html.split('id="summary-classes"')[1].split("</tr>")[1]).startswith("7Б")
    assert "@page { size: A4 portrait" in html


def test_the_summary_holds_no_snils_and_no_pupil() -> None:
    html = render_summary_html(make_report(), None)

    assert "22334455616" not in html
    assert "223-344-556 16" not in html
    for pupil in ("Сидорова Анна", "Смирнова Алёна", "Орлов Денис", "Волкова Мария"):
        assert pupil not in html


def test_a_long_list_of_sections_stays_on_one_page() -> None:
    sections = [
        Section(
            key=f"compliance.rule_{i}",
            group=SectionGroup.COMPLIANCE,
            title=f"Правило {i}",
            columns=[Column(key="class", title="Класс")],
            rows=[{"class": "5А"}] * (i + 1),
        )
        for i in range(20)
    ]
    html = render_summary_html(make_report(sections=sections), None)

    assert len(re.findall(r"<tr><td>Правило", html)) == 12
    assert "И ещё разделов с замечаниями: 8 — в полном отчёте." in _text(html)
