"""A director's deputy in a browser: opens the reports' history, then a night's report, on a desk monitor, on
paper (print media) and on a phone. Screenshots go to tests/e2e/artifacts/: report-history.png, report-full.png,
report-print.png, report-phone.png."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from e2e_pages import ARTIFACTS, screenshot, sign_in
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from edugateway.config.settings import Settings
from edugateway.emulators.server import BackgroundServer
from edugateway.store.db import Database
from edugateway.web.app import create_app
from support.clerk_school import add_accounts, add_school, cheap_passwords
from support.report_factory import make_report, night, store_report


@dataclass
class ReportSite:
    base_url: str
    latest: int


@pytest.fixture
def site(sqlite_db: Database) -> Iterator[ReportSite]:
    school = add_school(sqlite_db)
    add_accounts(sqlite_db, cheap_passwords())
    report = make_report()
    for days in range(6, 0, -1):
        store_report(sqlite_db, school.school_id, night(report, days, {"compliance.lesson_without_topic": days % 4}))
    latest = store_report(sqlite_db, school.school_id, report)
    with BackgroundServer(create_app(sqlite_db, Settings(), passwords=cheap_passwords())) as server:
        yield ReportSite(server.base_url, latest)


def _console_errors(page: Page) -> list[str]:
    """Errors the browser reports (a CSP violation among them); the favicon the app does not have is no error."""
    errors: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", seen)
    return errors


def test_a_viewer_reads_the_history_and_a_report(page: Page, site: ReportSite) -> None:
    errors = _console_errors(page)  # a CSP violation shows here
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, site.base_url, "petrov")
    page.get_by_role("link", name="Отчёты").click()

    expect(page.get_by_role("heading", name="Отчёты ночной сверки")).to_be_visible()
    expect(page.locator("#report-count")).to_have_text("7")
    expect(page.locator(f'tr[data-report="{site.latest}"]')).to_contain_text("▲ +3")
    expect(page.locator("svg.sparkline").first).to_be_visible()
    screenshot(page, "report-history.png")

    page.locator(f'tr[data-report="{site.latest}"]').get_by_role("link").click()
    expect(page).to_have_url(f"{site.base_url}/reports/{site.latest}")
    expect(page.get_by_role("heading", name="Ночная сверка: МАОУ СОШ № 7")).to_be_visible()
    expect(page.locator("#report-total")).to_have_text("13")
    expect(page.locator("#s-persons\\.only_remote")).to_contain_text("Расхождений нет.")
    expect(page.locator("svg.chart")).to_have_count(2)
    # The linked stylesheet applied (not blocked): the summary's numbers are right-aligned.
    align = page.locator("#summary td.num").first.evaluate("e => getComputedStyle(e).textAlign")
    assert align == "right"
    screenshot(page, "report-full.png")

    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator(".report-actions")).to_be_hidden()
    screenshot(page, "report-print.png")
    page.pdf(path=str(ARTIFACTS / "report-print.pdf"), landscape=True, format="A4", prefer_css_page_size=True)
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать XLSX").click()
    assert download.value.suggested_filename == "sch7-dnevnik-2026-11-22.xlsx"
    assert errors == []


def test_a_report_fits_a_phone_except_inside_wide_tables(phone: Page, site: ReportSite) -> None:
    sign_in(phone, site.base_url, "petrov")
    phone.goto(f"{site.base_url}/reports/{site.latest}")
    expect(phone.locator("#report-total")).to_have_text("13")

    widths = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide on a {widths[1]} px screen"
    # A wide table scrolls inside its own box rather than the page.
    box = phone.locator("#s-marks\\.only_remote .table-scroll")
    inner = box.evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]")
    assert inner[2] == "auto"
    assert inner[1] <= widths[1]
    screenshot(phone, "report-phone.png")

    phone.goto(f"{site.base_url}/reports")
    widths = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]
    screenshot(phone, "report-history-phone.png")


NOT_CHECKED = "не проверяется: ЕЦП не передаёт время записи домашнего задания"


@pytest.fixture
def ecp_site(sqlite_db: Database) -> Iterator[ReportSite]:
    """Two nights of ЕЦП: the homework rule not checked (issue 16's `not_checked`), the other sections as made."""
    school = add_school(sqlite_db)
    add_accounts(sqlite_db, cheap_passwords())
    made = make_report(platform="ecp")
    sections = [
        s.model_copy(update={"rows": [], "not_checked": NOT_CHECKED}) if s.key == "compliance.homework_late" else s
        for s in made.sections
    ]
    report = made.model_copy(update={"sections": sections})
    store_report(sqlite_db, school.school_id, night(report, 1, {"marks.only_remote": 1}))
    latest = store_report(sqlite_db, school.school_id, report)
    with BackgroundServer(create_app(sqlite_db, Settings(), passwords=cheap_passwords())) as server:
        yield ReportSite(server.base_url, latest)


@pytest.mark.parametrize("width", [1366, 375])
def test_the_first_screen_says_what_is_wrong_its_trend_and_who_fixes_it(
    browser: Browser, ecp_site: ReportSite, width: int
) -> None:
    """Issue 17: «The first screen says what is wrong, how it changed since yesterday, and who must fix it (by
    teacher and class), with the empty sections collapsed into one line»; «The ЕЦП report shows … 0 … though the
    journal was not checked: say what was not checked and show no figure for it» (on the web page too)."""
    context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": 768})
    page = context.new_page()
    sign_in(page, ecp_site.base_url, "petrov")
    page.goto(f"{ecp_site.base_url}/reports/{ecp_site.latest}")

    wrong = page.locator("#wrong")
    expect(wrong).to_be_visible()
    top = wrong.locator("tbody tr").first
    expect(top).to_contain_text("Уроки без темы")  # the largest first
    expect(page.locator('#wrong tr[data-wrong="marks.only_remote"]')).to_contain_text("▲ +2")  # same as the file
    assert (wrong.bounding_box() or {"y": 9999})["y"] < 768, "«Что не так» is below the first screen"
    expect(page.locator("#clean-sections")).to_contain_text("Без замечаний: Есть на платформе, нет в школе")
    expect(page.locator("#unchecked-sections")).to_contain_text(NOT_CHECKED)
    expect(page.locator('#wrong tr[data-wrong="compliance.homework_late"]')).to_have_count(0)  # no 0 for it
    expect(page.locator("#s-compliance\\.homework_late")).not_to_contain_text("(0)")
    expect(page.locator("#top-classes tbody tr").first).to_contain_text("7Б")
    expect(page.locator("#empty-sections")).not_to_have_attribute("open", "")
    expect(page.locator("#all-sections")).not_to_have_attribute("open", "")

    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide on a {widths[1]} px screen"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-first-screen-{width}.png"))  # the first screen only
    screenshot(page, f"report-first-screen-{width}-full.png")
    context.close()


def test_the_directors_summary_prints_on_one_a4_page(page: Page, site: ReportSite) -> None:
    """Issue 17: «A one-page printable summary for the director» — the web app's print view."""
    errors = _console_errors(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, site.base_url, "petrov")
    page.goto(f"{site.base_url}/reports/{site.latest}")
    page.get_by_role("link", name="Главное на одной странице (для печати)").click()

    expect(page.locator("#summary-wrong tbody tr").first).to_contain_text("Уроки без темы")
    expect(page.locator("#summary-classes")).to_contain_text("7Б")
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    screenshot(page, "report-summary-print.png")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    (ARTIFACTS / "report-summary.pdf").write_bytes(pdf)
    assert b"/Count 1" in pdf, "the summary does not fit one A4 page"
    assert errors == []
