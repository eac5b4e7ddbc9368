"""The queue: open cases by default, filters by school, class, case type and status, counts that say what each
choice would show, pages, and never a SNILS."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from web_client import Site

from edugateway.domain.snils import format_snils
from edugateway.store.tables import IdentityCaseRow, PersonRow
from support.clerk_school import PERSONS

ROW = re.compile(r'<td data-label="№"><div><a href="/cases/(\d+)">')


def _shown(site: Site, query: str = "") -> tuple[list[int], str]:
    page = site.client.get(f"/cases{query}")
    assert page.status_code == 200, page.text
    return [int(n) for n in ROW.findall(page.text)], page.text


def _count(text: str, facet: str, title: str) -> int:
    section = text.split(f'data-facet="{facet}"', 1)[1].split("</ul>", 1)[0]
    found = re.search(re.escape(title) + r'</a>\s*<span class="count">(\d+)</span>', section)
    return int(found.group(1)) if found else 0


def test_home_goes_to_the_queue_of_open_cases_oldest_first(site: Site) -> None:
    site.sign_in("ivanova")
    assert site.client.get("/").headers["location"] == "/cases"

    shown, text = _shown(site)

    cases = site.school.cases
    assert shown == [cases["typo"], cases["swapped"], cases["checksum"], cases["missing"]]
    assert "Сминова Алёна Игоревна" in text
    assert "ФИО не совпадает с ЕСИА" in text
    assert "похоже на опечатку" in text
    assert '<strong id="total">4</strong>' in text


def test_filters_narrow_the_list_and_counts_follow_the_other_filters(site: Site) -> None:
    site.sign_in("ivanova")
    cases = site.school.cases

    shown, text = _shown(site, "?class=7Б")
    assert shown == [cases["checksum"], cases["missing"]]
    assert _count(text, "type", "Неверный СНИЛС") == 1
    assert _count(text, "type", "ФИО не совпадает с ЕСИА") == 0
    assert (_count(text, "status", "Открыт"), _count(text, "status", "Исправлен")) == (2, 1)

    shown, text = _shown(site, "?type=name_differs")
    assert shown == [cases["typo"]]
    assert _count(text, "type", "Дата рождения не совпадает с ЕСИА") == 1  # the type facet ignores the type filter

    assert _shown(site, "?status=closed")[0] == [cases["fine"]]
    assert len(_shown(site, "?status=all")[0]) == 5
    assert _shown(site, f"?school={site.school.school_id}&class=5А&type=birth_date_differs")[0] == [cases["swapped"]]
    assert _shown(site, f"?school={site.school.school_id + 1}")[0] == []


def test_nonsense_in_the_query_is_ignored_not_an_error(site: Site) -> None:
    site.sign_in("ivanova")
    assert len(_shown(site, "?school=x&type=bogus&status=weird&page=-3")[0]) == 4


def test_a_long_queue_is_paged(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("edugateway.web.queue.PAGE_SIZE", 3)
    site.sign_in("ivanova")

    first, text = _shown(site, "?status=all")
    second, _ = _shown(site, "?status=all&page=2")
    beyond, _ = _shown(site, "?status=all&page=9")

    assert len(first) == 3
    assert len(second) == 2
    assert set(first).isdisjoint(second)
    assert beyond == second  # past the end shows the last page
    assert 'href="/cases?status=all&amp;page=2" rel="next"' in text


def test_the_queue_never_shows_a_snils(site: Site) -> None:
    site.sign_in("ivanova")
    _, text = _shown(site, "?status=all")
    with site.db.session() as session:
        numbers = [n for n in session.scalars(select(PersonRow.snils)) if n]
    numbers += [r for _, _, _, _, _, _, r in PERSONS.values() if r]
    assert numbers
    for number in numbers:
        assert number not in text
        assert format_snils(number) not in text


def test_the_queue_shows_the_assignee_by_name_not_login(site: Site) -> None:
    """Finding 1 of issue 17: the assignee was shown as the login «ivanova»."""
    with site.db.session() as session:
        case = session.get(IdentityCaseRow, site.school.cases["missing"])
        assert case is not None
        case.assignee = "ivanova"
    site.sign_in("petrov")
    _, text = _shown(site, "?class=7Б")
    assert '<td data-label="Исполнитель"><div>Иванова М. П.</div></td>' in text
    assert ">ivanova<" not in text
