"""The report pages on each backend: the history newest first with each night's change, one report in the
app's layout under the CSP, the XLSX and JSON downloads, a failed night's error, 404s, any role may read,
and no page without signing in."""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook
from web_client import Site

from support.report_factory import make_report, night, store_report


@pytest.fixture
def nights(site: Site) -> dict[str, int]:
    """Three nights of the school with Дневник.ру (6, 11, 13 findings), a failed fourth, one night with ЕЦП."""
    report = make_report()
    ids = {
        "oldest": store_report(
            site.db,
            site.school.school_id,
            night(report, 2, {"persons.different": 0, "marks.only_remote": 0, "compliance.lesson_without_topic": 2}),
        ),
        "middle": store_report(site.db, site.school.school_id, night(report, 1, {"marks.only_remote": 1})),
        "latest": store_report(site.db, site.school.school_id, report),
        "ecp": store_report(site.db, site.school.school_id, make_report(platform="ecp")),
    }
    failed = night(report, -1)
    ids["failed"] = store_report(
        site.db, site.school.school_id, failed, status="failed", error="Дневник.ру не ответил: время ожидания истекло"
    )
    return ids


def _line(page: str, report_id: int) -> str:
    found = re.search(rf'<tr data-report="{report_id}">(.*?)</tr>', page, re.S)
    assert found, report_id
    return re.sub(r"\s+", " ", re.sub(r"<title>.*?</title>|<[^>]+>", " ", found.group(1))).strip()


def test_the_history_lists_reports_newest_first_with_their_change(site: Site, nights: dict[str, int]) -> None:
    site.sign_in("petrov")  # a viewer reads reports too

    page = site.client.get("/reports")

    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    order = [int(i) for i in re.findall(r'<tr data-report="(\d+)">', page.text)]
    assert order[0] == nights["failed"]
    assert order.index(nights["latest"]) < order.index(nights["middle"]) < order.index(nights["oldest"])
    assert _line(page.text, nights["oldest"]) == "20.11.2026 МАОУ СОШ № 7 Дневник.ру готов 6 —"
    assert _line(page.text, nights["middle"]) == "21.11.2026 МАОУ СОШ № 7 Дневник.ру готов 11 ▲ +5"
    assert _line(page.text, nights["latest"]) == "22.11.2026 МАОУ СОШ № 7 Дневник.ру готов 13 ▲ +2"
    assert _line(page.text, nights["ecp"]) == "22.11.2026 МАОУ СОШ № 7 ГИС ЕЦП готов 13 —"
    assert "Дневник.ру не ответил: время ожидания истекло" in _line(page.text, nights["failed"])
    assert page.text.count('class="sparkline"') == 2  # the middle and latest nights have history behind them
    assert '<a href="/reports">Отчёты</a>' in page.text


def test_the_history_filters_by_school_and_platform(site: Site, nights: dict[str, int]) -> None:
    site.sign_in("ivanova")

    ecp = site.client.get("/reports", params={"platform": "ecp"})
    other_school = site.client.get("/reports", params={"school": str(site.school.school_id + 1)})
    nonsense = site.client.get("/reports", params={"school": "abc"})

    assert re.findall(r'<tr data-report="(\d+)">', ecp.text) == [str(nights["ecp"])]
    assert "Отчётов с такими условиями нет." in other_school.text
    assert len(re.findall(r"<tr data-report=", nonsense.text)) == 5


def test_a_report_opens_in_the_app_with_its_change_and_no_inline_style(site: Site, nights: dict[str, int]) -> None:
    site.sign_in("petrov")

    page = site.client.get(f"/reports/{nights['latest']}")

    assert page.status_code == 200
    assert "style-src 'self'" in page.headers["content-security-policy"]
    assert '<link rel="stylesheet" href="/reports/report.css">' in page.text
    assert "<style" not in page.text
    assert "style=" not in page.text
    assert "<script" not in page.text
    # Against the middle night: persons.different 0 -> 2, marks.only_remote 1 -> 3.
    row = re.search(r'<tr data-section="marks.only_remote">(.*?)</tr>', page.text, re.S)
    assert row
    assert "▲ +2" in row.group(1)
    assert "223-344-556 16" not in page.text
    css = site.client.get("/reports/report.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "@media print" in css.text


def test_the_downloads_have_their_types_and_file_names(site: Site, nights: dict[str, int]) -> None:
    site.sign_in("petrov")

    xlsx = site.client.get(f"/reports/{nights['latest']}.xlsx")
    data = site.client.get(f"/reports/{nights['latest']}.json")

    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="sch7-dnevnik-2026-11-22.xlsx"' in xlsx.headers["content-disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0] == "Сводка"
    assert data.headers["content-type"] == "application/json; charset=utf-8"
    assert 'filename="sch7-dnevnik-2026-11-22.json"' in data.headers["content-disposition"]
    assert json.loads(data.content)["school_name"] == "МАОУ СОШ № 7"


def test_a_failed_night_shows_its_error_and_has_no_downloads(site: Site, nights: dict[str, int]) -> None:
    site.sign_in("ivanova")

    page = site.client.get(f"/reports/{nights['failed']}")

    assert page.status_code == 200
    assert re.search(r'id="report-status">ошибка<', page.text)
    assert "Дневник.ру не ответил: время ожидания истекло" in page.text
    assert ".xlsx" not in page.text
    assert site.client.get(f"/reports/{nights['failed']}.xlsx").status_code == 404


def test_unknown_reports_are_not_found(site: Site, nights: dict[str, int]) -> None:
    site.sign_in("admin")
    missing = max(nights.values()) + 100

    for path in (f"/reports/{missing}", f"/reports/{missing}.xlsx", f"/reports/{missing}.json", "/reports/abc"):
        assert site.client.get(path).status_code == 404, path


def test_without_signing_in_every_report_page_sends_to_the_sign_in_form(site: Site, nights: dict[str, int]) -> None:
    for path in ("/reports", f"/reports/{nights['latest']}", f"/reports/{nights['latest']}.xlsx"):
        answer = site.client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=/reports")
