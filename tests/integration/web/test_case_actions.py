"""The clerk's actions through the pages, with the real verifier asking the СМЭВ/ЕСИА emulator on loopback:
each needs a reason, writes the audit table and the case history, and re-verifies the person at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from web_client import Site, serve

from edugateway.domain.snils import control_number
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.smev import ENDPOINT, create_app
from edugateway.identity.case_types import CaseType
from edugateway.store.db import Database
from edugateway.store.tables import AuditRow, IdentityCaseEventRow, IdentityCaseRow, PersonRow
from support.clerk_school import CODE, add_accounts, add_school, cheap_passwords, esia_world, snils, verifier_for


@pytest.fixture(scope="module")
def smev_url() -> Iterator[str]:
    with BackgroundServer(create_app(esia_world(), response_delay_s=0.05).app) as server:
        yield server.base_url + ENDPOINT


@pytest.fixture
def verified(database: Database, smev_url: str) -> Iterator[Site]:
    """The school verified for real: its cases are the ones ЕСИА's answers open."""
    school = add_school(database)
    verifier = verifier_for(smev_url)
    verifier.verify_school(database, CODE, actor="test")
    add_accounts(database, cheap_passwords())
    with database.session() as session:
        for case in session.scalars(select(IdentityCaseRow)):
            key = next(k for k, pid in school.persons.items() if pid == case.person_id)
            school.cases[f"{key}:{case.case_type}"] = case.id
    with serve(database, verifier=verifier) as client:
        yield Site(database, school, client)


def _case(db: Database, case_id: int) -> IdentityCaseRow:
    with db.session() as session:
        case = session.get(IdentityCaseRow, case_id)
        assert case is not None
        session.expunge(case)
        return case


def test_the_verification_opened_the_expected_cases(verified: Site) -> None:
    assert set(verified.school.cases) == {
        f"typo:{CaseType.NAME_DIFFERS}",
        f"swapped:{CaseType.BIRTH_DATE_DIFFERS}",
        f"checksum:{CaseType.INVALID_SNILS}",
        f"missing:{CaseType.MISSING_SNILS}",
    }


def test_correcting_the_name_closes_the_case_audits_it_and_says_so(verified: Site) -> None:
    token = verified.sign_in("ivanova")
    case_id = verified.school.cases[f"typo:{CaseType.NAME_DIFFERS}"]

    answer = verified.client.post(
        f"/cases/{case_id}/person",
        data={
            "csrf_token": token,
            "last_name": "Смирнова",
            "first_name": "Алёна",
            "middle_name": "Игоревна",
            "birth_date": "2014-03-02",
            "reason": "сверено со свидетельством о рождении",
        },
    )

    assert (answer.status_code, answer.headers["location"]) == (303, f"/cases/{case_id}")
    assert _case(verified.db, case_id).status == "closed"
    page = verified.client.get(f"/cases/{case_id}").text
    assert "Исправлено: повторная проверка в ЕСИА прошла без замечаний." in page  # the flash, once
    assert "Исправлено: повторная" not in verified.client.get(f"/cases/{case_id}").text
    assert "Исправлен</span>" in page
    with verified.db.session() as session:
        audit = session.scalars(select(AuditRow).where(AuditRow.actor == "clerk:ivanova")).one()
        events = session.scalars(select(IdentityCaseEventRow.action).where(IdentityCaseEventRow.case_id == case_id))
        assert "person_corrected" in list(events)
    assert audit.changes == {"last_name": ["Сминова", "Смирнова"]}
    assert audit.reason == "сверено со свидетельством о рождении"
    assert "Сминова → Смирнова" in page


def test_a_snils_is_checked_as_typed_and_refused_in_russian(verified: Site) -> None:
    token = verified.sign_in("ivanova")
    case_id = verified.school.cases[f"checksum:{CaseType.INVALID_SNILS}"]
    wrong = "334-455-667 " + f"{(control_number('334455667') + 1) % 100:02d}"

    answer = verified.client.post(
        f"/cases/{case_id}/snils", data={"csrf_token": token, "snils": wrong, "reason": "по карточке"}
    )

    assert answer.status_code == 400
    assert "не сходится контрольное число" in answer.text
    assert wrong in answer.text  # what the clerk typed stays in the form
    assert _case(verified.db, case_id).status == "open"


def test_correcting_the_snils_closes_the_case(verified: Site) -> None:
    token = verified.sign_in("ivanova")
    case_id = verified.school.cases[f"checksum:{CaseType.INVALID_SNILS}"]

    answer = verified.client.post(
        f"/cases/{case_id}/snils",
        data={"csrf_token": token, "snils": "334-455-667 " + snils("334455667")[-2:], "reason": "по карточке"},
    )

    assert answer.status_code == 303
    assert _case(verified.db, case_id).status == "closed"
    with verified.db.session() as session:
        person = session.get(PersonRow, verified.school.persons["checksum"])
        assert person is not None
        assert person.snils == snils("334455667")


def test_linking_the_ranked_candidate_takes_its_snils(verified: Site) -> None:
    token = verified.sign_in("ivanova")
    case_id = verified.school.cases[f"checksum:{CaseType.INVALID_SNILS}"]
    page = verified.client.get(f"/cases/{case_id}").text
    assert 'name="candidate" value="0"' in page

    answer = verified.client.post(
        f"/cases/{case_id}/link", data={"csrf_token": token, "candidate": "0", "reason": "ФИО и дата совпадают"}
    )

    assert answer.status_code == 303
    assert _case(verified.db, case_id).status == "closed"


