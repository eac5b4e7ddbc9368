"""The age/account rule on both sides of every boundary: the day before the 14th birthday and the day itself,
29 February in common and leap years, an unknown birth date, and each kind of account."""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.identity.account_rule import account_kind_cases, age_on, birthday_in, turned_child_account_age
from edugateway.identity.case_types import CaseType

BORN = dt.date(2012, 11, 23)
EVE = dt.date(2026, 11, 22)  # 13 years old
BIRTHDAY = dt.date(2026, 11, 23)  # 14 from this day


def test_the_birthday_itself_is_the_new_age() -> None:
    assert age_on(BORN, EVE) == 13
    assert age_on(BORN, BIRTHDAY) == 14


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (dt.date(2026, 2, 27), 13),
        (dt.date(2026, 2, 28), 14),  # a common year: 28 February is the birthday (ГК РФ ст. 192 п. 3)
        (dt.date(2026, 3, 1), 14),
        (dt.date(2028, 2, 28), 15),  # a leap year: 29 February is the birthday again
        (dt.date(2028, 2, 29), 16),
    ],
)
def test_born_on_29_february(day: dt.date, age: int) -> None:
    assert age_on(dt.date(2012, 2, 29), day) == age


def test_29_february_comes_round_on_28_february_in_a_common_year() -> None:
    assert birthday_in(dt.date(2012, 2, 29), 2026) == dt.date(2026, 2, 28)
    assert birthday_in(dt.date(2012, 2, 29), 2028) == dt.date(2028, 2, 29)
    assert birthday_in(BORN, 2026) == BIRTHDAY


def cases(
    day: dt.date,
    *,
    trusted: bool,
    kid: bool | None,
    birth_date: dt.date | None = BORN,
    student: bool = True,
) -> list[CaseType]:
    return account_kind_cases(
        student=student, birth_date=birth_date, trusted=trusted, kid_acc_created_by_parent=kid, day=day
    )


@pytest.mark.parametrize(
    ("trusted", "kid", "under_14", "from_14"),
    [
        # a parent-made child account: normal under 14, to be confirmed by the pupil from 14
        (False, True, [], [CaseType.ACCOUNT_UNTRUSTED]),
        (True, True, [], []),
        # not a child account: the wrong kind under 14 (whatever its confirmation), fine from 14 once confirmed
        (False, False, [CaseType.NO_CHILD_ACCOUNT], [CaseType.ACCOUNT_UNTRUSTED]),
        (True, False, [CaseType.NO_CHILD_ACCOUNT], []),
        (False, None, [CaseType.NO_CHILD_ACCOUNT], [CaseType.ACCOUNT_UNTRUSTED]),  # ЕСИА did not say
    ],
)
def test_each_account_kind_on_both_sides_of_the_14th_birthday(
    trusted: bool, kid: bool | None, under_14: list[CaseType], from_14: list[CaseType]
) -> None:
    assert cases(EVE, trusted=trusted, kid=kid) == under_14
    assert cases(BIRTHDAY, trusted=trusted, kid=kid) == from_14


def test_a_pupil_born_on_29_february_confirms_from_28_february_of_a_common_year() -> None:
    born = dt.date(2012, 2, 29)
    assert cases(dt.date(2026, 2, 27), trusted=False, kid=True, birth_date=born) == []
    assert cases(dt.date(2026, 2, 28), trusted=False, kid=True, birth_date=born) == [CaseType.ACCOUNT_UNTRUSTED]


def test_an_unknown_age_is_judged_as_14_or_over() -> None:
    assert cases(EVE, trusted=False, kid=True, birth_date=None) == [CaseType.ACCOUNT_UNTRUSTED]
    assert cases(EVE, trusted=True, kid=False, birth_date=None) == []  # no proof of under 14: no child account due


def test_only_students_need_a_child_account() -> None:
    assert cases(EVE, trusted=False, kid=False, student=False) == []
    assert cases(BIRTHDAY, trusted=False, kid=False, student=False) == [CaseType.ACCOUNT_UNTRUSTED]


def test_a_check_made_before_the_14th_birthday_no_longer_holds_from_it() -> None:
    assert turned_child_account_age(BORN, EVE, BIRTHDAY)
    assert not turned_child_account_age(BORN, EVE - dt.timedelta(days=30), EVE)  # still 13
    assert not turned_child_account_age(BORN, BIRTHDAY, BIRTHDAY + dt.timedelta(days=30))  # 14 at both
    assert not turned_child_account_age(BORN, BIRTHDAY, EVE)  # a clock behind the last check: no crossing
    assert not turned_child_account_age(None, EVE, BIRTHDAY)
