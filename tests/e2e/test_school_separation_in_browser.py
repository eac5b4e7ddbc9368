"""Issue 14, finding 5, in a browser: a clerk of one school neither sees another school's pupil in the queue nor
opens that school's case by typing its address: the Russian "not found" page, with no name and no SNILS."""

from __future__ import annotations

import re

from e2e_pages import Pages, screenshot, sign_in
from playwright.sync_api import Page, expect

from support.clerk_school import OTHER_PUPIL, OTHER_SCHOOL_NAME, OTHER_SNILS, add_other_school, cheap_passwords


def test_a_clerk_cannot_open_another_schools_case(page: Page, pages: Pages) -> None:
    other = add_other_school(pages.db, cheap_passwords())
    pupil = " ".join(OTHER_PUPIL)
    sign_in(page, pages.base_url, "ivanova")
    expect(page).to_have_url(f"{pages.base_url}/cases")
    expect(page.locator("#total")).to_have_text("4")  # her school's open cases only
    expect(page.get_by_text(pupil)).to_have_count(0)
    expect(page.get_by_label("Школа").locator("option", has_text=OTHER_SCHOOL_NAME)).to_have_count(0)

    answer = page.goto(f"{pages.base_url}/cases/{other.case_id}")

    assert answer is not None
    assert answer.status == 404
    expect(page.get_by_role("heading", name="Не найдено")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(re.compile(rf"Случай № {other.case_id} не найден"))
    expect(page.locator("body")).not_to_contain_text(pupil)
    expect(page.locator("body")).not_to_contain_text(OTHER_SNILS[-2:] + " ")
    screenshot(page, "other-school-case.png")

    page.get_by_role("button", name="Выйти").click()
    sign_in(page, pages.base_url, "sidorova")  # the gymnasium's own clerk does open it
    page.goto(f"{pages.base_url}/cases/{other.case_id}")
    expect(page.locator("#person-name")).to_have_text(pupil)
