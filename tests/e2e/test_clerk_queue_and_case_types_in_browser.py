"""Issue 17, the clerk's pages in Chromium at 1366 px and 375 px: the queue's search, filters, bulk action and
export; each case type's page with only the actions that can fix it; nothing clipped (long patronymics,
platform ids, ГИС ЕЦП values); the sysadmin's run journal. Screenshots go to tests/e2e/artifacts/."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from e2e_pages import Pages, screenshot, sign_in
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from edugateway.identity.case_types import CASE_TITLES, CaseType
from edugateway.store.tables import IdentityCaseRow, SchoolRow, SyncRunRow
from support.clerk_school import LONG_ECP_ID, PARENT, add_case_of_each_type

SCREENS = {"1366": {"width": 1366, "height": 768}, "375": {"width": 375, "height": 740}}
VERIFIED = {  # the cases the real verification opens for support.clerk_school.PERSONS
    CaseType.NAME_DIFFERS: "typo",
    CaseType.BIRTH_DATE_DIFFERS: "swapped",
    CaseType.INVALID_SNILS: "checksum",
    CaseType.MISSING_SNILS: "missing",
}
FORMS = {  # what each case type offers, as a clerk would expect it (see test_case_page_words.OFFERED)
    CaseType.INVALID_SNILS: {"snils"},
    CaseType.MISSING_SNILS: {"snils", "dismiss"},
    CaseType.ESIA_UNKNOWN: {"snils", "dismiss"},
    CaseType.NAME_DIFFERS: {"snils", "person", "dismiss"},
    CaseType.BIRTH_DATE_DIFFERS: {"snils", "person", "dismiss"},
    CaseType.DUPLICATE_SNILS: {"snils"},
    CaseType.ACCOUNT_UNTRUSTED: {"dismiss"},
    CaseType.ACCOUNT_DELETED: {"snils", "dismiss"},
    CaseType.NO_CHILD_ACCOUNT: {"dismiss"},
    CaseType.LINK_CANDIDATE: {"dismiss"},
}
# Elements whose text must wrap inside them: one wider than its box is clipped or spills over its neighbour.
CLIPPED = """() => {
  const boxes = 'main dd, main td > div, main th, main h1, main h3, main li, main p, main section, main .record div';
  const found = [];
  for (const e of document.querySelectorAll(boxes)) {
    if (e.scrollWidth > e.clientWidth + 1) {
      found.push(`${e.tagName} ${e.scrollWidth}>${e.clientWidth}: ${e.textContent.trim().slice(0, 50)}`);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) found.push('the page scrolls sideways');
  return found;
}"""

# Words a table cell broke in two («Дневник.р|у»): each word is measured in a span of its own.
WORDS_BROKEN = """(selector) => {
  const broken = [];
  for (const cell of document.querySelectorAll(selector)) {
    const text = cell.textContent;
    cell.replaceChildren(...text.split(/(\\s+)/).map((w) => {
      const span = document.createElement('span');
      span.textContent = w;
      return span;
    }));
    for (const span of cell.querySelectorAll('span')) {
      if (span.textContent.trim() && span.getClientRects().length > 1) broken.push(span.textContent);
    }
    cell.textContent = text;
  }
  return broken;
}"""


@pytest.fixture(params=list(SCREENS))
def screen(browser: Browser, request: pytest.FixtureRequest) -> Iterator[tuple[Page, str]]:
    width: str = request.param
    phone = width == "375"
    context = browser.new_context(
        locale="ru-RU",
        viewport=SCREENS[width],
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
        accept_downloads=True,
    )
    yield context.new_page(), width
    context.close()


@pytest.fixture
def cases(pages: Pages) -> dict[str, int]:
    """Every case type's case id: the verified ones and one row per other type."""
    found = {str(t): pages.case_id(key, t) for t, key in VERIFIED.items()}
    return found | add_case_of_each_type(pages.db, pages.school)


def test_the_queue_search_filters_bulk_assign_and_export(
    screen: tuple[Page, str], pages: Pages, cases: dict[str, int]
) -> None:
    page, width = screen
    sign_in(page, pages.base_url, "ivanova")
    expect(page.locator("#total")).to_have_text(str(len(cases)))
    assert page.evaluate(CLIPPED) == []
    screenshot(page, f"queue-{width}.png")

    page.get_by_label("Поиск по ФИО").fill("сминова")
    page.get_by_role("button", name="Показать").click()
    expect(page.locator("#total")).to_have_text("1")
    expect(page.get_by_role("link", name="Сминова Алёна Игоревна")).to_be_visible()

    page.get_by_label("Поиск по ФИО").fill("")
    page.locator('form.filters select[name="role"]').select_option("teacher")
    page.get_by_role("button", name="Показать").click()
    expect(page.locator("#total")).to_have_text("1")
    expect(page.locator('td[data-label="Роль"]')).to_have_text(["Учитель"])
    screenshot(page, f"queue-teachers-{width}.png")

    page.locator('form.filters select[name="role"]').select_option("")
    page.locator('form.filters select[name="class"]').select_option("5А")
    page.get_by_role("button", name="Показать").click()
    expect(page.locator("#total")).to_have_text("2")
    for case_id in (cases[CaseType.NAME_DIFFERS], cases[CaseType.BIRTH_DATE_DIFFERS]):
        page.get_by_label(f"Отметить случай № {case_id}").check()
    page.locator("#bulk-action").select_option("assign")
    page.locator("#bulk-assignee").select_option("ivanova")
    page.locator("#bulk-reason").fill("распределение на неделю")
    screenshot(page, f"queue-bulk-{width}.png")
    page.get_by_role("button", name="Выполнить").click()
    expect(page.locator(".flash")).to_have_text("Передано: 2 из 2.")
    expect(page.locator("#total")).to_have_text("2")  # back to the same filtered queue
    expect(page.locator('td[data-label="Исполнитель"]')).to_have_text(["Иванова М. П.", "Иванова М. П."])

    page.get_by_role("link", name="Мои случаи").click()
    page.locator('form.filters select[name="class"]').select_option("")
    page.get_by_role("button", name="Показать").click()
    expect(page.locator("#total")).to_have_text("2")
    with page.expect_download() as download:
        page.get_by_role("link", name="Выгрузить в Excel (все 2)").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))  # the saved file has no .xlsx name
    rows = list(book.active.iter_rows(values_only=True)) if book.active else []
    assert [r[1] for r in rows[1:]] == ["Сминова Алёна Игоревна", "Петров Иван Сергеевич"]
    assert {r[9] for r in rows[1:]} == {"Иванова М. П."}
    assert download.value.suggested_filename.startswith("cases-")


