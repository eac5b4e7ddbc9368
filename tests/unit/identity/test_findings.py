"""The classification of a person's SNILS against ЕСИА's answer: each kind of problem, and nothing for a match
that differs only in what normalisation removes."""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.domain.esia_account import AccountStatus, EsiaAccount
from edugateway.domain.snils import format_snils
from edugateway.identity.case_types import CaseType
from edugateway.identity.findings import (
    LocalPerson,
    account_findings,
    duplicate_findings,
    snils_findings,
)

TODAY = dt.date(2026, 11, 23)
SNILS = "11223344595"


def person(**changes: object) -> LocalPerson:
    base: dict[str, object] = {
        "id": 1,
        "roles": frozenset({"student"}),
        "last_name": "Семёнова",
        "first_name": "Алёна",
        "middle_name": "Игоревна",
        "birth_date": dt.date(2010, 3, 7),
        "snils": SNILS,
        "snils_rejected": None,
    }
    return LocalPerson(**(base | changes))  # type: ignore[arg-type]


def account(**changes: object) -> EsiaAccount:
    base: dict[str, object] = {
        "oid": 1000001,
        "last_name": "Семенова",
        "first_name": "Алена",
        "middle_name": "Игоревна",
        "birth_date": dt.date(2010, 3, 7),
        "snils": SNILS,
        "trusted": True,
        "status": AccountStatus.REGISTERED,
        "updated_on": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        "kid_acc_created_by_parent": True,
    }
    return EsiaAccount(**(base | changes))  # type: ignore[arg-type]


def kinds(findings: list) -> list[tuple[str, str | None]]:  # type: ignore[type-arg]
    return [(f.case_type.value, f.detail) for f in findings]


def test_yo_and_latin_lookalikes_are_not_differences() -> None:
    assert account_findings(person(), account(), TODAY) == []
    latin = account(last_name="Ceмeнoва")  # C, e, o typed in Latin
    assert account_findings(person(), latin, TODAY) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"last_name": "Семенвоа"}, [("name_differs", "typo")]),
        ({"first_name": "Ирина"}, [("name_differs", "other_person")]),
        ({"birth_date": dt.date(2010, 7, 3)}, [("birth_date_differs", "swapped")]),
        ({"birth_date": dt.date(2011, 1, 19)}, [("birth_date_differs", "other")]),
        (
            {"last_name": "Петрова", "birth_date": dt.date(2009, 5, 5)},
            [("name_differs", "other_person"), ("birth_date_differs", "other")],
        ),
        ({"trusted": False}, [("account_untrusted", None)]),
        ({"status": AccountStatus.DELETED}, [("account_deleted", None)]),
    ],
)
def test_each_difference_with_esia_is_classified(changes: dict[str, object], expected: list[tuple[str, str]]) -> None:
    assert kinds(account_findings(person(), account(**changes), TODAY)) == expected


def test_a_typo_with_another_birth_date_is_taken_for_another_person() -> None:
    found = account_findings(person(), account(last_name="Семенвоа", birth_date=dt.date(2001, 1, 1)), TODAY)
    assert kinds(found) == [("name_differs", "other_person"), ("birth_date_differs", "other")]


def test_a_missing_middle_name_on_one_side_is_not_a_difference() -> None:
    assert account_findings(person(middle_name=None), account(), TODAY) == []
    assert account_findings(person(), account(middle_name=None), TODAY) == []


def test_child_account_is_required_under_14_only() -> None:
    young = person(birth_date=dt.date(2013, 11, 24))  # 12 on TODAY
    no_kid = account(birth_date=dt.date(2013, 11, 24), kid_acc_created_by_parent=False)
    assert kinds(account_findings(young, no_kid, TODAY)) == [("no_child_account", None)]
    fourteen_today = person(birth_date=dt.date(2012, 11, 23))
    no_kid_14 = account(birth_date=dt.date(2012, 11, 23), kid_acc_created_by_parent=False)
    assert account_findings(fourteen_today, no_kid_14, TODAY) == []
    teacher = person(roles=frozenset({"teacher"}), birth_date=dt.date(2013, 11, 24))
    assert account_findings(teacher, no_kid, TODAY) == []


def test_a_young_pupils_parent_made_unconfirmed_account_is_not_a_case() -> None:
    """Issue 15: under 14 the parent-made child account is unconfirmed by nature; from the 14th birthday the
    pupil must confirm it. The rule itself is tested in test_account_rule.py."""
    born = dt.date(2012, 11, 24)  # 14 on the day after TODAY
    pupil = person(birth_date=born)
    child_account = account(birth_date=born, trusted=False, kid_acc_created_by_parent=True)
    assert account_findings(pupil, child_account, TODAY) == []
    assert kinds(account_findings(pupil, child_account, TODAY + dt.timedelta(days=1))) == [("account_untrusted", None)]


def test_unknown_to_esia_keeps_only_a_masked_number() -> None:
    (finding,) = account_findings(person(), None, TODAY)
    assert finding.case_type is CaseType.ESIA_UNKNOWN
    assert SNILS not in str(finding.evidence)
    assert format_snils(SNILS) not in str(finding.evidence)


@pytest.mark.parametrize(
    ("rejected", "detail"),
    [("112-233-445 96", "checksum"), ("112-233-445", "length"), ("112-233-4О5 95", "characters")],
)
def test_a_refused_value_is_an_invalid_snils_with_its_reason(rejected: str, detail: str) -> None:
    (finding,) = snils_findings(person(snils=None, snils_rejected=rejected))
    assert (finding.case_type, finding.detail) == (CaseType.INVALID_SNILS, detail)
    assert rejected not in str(finding.evidence)


def test_missing_snils_matters_for_students_and_teachers_not_parents() -> None:
    assert kinds(snils_findings(person(snils=None))) == [("missing_snils", None)]
    assert snils_findings(person(snils=None, roles=frozenset({"parent"}))) == []
    assert snils_findings(person()) == []


def test_the_account_owner_of_a_shared_number_is_not_flagged() -> None:
    owner = person(id=1)
    sibling = person(id=2, first_name="Мария", birth_date=dt.date(2013, 4, 1), snils=None, snils_rejected=SNILS)
    found_owner, findings = duplicate_findings([owner, sibling], account())
    assert found_owner is owner
    assert set(findings) == {2}
    assert findings[2].case_type is CaseType.DUPLICATE_SNILS
    assert findings[2].evidence == {"other_person_ids": [1], "account_owner_id": 1}


def test_a_shared_number_whose_account_matches_neither_flags_both() -> None:
    a = person(id=1)
    b = person(id=2, first_name="Мария", snils=None, snils_rejected=SNILS)
    owner, findings = duplicate_findings([a, b], account(last_name="Кузнецов", first_name="Пётр"))
    assert owner is None
    assert set(findings) == {1, 2}


def test_the_digest_changes_with_any_checked_field() -> None:
    assert person().digest() == person().digest()
    assert person().digest() != person(first_name="Алена").digest()
    assert person().digest() != person(snils=None, snils_rejected=SNILS).digest()
