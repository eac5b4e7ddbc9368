"""Issue 17, the clerk's pages: what a case page says. Everything a clerk reads is Russian and names people
(findings 1–2); each case type offers only the forms that can fix it and says what to do next, with the
parents' contacts where the fix is a parent's (finding 3); a fixed case no longer shows stale highlights and
links the case its fix opened (finding 4)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from web_client import Site

from edugateway.identity.case_types import CaseType
from edugateway.store.tables import AuditRow, IdentityCaseEventRow, IdentityCaseRow, ParentLinkRow, PersonRow

AT = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)


def _column(text: str, title: str) -> str:
    """The HTML of one comparison column, by its heading."""
    for part in text.split('<section class="card column">')[1:]:
        if f"<h3>{title}</h3>" in part:
            return part.split("</section>", 1)[0]
    raise AssertionError(f"no column {title}")


def test_the_history_journal_and_closing_read_in_russian_with_peoples_names(site: Site) -> None:
    """Finding 1: «Закрыт: clerk:clerk: the next verification no longer found the problem», «import:oneroster;
    roles: — → teacher; active: — → True», «sync:dnevnik; Платформа: dnevnik», the assignee as a login."""
    case_id = site.school.cases["typo"]
    with site.db.session() as session:
        case = session.get(IdentityCaseRow, case_id)
        assert case is not None
        case.status, case.closed_at, case.assignee = "closed", AT, "ivanova"
        case.closed_by, case.close_reason = "clerk:ivanova", "the next verification no longer found the problem"
        session.add(
            IdentityCaseEventRow(case_id=case_id, at=AT, actor="clerk:ivanova", action="closed_by_verification")
        )
        session.add(
            IdentityCaseEventRow(
                case_id=case_id, at=AT, actor="sync:dnevnik", action="opened_by_sync", detail={"platform": "dnevnik"}
            )
        )
        session.add(
            AuditRow(
                at=AT,
                actor="import:oneroster",
                action="update",
                school_id=site.school.school_id,
                entity="person",
                entity_id="p-typo",
                changes={"roles": [None, "teacher"], "active": [None, True]},
            )
        )
    site.sign_in("petrov")

    text = site.client.get(f"/cases/{case_id}").text

    closed = re.search(r'<dd id="case-closed">(.*?)</dd>', text, re.S)
    assert closed is not None
    assert "Иванова М. П.: повторная проверка в ЕСИА больше не находит это замечание" in closed.group(1)
    assert '<dd id="case-assignee">Иванова М. П.</dd>' in text
    assert "импорт (OneRoster); Роли: — → учитель; Действует: — → да" in text
    assert "синхронизация с Дневник.ру; Платформа: Дневник.ру" in text
    for internal in ("clerk:", "the next verification", "import:oneroster", "sync:dnevnik", "True", ">ivanova<"):
        assert internal not in text, internal


def test_a_teacher_is_called_a_teacher_and_the_queue_filters_by_role(site: Site) -> None:
    """Finding 2: teachers were labelled «Ученик» in the queue and on case pages; no role column or filter."""
    with site.db.session() as session:
        person = session.get(PersonRow, site.school.persons["missing"])
        assert person is not None
        person.roles = "teacher"
    site.sign_in("ivanova")
    missing, typo = site.school.cases["missing"], site.school.cases["typo"]

    queue = site.client.get("/cases").text
    row = queue.split(f'<a href="/cases/{missing}">{missing}</a>', 1)[1].split("</tr>", 1)[0]
    assert '<td data-label="Роль"><div>Учитель</div></td>' in row
    teachers = site.client.get("/cases?role=teacher").text
    assert f'href="/cases/{missing}"' in teachers
    assert f'href="/cases/{typo}"' not in teachers
    pupils = site.client.get("/cases?role=student").text
    assert f'href="/cases/{missing}"' not in pupils
    assert f'href="/cases/{typo}"' in pupils

    page = site.client.get(f"/cases/{missing}").text
    assert '<dt>Учитель</dt><dd id="person-name">Волкова Мария Дмитриевна</dd>' in page
    assert "<dt>Ученик</dt>" not in page


# What each case type may offer, written out here rather than read from case_remedies (the test would then
# only restate the code): snils, person, dismiss are the correction forms; assign is always there.
OFFERED = {
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
PARENTS_FIX = {CaseType.ACCOUNT_UNTRUSTED, CaseType.ACCOUNT_DELETED, CaseType.NO_CHILD_ACCOUNT}


def _as_type(site: Site, case_type: str) -> int:
    """The "missing SNILS" case turned into one of `case_type`, with a mother who has a phone and an e-mail."""
    case_id = site.school.cases["missing"]
    with site.db.session() as session:
        case = session.get(IdentityCaseRow, case_id)
        assert case is not None
        case.case_type = case_type
        mother = PersonRow(
            school_id=site.school.school_id,
            source_id="p-mother",
            roles="parent",
            last_name="Волкова",
            first_name="Ольга",
            middle_name="Петровна",
            phone="+7 912 345-67-89",
            email="volkova.o@example.ru",
        )
        session.add(mother)
        session.flush()
        session.add(
            ParentLinkRow(
                school_id=site.school.school_id,
                parent_id=mother.id,
                child_id=site.school.persons["missing"],
                relation="mother",
            )
        )
    return case_id


@pytest.mark.parametrize("case_type", list(CaseType))
def test_each_case_type_offers_only_what_can_fix_it_and_says_what_to_do(site: Site, case_type: CaseType) -> None:
    """Finding 3: every case type got the same four forms ("Исправить СНИЛС" for an untrusted account)."""
    case_id = _as_type(site, case_type)
    site.sign_in("ivanova")

    text = site.client.get(f"/cases/{case_id}").text

    shown = {form for form in ("snils", "person", "dismiss") if f'id="form-{form}"' in text}
    assert shown == OFFERED[case_type]
    assert 'id="form-assign"' in text
    assert 'id="next-step"' in text
    parents = "<strong>Волкова Ольга Петровна</strong> (мать), тел." in text and "volkova.o@example.ru" in text
    assert parents == (case_type in PARENTS_FIX)


def test_a_form_the_case_type_does_not_offer_is_refused_and_changes_nothing(site: Site) -> None:
    case_id = _as_type(site, CaseType.ACCOUNT_UNTRUSTED)
    token = site.sign_in("ivanova")

    answer = site.client.post(
        f"/cases/{case_id}/snils", data={"csrf_token": token, "snils": "112-233-445 95", "reason": "по карточке"}
    )

    assert answer.status_code == 400
    assert "Этот случай так не исправить" in answer.text
    with site.db.session() as session:
        person = session.get(PersonRow, site.school.persons["missing"])
        assert person is not None
        assert person.snils is None


def test_a_fixed_case_marks_only_what_differs_today_and_links_the_case_the_fix_opened(site: Site) -> None:
    """Finding 4: after a fix the highlights still said «расходится», the banner contradicted the history, and a
    new case opened by the fix was not linked."""
    case_id = site.school.cases["typo"]
    with site.db.session() as session:
        person = session.get(PersonRow, site.school.persons["typo"])
        case = session.get(IdentityCaseRow, case_id)
        assert person is not None
        assert case is not None
        person.last_name = "Смирнова"  # as ЕСИА has it: the fix
        case.status, case.closed_at, case.closed_by = "closed", AT, "clerk:ivanova"
        case.close_reason = "the next verification no longer found the problem"
        opened = IdentityCaseRow(
            school_id=site.school.school_id,
            person_id=person.id,
            case_type=CaseType.ACCOUNT_UNTRUSTED,
            class_name="5А",
            status="open",
            opened_at=AT,
            updated_at=AT,
        )
        session.add(opened)
        session.flush()
        new_case = opened.id
    site.sign_in("ivanova")

    text = site.client.get(f"/cases/{case_id}").text

    assert "расходится" not in _column(text, "Школа (локальная база)")
    assert "расходится" not in _column(text, "ЕСИА (Госуслуги)")
    assert 'class="differs" data-field="last_name"' in _column(text, "ГИС ЕЦП")  # ЕЦП still has «Сминова»
    assert "Случай исправлен." in text
    assert "не ошибка" not in text.split('id="closed-note"', 1)[1].split("</p>", 1)[0]
    assert f'<a href="/cases/{new_case}">Случай № {new_case}: Учётная запись ЕСИА не подтверждена</a>' in text