@pytest.mark.parametrize("case_type", list(CaseType))
def test_each_case_type_page_says_what_to_do_and_offers_only_its_actions(
    screen: tuple[Page, str], pages: Pages, cases: dict[str, int], case_type: CaseType
) -> None:
    page, width = screen
    sign_in(page, pages.base_url, "ivanova")
    page.goto(f"{pages.base_url}/cases/{cases[case_type]}")

    expect(page.get_by_role("heading", name=f"Случай № {cases[case_type]}: {CASE_TITLES[case_type]}")).to_be_visible()
    expect(page.locator("#next-step")).to_be_visible()
    for form in ("snils", "person", "dismiss"):
        expect(page.locator(f"#form-{form}")).to_have_count(1 if form in FORMS[case_type] else 0)
    expect(page.locator("#form-assign")).to_be_visible()
    expect(page.get_by_text("Исправить СНИЛС")).to_have_count(1 if "snils" in FORMS[case_type] else 0)
    if case_type is CaseType.NO_CHILD_ACCOUNT:
        expect(page.locator("#parents")).to_contain_text("Смирнова Ольга Викторовна (мать)")
        expect(page.get_by_role("link", name=PARENT[3])).to_have_attribute("href", f"tel:{PARENT[3]}")
        expect(page.get_by_role("link", name=PARENT[4])).to_be_visible()
    if case_type is CaseType.ACCOUNT_UNTRUSTED:
        expect(page.locator("dl.facts")).to_contain_text("Учитель")
        expect(page.locator("section.column", has_text="ГИС ЕЦП")).to_contain_text(LONG_ECP_ID)
    assert page.evaluate(CLIPPED) == []
    screenshot(page, f"case-{case_type}-{width}.png")


