"""Which ЕСИА account a person needs at their age, and when an account is a problem: the one place this is decided.

Seed 000 §3.1.4 and DOMAIN.md: from 14 a pupil (like staff and parents) signs in with their own confirmed
(«подтвержденная», `trusted: true`) Госуслуги account; under 14 with a simplified («упрощенная») child account
that a parent creates in their own personal account (`kidAccCreatedByParent: true`). The parent vouches for it
by e-mail or phone, never in person, so such an account is `trusted: false` and that is its normal state.

| age on the check date        | account                                  | cases                          |
|------------------------------|------------------------------------------|--------------------------------|
| under 14, a student          | parent-made child account, any `trusted` | none                           |
| under 14, a student          | not a parent-made child account          | `no_child_account` (only)      |
| 14 or over                   | `trusted: true`                          | none                           |
| 14 or over                   | `trusted: false` (also a child account   | `account_untrusted`: they must |
|                              | not yet converted to their own)          | confirm their own account      |
| unknown (no birth date)      | `trusted: false`                         | `account_untrusted`            |

Under 14 an unconfirmed account is never `account_untrusted`: a child cannot confirm an account before a
passport (14), so the only thing to fix is the kind of account, which `no_child_account` says. An unknown
age is judged as 14 or over: the exemption needs proof of being under 14, and a case the clerk can close by
entering the birth date is better than a problem nobody sees; `no_child_account` needs that proof too.

Age is counted on the check date in the school's time zone; the birthday itself counts as the new age (a
passport is applied for from the 14th birthday). Someone born on 29 February has a birthday on 28 February
in a common year: a term counted in years ends on the matching month and day of its last year, and when that
month has no such day, on the month's last day (ГК РФ ст. 192 п. 1 and, by analogy, п. 3).
"""

from __future__ import annotations

import datetime as dt

from edugateway.identity.case_types import CaseType

CHILD_ACCOUNT_AGE = 14


def birthday_in(birth_date: dt.date, year: int) -> dt.date:
    """The day `birth_date` comes round in `year`: 29 February falls on 28 February in a common year."""
    try:
        return birth_date.replace(year=year)
    except ValueError:  # 29 February in a common year (ГК РФ ст. 192 п. 3: the last day of the month)
        return dt.date(year, 2, 28)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years on `day`, the birthday itself included."""
    years = day.year - birth_date.year
    return years - 1 if day < birthday_in(birth_date, day.year) else years


def is_under_child_account_age(birth_date: dt.date | None, day: dt.date) -> bool:
    """Under 14 on `day`; an unknown birth date is not (see the module's note)."""
    return birth_date is not None and age_on(birth_date, day) < CHILD_ACCOUNT_AGE


def turned_child_account_age(birth_date: dt.date | None, since: dt.date, day: dt.date) -> bool:
    """Under 14 on `since`, 14 or over on `day`: a check made on `since` no longer holds (ages only grow, so a
    `since` after `day` is never a crossing)."""
    return is_under_child_account_age(birth_date, since) and not is_under_child_account_age(birth_date, day)


def account_kind_cases(
    *, student: bool, birth_date: dt.date | None, trusted: bool, kid_acc_created_by_parent: bool | None, day: dt.date
) -> list[CaseType]:
    """The cases a registered account opens by its kind and confirmation alone (the table above)."""
    if is_under_child_account_age(birth_date, day):
        return [] if not student or kid_acc_created_by_parent else [CaseType.NO_CHILD_ACCOUNT]
    return [] if trusted else [CaseType.ACCOUNT_UNTRUSTED]
