"""The deputy director in a browser records the permission for a changed final from the report (000 §3.3.11):
the report's link opens the form, an empty document is refused by the browser itself, the saved permission is
listed on the form afterwards. Screenshot: tests/e2e/artifacts/final-justification.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_pages import screenshot, sign_in
from playwright.sync_api import Page, expect

from edugateway.config.settings import Settings
from edugateway.emulators.server import BackgroundServer
from edugateway.store.db import Database
from edugateway.web.accounts import add_user
from edugateway.web.app import create_app
from support.changed_final import KEY, plant_final, report_with_change
from support.clerk_school import CODE, PASSWORD, add_accounts, add_school, cheap_passwords


@pytest.fixture
def report_url(sqlite_db: Database) -> Iterator[str]:
    school = add_school(sqlite_db)
    add_accounts(sqlite_db, cheap_passwords())
    add_user(sqlite_db, cheap_passwords(), "zam", PASSWORD, "deputy", schools=[CODE], actor="test")
    plant_final(sqlite_db, school.school_id)
    report_id = report_with_change(sqlite_db, school.school_id)
    with BackgroundServer(create_app(sqlite_db, Settings(), passwords=cheap_passwords())) as server:
        yield f"{server.base_url}/reports/{report_id}"


def test_the_deputy_records_a_permission_from_the_report(page: Page, report_url: str) -> None:
    sign_in(page, report_url.split("/reports/")[0], "zam")
    page.goto(report_url)
    page.locator("#justify-finals").get_by_role("link", name="записать разрешение").click()

    expect(page.get_by_role("heading", name="Изменение итоговой отметки после закрытия периода")).to_be_visible()
    expect(page.locator("#final-value")).to_have_text("3")
    page.get_by_label("Кто разрешил").fill("Кузнецова Е. А.")
    page.get_by_label("Причина").fill("ошибка учителя при выставлении")
    page.get_by_role("button", name="Записать разрешение").click()
    # The document is required: the browser keeps the form (nothing was sent).
    expect(page.locator("#document")).to_have_js_property("validity.valueMissing", True)
    page.get_by_label("Документ").fill("приказ № 12 от 03.11.2026")
    page.get_by_role("button", name="Записать разрешение").click()

    expect(page.locator(".flash")).to_contain_text("Разрешение записано")
    page.goto(f"{report_url}/finals?mark={KEY}")
    expect(page.locator("#on-record")).to_contain_text(
        "разрешено: Кузнецова Е. А., приказ № 12 от 03.11.2026, ошибка учителя при выставлении"
    )
    screenshot(page, "final-justification.png")
