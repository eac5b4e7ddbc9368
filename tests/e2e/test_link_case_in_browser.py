"""A sync's `link_candidate` case in the browser: the platform's records beside the school's, on a desktop and a
phone screen, and the clerk's "this is them" linking the chosen record."""

from __future__ import annotations

import datetime as dt

from e2e_pages import Pages, screenshot, sign_in
from playwright.sync_api import Page, expect
from sqlalchemy import select

from edugateway.identity.case_types import CaseType
from edugateway.identity.link_cases import apply_link_candidates, shown_candidate
from edugateway.identity.linkage import LinkRecord
from edugateway.store.cases import Cases
from edugateway.store.tables import IdentityLinkRow

DESKTOP = {"width": 1366, "height": 900}
BORN, MISS = dt.date(2012, 6, 11), "missing"


def _link_case(pages: Pages) -> int:
    """Two records of Дневник.ру that may be the school's «Орлов Денис Павлович», as a sync would leave them."""
    records = [
        (
            LinkRecord("7001", "Орлов", "Денис", None, None, "m", "7Б"),
            0.93,
            {"last_name": "exact", "birth_date": "missing"},
        ),
        (
            LinkRecord("7002", "Орлв", "Денис", "Павлович", dt.date(2012, 6, 11), "m", "7А"),
            0.61,
            {"last_name": "one_edit"},
        ),
    ]
    with pages.db.session() as session:
        apply_link_candidates(
            Cases(session),
            school_id=pages.school.school_id,
            platform="dnevnik",
            proposed={"p-fine": [shown_candidate("dnevnik", r, p, a) for r, p, a in records]},
            class_names={"p-fine": "7Б"},
            actor="sync:dnevnik",
            now=dt.datetime.now(dt.UTC),
        )
    return pages.case_id("fine", CaseType.LINK_CANDIDATE)


def test_a_link_case_shows_the_records_side_by_side_and_links_the_chosen_one(
    page: Page, phone: Page, pages: Pages
) -> None:
    case_id = _link_case(pages)
    sign_in(phone, pages.base_url, "ivanova")
    phone.goto(f"{pages.base_url}/cases/{case_id}")
    widths = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide on a {widths[1]} px screen"
    screenshot(phone, "link-case-phone.png")

    page.set_viewport_size(DESKTOP)
    sign_in(page, pages.base_url, "ivanova")
    page.goto(f"{pages.base_url}/cases/{case_id}")
    expect(page.locator("h1")).to_contain_text("Возможно, это один человек")
    rows = page.locator("table.candidates tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Дневник.ру")
    expect(rows.nth(1)).to_contain_text("опечатка в одну букву")
    expect(page.locator("#form-snils")).to_have_count(0)  # nothing for ЕСИА to re-check here
    screenshot(page, "link-case.png")

    page.get_by_label("Выбрать кандидата 1").check()
    page.locator("form.candidates").get_by_label("Причина").fill("сверено с классным журналом")
    page.get_by_role("button", name="Это он: связать с выбранным").click()
    expect(page.locator(".flash")).to_contain_text("Связано")
    expect(page.locator("#case-status")).to_have_text("Исправлен")
    with pages.db.session() as session:
        link = session.scalar(select(IdentityLinkRow).where(IdentityLinkRow.remote_id == "7001"))
        assert link is not None
        assert (link.platform, link.method) == ("dnevnik", "clerk")
