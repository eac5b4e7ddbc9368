"""Issue 14, finding 5: every page, download, action and count is limited to the account's schools. Two schools
on each backend; clerk ivanova and viewer petrov read only МАОУ СОШ № 7, sidorova only the gymnasium, admin all.
Another school's case or report is "not found" (404, not 403: the page must not confirm it exists) and a POST
to another school's case changes nothing, with the real verifier behind the actions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from structlog.testing import capture_logs
from web_client import Site, serve

from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.smev import ENDPOINT, create_app
from edugateway.store.db import Database
from edugateway.store.tables import AuditRow, IdentityCaseEventRow, IdentityCaseRow, PersonRow
from edugateway.web.accounts import change_schools
from support.clerk_school import (
    CODE,
    OTHER_PUPIL,
    OTHER_SCHOOL_NAME,
    OTHER_SNILS,
    SCHOOL_NAME,
    OtherSchool,
    add_accounts,
    add_other_school,
    add_school,
    cheap_passwords,
    esia_world,
    insert_cases,
    snils,
    verifier_for,
)
from support.report_factory import make_report, store_report

OTHER_NAME = " ".join(OTHER_PUPIL)
NOT_FOUND = "не найден"


@dataclass
class TwoSchools:
    site: Site
    other: OtherSchool
    report: int  # a report of ivanova's school
    other_report: int  # one of the gymnasium


@pytest.fixture(scope="module")
def smev_url() -> Iterator[str]:
    with BackgroundServer(create_app(esia_world(), response_delay_s=0.05).app) as server:
        yield server.base_url + ENDPOINT


@pytest.fixture
def two(database: Database, smev_url: str) -> Iterator[TwoSchools]:
    school = add_school(database)
    insert_cases(database, school)
    add_accounts(database, cheap_passwords())
    other = add_other_school(database, cheap_passwords())
    ours = store_report(database, school.school_id, make_report())
    theirs = store_report(database, other.school_id, make_report(school="gym2", school_name=OTHER_SCHOOL_NAME))
    with serve(database, verifier=verifier_for(smev_url)) as client:
        yield TwoSchools(Site(database, school, client), other, ours, theirs)


def total(page: str) -> int:
    found = re.search(r'<strong id="total">(\d+)</strong>', page)
    assert found, page
    return int(found.group(1))


def counts(page: str, facet: str) -> dict[str, int]:
    block = re.search(rf'data-facet="{facet}">(.*?)</ul>', page, re.S)
    assert block, page
    found = re.findall(r'status=([a-z_]+)[^"]*">[^<]*</a>\s*<span class="count">(\d+)</span>', block.group(1))
    return {key: int(n) for key, n in found}


def test_the_queue_its_counts_and_school_choices_hold_only_the_clerks_school(two: TwoSchools) -> None:
    site = two.site
    site.sign_in("ivanova")

    page = site.client.get("/cases", params={"status": "all"})
    chosen_other = site.client.get("/cases", params={"status": "all", "school": str(two.other.school_id)})

    assert page.status_code == 200
    assert total(page.text) == 5  # the five cases of МАОУ СОШ № 7, not the gymnasium's
    assert counts(page.text, "status") == {"open": 4, "closed": 1, "dismissed": 0}
    assert OTHER_NAME not in page.text
    assert OTHER_SCHOOL_NAME not in page.text  # not even as a choice of the school filter
    assert "6В" not in page.text  # nor its classes
    assert total(chosen_other.text) == 0
    assert OTHER_NAME not in chosen_other.text
    assert counts(chosen_other.text, "status") == {"open": 0, "closed": 0, "dismissed": 0}


def test_an_admin_of_every_school_sees_both(two: TwoSchools) -> None:
    two.site.sign_in("admin")

    page = two.site.client.get("/cases", params={"status": "all"})

    assert total(page.text) == 6
    assert OTHER_NAME in page.text
    assert SCHOOL_NAME in page.text
    assert OTHER_SCHOOL_NAME in page.text


def test_another_schools_case_is_not_found(two: TwoSchools) -> None:
    two.site.sign_in("ivanova")

    page = two.site.client.get(f"/cases/{two.other.case_id}")

    assert page.status_code == 404
    assert NOT_FOUND in page.text
    assert OTHER_NAME not in page.text
    assert OTHER_SNILS[-2:] + " " not in page.text


def _case_state(db: Database, case_id: int, person_id: int) -> tuple[Any, ...]:
    with db.session() as session:
        case = session.get(IdentityCaseRow, case_id)
        person = session.get(PersonRow, person_id)
        assert case is not None
        assert person is not None
        audit = session.scalar(select(func.count()).select_from(AuditRow))
        events = session.scalar(select(func.count()).select_from(IdentityCaseEventRow))
        return (
            case.status,
            case.assignee,
            case.candidates,
            person.last_name,
            person.snils,
            person.birth_date,
            audit,
            events,
        )


ACTIONS = [
    ("reveal-snils", {}),
    ("snils", {"snils": snils("556677898"), "reason": "опечатка"}),  # a valid number: only the school stops it
    ("person", {"last_name": "Заицева", "first_name": "Ксения", "birth_date": "2013-02-17", "reason": "по паспорту"}),
    ("link", {"candidate": "0", "reason": "совпал с ЕСИА"}),
    ("reject", {"candidate": "0", "reason": "другой человек"}),
    ("dismiss", {"reason": "проверено"}),
    ("assign", {"assignee": "ivanova", "reason": "беру себе"}),
]


@pytest.mark.parametrize(("action", "data"), ACTIONS, ids=[a for a, _ in ACTIONS])
def test_every_action_on_another_schools_case_is_not_found_and_changes_nothing(
    two: TwoSchools, action: str, data: dict[str, str]
) -> None:
    site, other = two.site, two.other
    token = site.sign_in("ivanova")
    before = _case_state(site.db, other.case_id, other.person_id)

    answer = site.client.post(f"/cases/{other.case_id}/{action}", data=data | {"csrf_token": token})

    assert answer.status_code == 404, answer.text
    assert NOT_FOUND in answer.text
    assert OTHER_NAME not in answer.text
    assert OTHER_SNILS[:3] not in answer.text
    assert _case_state(site.db, other.case_id, other.person_id) == before


def test_the_same_action_on_the_clerks_own_school_works_and_logs_the_clerk(two: TwoSchools) -> None:
    """The control for the test above: the school, not the form, is what stops it; the log names the clerk."""
    site = two.site
    token = site.sign_in("ivanova")
    case_id = site.school.cases["missing"]

    with capture_logs() as logs:
        answer = site.client.post(f"/cases/{case_id}/dismiss", data={"reason": "проверено", "csrf_token": token})

    assert answer.status_code == 303
    done = [e for e in logs if e.get("event") == "web.case_action"]
    assert [(e["case_id"], e["user"], e["action"]) for e in done] == [(case_id, "ivanova", "dismiss")]
    assert not any(OTHER_SNILS in str(e) for e in logs)


def test_a_case_of_ours_shows_no_holder_or_assignee_of_the_other_school(two: TwoSchools) -> None:
    site, other = two.site, two.other
    case_id = site.school.cases["typo"]
    with site.db.session() as session:
        case = session.get(IdentityCaseRow, case_id)
        assert case is not None
        case.evidence = (case.evidence or {}) | {"other_person_ids": [other.person_id]}
    token = site.sign_in("ivanova")

    page = site.client.get(f"/cases/{case_id}")
    handed = site.client.post(
        f"/cases/{case_id}/assign", data={"assignee": "sidorova", "reason": "пусть посмотрит", "csrf_token": token}
    )

    assert page.status_code == 200
    assert OTHER_NAME not in page.text  # the other school's pupil is not named as a holder of the SNILS
    assert f"/cases/{other.case_id}" not in page.text
    assert 'value="ivanova"' in page.text
    assert 'value="sidorova"' not in page.text  # a case goes only to someone who reads its school
    assert handed.status_code == 400
    assert "Такого исполнителя нет." in handed.text


def test_reports_of_another_school_are_not_found(two: TwoSchools) -> None:
    site = two.site
    site.sign_in("petrov")  # a viewer reads reports, of its school only

    history = site.client.get("/reports")
    chosen_other = site.client.get("/reports", params={"school": str(two.other.school_id)})
    answers = {suffix: site.client.get(f"/reports/{two.other_report}{suffix}") for suffix in ("", ".xlsx", ".json")}
    ours = site.client.get(f"/reports/{two.report}.xlsx")

    assert re.findall(r'<tr data-report="(\d+)">', history.text) == [str(two.report)]
    assert OTHER_SCHOOL_NAME not in history.text
    assert re.findall(r'<tr data-report="(\d+)">', chosen_other.text) == []
    assert OTHER_SCHOOL_NAME not in chosen_other.text
    assert {suffix: a.status_code for suffix, a in answers.items()} == {"": 404, ".xlsx": 404, ".json": 404}
    assert all(OTHER_SCHOOL_NAME not in a.text for a in answers.values())
    assert ours.status_code == 200


def test_an_account_with_no_school_sees_nothing_and_is_told_why(two: TwoSchools) -> None:
    """As every clerk and viewer is after migration 0010, until given a school."""
    site = two.site
    change_schools(site.db, "petrov", remove=[CODE], actor="test")
    site.sign_in("petrov")

    queue = site.client.get("/cases", params={"status": "all"})
    case = site.client.get(f"/cases/{site.school.cases['typo']}")
    reports = site.client.get("/reports")

    assert total(queue.text) == 0
    assert "ещё не назначена ни одна школа" in queue.text
    assert "edugateway users schools petrov --add" in queue.text
    assert case.status_code == 404
    assert re.findall(r"<tr data-report=", reports.text) == []
