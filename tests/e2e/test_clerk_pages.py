"""A records clerk in a browser: signs in, opens a "name differs" case, corrects it and sees it closed and
audited; a viewer cannot change a case; a wrong password is refused; the SNILS is judged as it is typed; the
pages fit a phone. Screenshots of the queue and a case page go to tests/e2e/artifacts/."""

from __future__ import annotations

import re

from e2e_pages import Pages, screenshot, sign_in
from playwright.sync_api import Page, expect
from sqlalchemy import select

from edugateway.identity.case_types import CaseType
from edugateway.store.tables import AuditRow, IdentityCaseRow


def test_a_clerk_corrects_a_name_and_sees_the_case_closed_and_audited(page: Page, pages: Pages) -> None:
    case_id = pages.case_id("typo", CaseType.NAME_DIFFERS)
    sign_in(page, pages.base_url, "ivanova")

    expect(page).to_have_url(f"{pages.base_url}/cases")
    expect(page.get_by_role("heading", name="Случаи для проверки")).to_be_visible()
    expect(page.locator("#total")).to_have_text("4")
    screenshot(page, "queue.png")

    page.get_by_label("Вид").select_option(CaseType.NAME_DIFFERS.value)
    page.get_by_role("button", name="Показать").click()
    expect(page.locator("#total")).to_have_text("1")
    page.get_by_role("link", name="Сминова Алёна Игоревна").click()

    expect(page).to_have_url(f"{pages.base_url}/cases/{case_id}")
    expect(page.get_by_role("heading", name=re.compile("ФИО не совпадает с ЕСИА"))).to_be_visible()
    esia_last_name = page.locator("section.column", has_text="ЕСИА (Госуслуги)").locator('[data-field="last_name"]')
    expect(esia_last_name).to_have_class("differs")
    expect(esia_last_name).to_contain_text("Смирнова")
    expect(page.locator("#snils-masked")).to_have_text(re.compile(r"^\*\*\*-\*\*\*-\*\d\d \*\*$"))
    screenshot(page, "case.png")

    form = page.locator("#form-person")
    form.get_by_label("Фамилия").fill("Смирнова")
    form.get_by_label("Причина").fill("Сверено со свидетельством о рождении")
    form.get_by_role("button", name="Сохранить и проверить").click()

    expect(page.locator(".flash")).to_have_text("Исправлено: повторная проверка в ЕСИА прошла без замечаний.")
    expect(page.locator("#case-status")).to_have_text("Исправлен")
    expect(page.locator("#person-name")).to_have_text("Смирнова Алёна Игоревна")
    expect(page.locator("#case-audit")).to_contain_text("Фамилия: Сминова → Смирнова")
    expect(page.locator("#case-audit")).to_contain_text("Иванова М. П.")  # the account's name, not clerk:ivanova
    expect(page.locator("#case-events")).to_contain_text("Сверено со свидетельством о рождении")
    screenshot(page, "case-closed.png")

    with pages.db.session() as session:
        case = session.get(IdentityCaseRow, case_id)
        audit = session.scalars(select(AuditRow).where(AuditRow.actor == "clerk:ivanova")).one()
    assert case is not None
    assert case.status == "closed"
    assert audit.changes == {"last_name": ["Сминова", "Смирнова"]}

    page.get_by_role("link", name="← к списку").click()
    expect(page.locator("#total")).to_have_text("3")


def test_a_viewer_cannot_change_a_case(page: Page, pages: Pages) -> None:
    case_id = pages.case_id("typo", CaseType.NAME_DIFFERS)
    sign_in(page, pages.base_url, "petrov")
    page.goto(f"{pages.base_url}/cases/{case_id}")

    expect(page.get_by_text("только для просмотра")).to_be_visible()
    expect(page.locator("#form-person")).to_have_count(0)
    expect(page.get_by_role("button", name="Показать СНИЛС")).to_have_count(0)

    # Even a request made by hand, with the session's own CSRF token, is refused.
    token = page.locator('input[name="csrf_token"]').first.input_value()
    answer = page.request.post(
        f"{pages.base_url}/cases/{case_id}/dismiss", form={"csrf_token": token, "reason": "просто так"}
    )
    assert answer.status == 403
    with pages.db.session() as session:
        case = session.get(IdentityCaseRow, case_id)
    assert case is not None
    assert case.status == "open"


def test_a_wrong_password_is_refused(page: Page, pages: Pages) -> None:
    sign_in(page, pages.base_url, "ivanova", "не-тот-пароль")

    expect(page.get_by_role("alert")).to_have_text("Неверное имя пользователя или пароль.")
    expect(page).to_have_url(f"{pages.base_url}/login")
    page.goto(f"{pages.base_url}/cases")
    expect(page).to_have_url(re.compile(r"/login\?next=/cases$"))


def test_the_snils_is_judged_as_it_is_typed(page: Page, pages: Pages) -> None:
    case_id = pages.case_id("checksum", CaseType.INVALID_SNILS)
    sign_in(page, pages.base_url, "ivanova")
    page.goto(f"{pages.base_url}/cases/{case_id}")
    snils = page.get_by_label("СНИЛС", exact=True)
    verdict = page.locator("#snils-verdict")

    snils.press_sequentially("334-455-667")
    expect(verdict).to_have_text("в СНИЛС должно быть 11 цифр, введено 9")
    snils.press_sequentially(" 00")
    expect(verdict).to_contain_text("не сходится контрольное число")

    # The browser will not send a number the page knows is wrong; the server would refuse it anyway.
    form = page.locator("#form-snils")
    form.get_by_label("Причина").fill("по карточке СНИЛС")
    form.get_by_role("button", name="Сохранить СНИЛС и проверить").click()
    expect(page).to_have_url(f"{pages.base_url}/cases/{case_id}")
    expect(page.locator("#case-status")).to_have_text("Открыт")


def test_the_pages_fit_a_phone(phone: Page, pages: Pages) -> None:
    case_id = pages.case_id("checksum", CaseType.INVALID_SNILS)
    sign_in(phone, pages.base_url, "ivanova")
    expect(phone.locator("#total")).to_have_text("4")
    _fits(phone)
    screenshot(phone, "queue-phone.png")

    phone.goto(f"{pages.base_url}/cases/{case_id}")
    _fits(phone)
    screenshot(phone, "case-phone.png")

    # The forms work with a thumb: every field and button is on screen width and big enough to hit.
    form = phone.locator("#form-assign")
    for control in (form.get_by_label("Исполнитель"), form.get_by_label("Причина"), form.get_by_role("button")):
        box = control.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 375
        assert box["height"] >= 32
    form.get_by_label("Исполнитель").select_option("ivanova")
    form.get_by_label("Причина").fill("мой класс")
    form.get_by_role("button", name="Передать").tap()
    expect(phone.locator(".flash")).to_have_text("Назначено: ivanova.")
    _fits(phone)


def _fits(page: Page) -> None:
    """No horizontal scrolling: nothing on the page is wider than the screen."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide on a {widths[1]} px screen"
