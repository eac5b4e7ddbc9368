"""The director's report, issue 17 «The director's report»: «The first screen says what is wrong, how it changed
since yesterday, and who must fix it (by teacher and class), with the empty sections collapsed into one line»;
«Prose cites «Регламенты 000 §3.3.2…» — name the regulation clause in words a director knows»; «The ЕСИА section
has two «№» columns and case numbers don't link to the cases»; «Latin look-alike letters («Андреeв») are
invisible: mark the differing characters»."""

from __future__ import annotations

import re

from edugateway.reconciliation.render_html import render_html, render_report_body
from edugateway.reconciliation.report import Column, Section, SectionGroup
from support.report_factory import make_report


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _first_screen(html: str) -> str:
    return html.split('id="first-screen"')[1].split("</section>")[0]


def test_the_first_screen_lists_what_is_wrong_largest_first_with_the_trend() -> None:
    html = render_html(make_report(), {"marks.only_remote": 5, "compliance.lesson_without_topic": 4})

    rows = re.findall(r'<tr data-wrong="([^"]+)">(.*?)</tr>', _first_screen(html), re.S)
    assert [key for key, _ in rows] == [
        "compliance.lesson_without_topic",
        "marks.only_remote",
        "persons.only_local",
        "persons.different",
        "identity.open_cases",
        "compliance.homework_late",
    ]
    shown = {key: _text(cells) for key, cells in rows}
    assert shown["compliance.lesson_without_topic"] == "Уроки без темы 4 0"
    assert shown["marks.only_remote"] == "Отметки, которых нет в базе школы 3 ▼ −2"
    assert shown["persons.only_local"] == "Есть в школе, нет на платформе 2 ▲ +2"


def test_the_empty_sections_are_one_line_and_their_tables_are_not_on_the_page() -> None:
    html = render_html(make_report(), None)

    clean = re.search(r'id="clean-sections">(.*?)</p>', html, re.S)
    assert clean is not None
    assert _text(clean.group(1)) == (
        "Без замечаний: Есть на платформе, нет в школе; Итоговая отметка изменена без заместителя директора."
    )
    # Each still has its anchor (the summary links to it), inside one collapsed list, not a section of its own.
    empty = html.split('id="empty-sections"')[1].split("</details>")[0]
    assert 'id="s-persons.only_remote"' in empty
    assert "<table" not in empty
    assert "<details open" not in html.split('id="empty-sections"')[0][-200:]


def test_the_first_screen_names_who_must_fix_it_by_class() -> None:
    html = render_html(make_report(), None)

    classes = re.findall(
        r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td><td>([^<]*)</td></tr>",
        html.split('id="top-classes"')[1].split("</table>")[0],
    )
    # Every section whose rows name a class counts: 7Б has a pupil missing on the platform, two platform-only marks,
    # a lesson without a topic and an open ЕСИА case.
    assert classes[0] == (
        "7Б",
        "5",
        "Отметки, которых нет в базе школы — 2; Есть в школе, нет на платформе — 1; Открытые случаи ЕСИА — 1",
    )
    assert [name for name, _, _ in classes] == ["7Б", "5А", "10Б"]


def test_a_long_section_starts_collapsed_a_short_one_open() -> None:
    report = make_report()
    long_rows = [
        {"date": "2026-11-18", "class": "5А", "subject": "Математика", "student": f"Ученик {i}", "value": "5"}
        for i in range(40)
    ]
    sections = [
        s.model_copy(update={"rows": long_rows}) if s.key == "marks.only_remote" else s for s in report.sections
    ]
    html = render_html(report.model_copy(update={"sections": sections}), None)

    long_section = html.split('id="s-marks.only_remote"')[1].split("</section>")[0]
    short_section = html.split('id="s-compliance.lesson_without_topic"')[1].split("</section>")[0]
    assert "<details>" in long_section
    assert "<details open>" in short_section


def test_citations_name_the_document_and_keep_the_clause() -> None:
    report = make_report()
    cited = "Уроки, тема которых не записана к сроку. Регламенты 000 §3.3.2, §3.3.9; 004 §4.2.4."
    sections = [
        s.model_copy(update={"description": cited}) if s.key == "compliance.lesson_without_topic" else s
        for s in report.sections
    ]
    html = render_html(report.model_copy(update={"sections": sections}), None)

    section = _text(html.split('id="s-compliance.lesson_without_topic"')[1].split("</section>")[0])
    assert "Положение об электронном журнале (ЕЦП), п. 3.3.2, п. 3.3.9" in section
    assert "Инструкция по ведению электронного журнала (Аверс), п. 4.2.4" in section
    assert "§" not in section
    assert "000" not in section


def _with_cases(report_rows: list[dict[str, object]]) -> Section:
    return Section(
        key="identity.open_cases",
        group=SectionGroup.IDENTITY,
        title="Открытые расхождения с ЕСИА (Госуслуги)",
        columns=[Column(key="case_id", title="№ случая"), Column(key="person", title="ФИО")],
        rows=report_rows,
    )


def test_case_numbers_link_to_the_cases_in_the_web_app_and_are_plain_in_the_file() -> None:
    report = make_report(sections=[_with_cases([{"case_id": 42, "person": "Волкова Мария Дмитриевна"}])])

    page = str(render_report_body(report, None, case_url="/cases/{}"))
    file = render_html(report, None)

    page_section = page.split('id="s-identity.open_cases"')[1]
    assert '<td><a href="/cases/42">42</a></td>' in page_section
    assert "/cases/" not in file
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", file.split('id="s-identity.open_cases"')[1].split("</thead>")[0])
    assert headers == ["№", "№ случая", "ФИО"]  # the row number and the case number, told apart


def test_latin_letters_in_a_cyrillic_name_are_marked() -> None:
    report = make_report()
    rows = [{"name": "Андреeв Павел", "field": "Фамилия", "local": "Андреeв", "remote": "Андреев"}]
    sections = [s.model_copy(update={"rows": rows}) if s.key == "persons.different" else s for s in report.sections]
    html = render_html(report.model_copy(update={"sections": sections}), None)

    section = html.split('id="s-persons.different"')[1].split("</section>")[0]
    assert section.count('Андре<mark class="latin" title="латинская буква">e</mark>в') == 2
    assert "<td>Андреев</td>" in section  # the Cyrillic one is left alone