def test_the_case_actions_of_three_types_in_the_browser(
    screen: tuple[Page, str], pages: Pages, cases: dict[str, int]
) -> None:
    page, width = screen
    sign_in(page, pages.base_url, "ivanova")

    page.goto(f"{pages.base_url}/cases/{cases[CaseType.ACCOUNT_UNTRUSTED]}")
    form = page.locator("#form-dismiss")
    form.get_by_label("Причина").fill("Сообщили учителю: подтвердит в МФЦ")
    form.get_by_role("button", name="Отметить: не ошибка").click()
    expect(page.locator("#case-status")).to_have_text("Проверен — не ошибка")
    expect(page.locator("#closed-note")).to_contain_text("проверено, не ошибка")
    expect(page.locator("#case-events")).to_contain_text("Иванова М. П.")
    expect(page.locator("#case-events")).not_to_contain_text("clerk:")

    page.goto(f"{pages.base_url}/cases/{cases[CaseType.LINK_CANDIDATE]}")
    page.get_by_label("Выбрать кандидата 1").check()
    page.locator("form.candidates").get_by_label("Причина").fill("Тот же ученик, сверено с классом")
    page.get_by_role("button", name="Это он: связать с выбранным").click()
    expect(page.locator(".flash")).to_contain_text("Связано")
    expect(page.locator("#case-events")).to_contain_text("Кандидат: Дневник.ру 1000000000000123456789")
    assert page.evaluate(CLIPPED) == []
    screenshot(page, f"case-linked-{width}.png")

    page.goto(f"{pages.base_url}/cases/{cases[CaseType.NO_CHILD_ACCOUNT]}")
    form = page.locator("#form-assign")
    form.get_by_label("Исполнитель").select_option("ivanova")
    form.get_by_label("Причина").fill("Позвоню маме")
    form.get_by_role("button", name="Передать").click()
    expect(page.locator("#case-assignee")).to_have_text("Иванова М. П.")
    with pages.db.session() as session:
        case = session.get(IdentityCaseRow, cases[CaseType.NO_CHILD_ACCOUNT])
    assert case is not None
    assert case.assignee == "ivanova"  # stored as the login: only the page shows the name


def test_the_sysadmin_reads_the_run_journal(screen: tuple[Page, str], pages: Pages) -> None:
    page, width = screen
    start = dt.datetime(2026, 11, 20, 21, 5, tzinfo=dt.UTC)
    with pages.db.session() as session:
        school = session.get(SchoolRow, pages.school.school_id)
        assert school is not None
        school.name = "МАОУ «Средняя общеобразовательная школа № 125»"  # a school's official name is long
        session.add(
            SyncRunRow(
                school_id=pages.school.school_id,
                platform="ecp",
                entities=["persons"],
                directions={"persons": "push"},
                dry_run=True,
                status="done",
                started_at=start,
                finished_at=start + dt.timedelta(minutes=6, seconds=34),
                counts={  # a night's whole journal, as long as a real one reads
                    "persons": {"read": 1000, "created": 3},
                    **{
                        entity: {"read": 128754, "created": 16605, "unchanged": 23643}
                        for entity in ("classes", "subjects", "periods", "lessons", "marks", "attendance")
                    },
                },
            )
        )
    sign_in(page, pages.base_url, "admin")
    page.get_by_role("link", name="Запуски").click()

    expect(page.get_by_role("heading", name="Журнал запусков")).to_be_visible()
    expect(page.locator("#sync-runs")).to_contain_text("ГИС ЕЦП (пробный прогон)")
    expect(page.locator("#sync-runs")).to_contain_text("6 мин 34 с")
    expect(page.locator("#sync-runs")).to_contain_text("люди: прочитано 1000, создано 3")
    assert page.evaluate(CLIPPED) == []
    screenshot(page, f"runs-{width}.png")
    # names and times break between words only (this check rewrites the cells, so it comes after the screenshot)
    assert page.evaluate(WORDS_BROKEN, "#sync-runs td > div") == []