def test_rejecting_a_candidate_drops_it_from_the_case(verified: Site) -> None:
    token = verified.sign_in("ivanova")
    case_id = verified.school.cases[f"checksum:{CaseType.INVALID_SNILS}"]

    answer = verified.client.post(
        f"/cases/{case_id}/reject", data={"csrf_token": token, "candidate": "0", "reason": "другая дата рождения"}
    )

    assert answer.status_code == 303
    case = _case(verified.db, case_id)
    assert case.status == "open"
    assert not case.candidates
    page = verified.client.get(f"/cases/{case_id}").text
    assert "Кандидат отклонён и больше не будет предложен." in page
    assert 'name="candidate"' not in page
    assert "другая дата рождения" in page


def test_every_action_needs_a_reason(verified: Site) -> None:
    token = verified.sign_in("ivanova")
    case_id = verified.school.cases[f"missing:{CaseType.MISSING_SNILS}"]
    for action, data in (
        ("dismiss", {}),
        ("assign", {"assignee": "ivanova"}),
        ("snils", {"snils": "334-455-667 " + snils("334455667")[-2:]}),
        ("person", {"last_name": "Волкова", "first_name": "Мария"}),
    ):
        answer = verified.client.post(f"/cases/{case_id}/{action}", data=data | {"csrf_token": token, "reason": " "})
        assert answer.status_code == 400, action
        assert "Укажите причину" in answer.text
    assert _case(verified.db, case_id).status == "open"


def test_dismissing_and_reassigning(verified: Site) -> None:
    token = verified.sign_in("admin")
    swapped = verified.school.cases[f"swapped:{CaseType.BIRTH_DATE_DIFFERS}"]
    missing = verified.school.cases[f"missing:{CaseType.MISSING_SNILS}"]

    assigned = verified.client.post(
        f"/cases/{missing}/assign", data={"csrf_token": token, "assignee": "ivanova", "reason": "её класс"}
    )
    nobody = verified.client.post(
        f"/cases/{missing}/assign", data={"csrf_token": token, "assignee": "stranger", "reason": "её класс"}
    )
    dismissed = verified.client.post(
        f"/cases/{swapped}/dismiss",
        data={"csrf_token": token, "reason": "в ЕСИА ошибка, родители подали заявление"},
    )

    assert assigned.status_code == 303
    assert _case(verified.db, missing).assignee == "ivanova"
    assert nobody.status_code == 400
    assert "Такого исполнителя нет" in nobody.text
    assert dismissed.status_code == 303
    assert _case(verified.db, swapped).status == "dismissed"
    again = verified.client.post(f"/cases/{swapped}/dismiss", data={"csrf_token": token, "reason": "ещё раз"})
    assert again.status_code == 400
    assert "Случай уже закрыт" in again.text
    assert "Отмечено: проверено, не ошибка." in again.text
    with verified.db.session() as session:
        actions = set(session.scalars(select(AuditRow.action).where(AuditRow.actor == "clerk:admin")))
    assert actions == {"reassign", "dismiss"}


def test_a_person_form_with_a_bad_date_is_refused_before_anything_changes(verified: Site) -> None:
    token = verified.sign_in("ivanova")
    case_id = verified.school.cases[f"swapped:{CaseType.BIRTH_DATE_DIFFERS}"]
    answer = verified.client.post(
        f"/cases/{case_id}/person",
        data={"csrf_token": token, "last_name": "Петров", "first_name": "", "reason": "по паспорту"},
    )
    assert answer.status_code == 400
    assert "Фамилия и имя обязательны" in answer.text
    answer = verified.client.post(
        f"/cases/{case_id}/person",
        data={
            "csrf_token": token,
            "last_name": "Петров",
            "first_name": "Иван",
            "birth_date": "07.05.2014",
            "reason": "по паспорту",
        },
    )
    assert answer.status_code == 400
    assert "Дата рождения не распознана" in answer.text


def test_a_person_form_with_a_formula_looking_name_is_refused_before_anything_changes(verified: Site) -> None:
    """Issue 14: the clerk's form is an importer of names too; a name a spreadsheet would run is refused."""
    token = verified.sign_in("ivanova")
    case_id = verified.school.cases[f"typo:{CaseType.NAME_DIFFERS}"]
    with verified.db.session() as session:
        before = session.scalars(select(PersonRow.last_name).order_by(PersonRow.id)).all()
    for field, value in (("last_name", '=HYPERLINK("http://x","y")'), ("middle_name", "@SUM(1+1)")):
        data = {"csrf_token": token, "last_name": "Смирнова", "first_name": "Алёна", "reason": "по паспорту"}
        answer = verified.client.post(f"/cases/{case_id}/person", data={**data, field: value})
        assert answer.status_code == 400
        assert "ФИО не может начинаться со знака =, +, - или @" in answer.text
    with verified.db.session() as session:
        assert session.scalars(select(PersonRow.last_name).order_by(PersonRow.id)).all() == before
    assert _case(verified.db, case_id).status == "open"
