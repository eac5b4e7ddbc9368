"""Issue 17, finding 6: the queue's search by name, "мои" and assignee filter, sorting, bulk assign/dismiss with
one reason (CSRF-checked, journaled per case, within the account's schools) and the export to Excel."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select
from web_client import Site

from edugateway.domain.snils import format_snils
from edugateway.store.tables import AuditRow, IdentityCaseEventRow, IdentityCaseRow, PersonRow
from support.clerk_school import PERSONS, add_other_school, cheap_passwords

ROW = re.compile(r'<td data-label="№"><div><a href="/cases/(\d+)">')


def _shown(site: Site, query: str) -> list[int]:
    page = site.client.get(f"/cases{query}")
    assert page.status_code == 200, page.text
    return [int(n) for n in ROW.findall(page.text)]


def _assign(site: Site, key: str, login: str | None) -> None:
    with site.db.session() as session:
        case = session.get(IdentityCaseRow, site.school.cases[key])
        assert case is not None
        case.assignee = login


def test_search_by_name_in_any_case_and_with_e_for_yo(site: Site) -> None:
    site.sign_in("ivanova")
    cases = site.school.cases

    assert _shown(site, "?q=сминова") == [cases["typo"]]
    assert _shown(site, "?q=АЛЕНА") == [cases["typo"]]  # «Алёна» typed without ё, in capitals
    assert _shown(site, "?q=Кузнецов+Пётр") == [cases["checksum"]]
    assert _shown(site, "?q=Кузнецов+Мария") == []
    assert _shown(site, "?q=%25") == []  # a LIKE wildcard is a character, not "anything"


def test_mine_the_assignee_filter_and_sorting(site: Site) -> None:
    cases = site.school.cases
    _assign(site, "checksum", "ivanova")
    _assign(site, "typo", "admin")
    site.sign_in("ivanova")

    assert _shown(site, "?assignee=me") == [cases["checksum"]]
    assert _shown(site, "?assignee=admin") == [cases["typo"]]
    assert _shown(site, "?assignee=none") == [cases["swapped"], cases["missing"]]
    by_name = _shown(site, "?sort=name")
    assert by_name == [cases["missing"], cases["checksum"], cases["swapped"], cases["typo"]]  # В, К, П, С
    assert _shown(site, "?sort=-opened") == [cases["missing"], cases["checksum"], cases["swapped"], cases["typo"]]
    page = site.client.get("/cases").text
    assert '<option value="admin" >Администратор</option>' in page  # the assignee filter names people


def test_bulk_assign_with_one_reason_journals_each_case_and_skips_another_schools(site: Site) -> None:
    other = add_other_school(site.db, cheap_passwords())
    token = site.sign_in("ivanova")
    cases = site.school.cases
    chosen = [cases["typo"], cases["missing"], other.case_id]

    answer = site.client.post(
        "/cases/bulk",
        data={
            "csrf_token": token,
            "action": "assign",
            "case": [str(n) for n in chosen],
            "assignee": "ivanova",
            "reason": "распределение на неделю",
            "back": "/cases?class=7%D0%91",
        },
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == "/cases?class=7%D0%91"  # back to the filtered queue
    flash = site.client.get("/cases").text
    assert "Передано: 2 из 3. Пропущено: не найдено — 1." in flash
    with site.db.session() as session:
        assignees = {c.id: c.assignee for c in session.scalars(select(IdentityCaseRow))}
        audit = session.scalars(select(AuditRow).where(AuditRow.action == "reassign")).all()
        events = session.scalars(select(IdentityCaseEventRow).where(IdentityCaseEventRow.action == "reassigned")).all()
    assert assignees[cases["typo"]] == assignees[cases["missing"]] == "ivanova"
    assert assignees[other.case_id] is None
    assert sorted(int(a.entity_id) for a in audit) == sorted([cases["typo"], cases["missing"]])
    assert {a.reason for a in audit} == {"распределение на неделю"}
    assert sorted(e.case_id for e in events) == sorted([cases["typo"], cases["missing"]])


def test_bulk_dismiss_skips_a_type_not_an_error_cannot_fix(site: Site) -> None:
    token = site.sign_in("ivanova")
    cases = site.school.cases

    site.client.post(
        "/cases/bulk",
        data={
            "csrf_token": token,
            "action": "dismiss",
            "case": [str(cases["missing"]), str(cases["checksum"])],
            "reason": "иностранный гражданин",
        },
    )

    assert "Отмечено «не ошибка»: 1 из 2. Пропущено: этим действием не исправить — 1." in site.client.get("/cases").text
    with site.db.session() as session:
        status = {c.id: c.status for c in session.scalars(select(IdentityCaseRow))}
    assert status[cases["missing"]] == "dismissed"
    assert status[cases["checksum"]] == "open"  # a SNILS whose check digits fail cannot be "not an error"


def test_bulk_actions_need_the_csrf_token_a_reason_and_a_clerk(site: Site) -> None:
    cases = site.school.cases
    data = {"action": "dismiss", "case": [str(cases["missing"])], "reason": "проверено"}
    token = site.sign_in("ivanova")

    assert site.client.post("/cases/bulk", data=data).status_code == 403
    site.client.post("/cases/bulk", data=data | {"csrf_token": token, "reason": " "})
    assert "укажите причину" in site.client.get("/cases").text
    site.client.post("/logout", data={"csrf_token": token})
    viewer = site.sign_in("petrov")
    assert site.client.post("/cases/bulk", data=data | {"csrf_token": viewer}).status_code == 403
    assert 'action="/cases/bulk"' not in site.client.get("/cases").text
    with site.db.session() as session:
        case = session.get(IdentityCaseRow, cases["missing"])
    assert case is not None
    assert case.status == "open"


def test_the_export_is_an_xlsx_of_every_filtered_case_as_text_without_snils(site: Site) -> None:
    other = add_other_school(site.db, cheap_passwords())
    with site.db.session() as session:
        person = session.get(PersonRow, site.school.persons["missing"])
        assert person is not None
        person.last_name = "=HYPERLINK(1)"  # a name a spreadsheet would run
    _assign(site, "checksum", "ivanova")
    site.sign_in("ivanova")

    answer = site.client.get("/cases/export.xlsx?class=7Б&sort=name")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert answer.headers["cache-control"] == "no-store"
    assert re.match(r'attachment; filename="cases-\d{4}-\d{2}-\d{2}\.xlsx"', answer.headers["content-disposition"])
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "№",
        "ФИО",
        "Роль",
        "Класс",
        "Школа",
        "Замечание",
        "Уточнение",
        "Статус",
        "Открыт",
        "Исполнитель",
    ]
    assert [r[0] for r in rows[1:]] == [site.school.cases["missing"], site.school.cases["checksum"]]
    assert rows[1][1] == "=HYPERLINK(1) Мария Дмитриевна"
    assert sheet.cell(row=2, column=2).data_type == "s"  # text, not a formula
    assert rows[2][1:4] == ["Кузнецов Пётр Андреевич", "Ученик", "7Б"]
    assert rows[2][5:8] == ["Неверный СНИЛС", "не сходится контрольное число", "Открыт"]
    assert rows[2][9] == "Иванова М. П."
    assert sheet.cell(row=3, column=9).is_date
    assert other.case_id not in [r[0] for r in rows]
    flat = str(rows)
    for _key, (*_, number, rejected) in PERSONS.items():
        for value in (number, rejected):
            if value:
                assert value not in flat
                assert format_snils(value) not in flat
