"""ЕСИА verification as stored: the persons a verification looks at, and every check's result
(`identity_checks`) with the person's digest then, so re-verification asks again only about persons that changed.

The functions work inside the caller's transaction: a verification stores its checks and its cases together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from edugateway.errors import StoreError
from edugateway.store.tables import ClassRow, EnrollmentRow, IdentityCheckRow, PersonRow, SchoolRow


@dataclass(frozen=True, slots=True)
class PersonToCheck:
    """The columns of an active person a check looks at."""

    id: int
    roles: frozenset[str]
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: dt.date | None
    snils: str | None
    snils_rejected: str | None


@dataclass(frozen=True, slots=True)
class StoredCheck:
    person_id: int
    checked_at: dt.datetime
    asked_at: dt.datetime | None  # when ЕСИА answered; None when there was nothing to ask
    outcome: str  # confirmed, or a case type
    detail: str | None
    person_digest: str
    account: dict[str, Any] | None  # the ЕСИА answer the outcome rests on
    evidence: dict[str, Any] | None


def _stored(row: IdentityCheckRow) -> StoredCheck:
    return StoredCheck(
        row.person_id,
        row.checked_at,
        row.asked_at,
        row.outcome,
        row.detail,
        row.person_digest,
        row.account,
        row.evidence,
    )


def school_id_of(session: Session, code: str) -> int:
    school_id = session.scalar(select(SchoolRow.id).where(SchoolRow.code == code))
    if school_id is None:
        raise StoreError(f"no school {code!r} in the local database; import it first")
    return school_id


def school_timezone(session: Session, school_id: int) -> str:
    """The school's IANA zone: its dates (a pupil's age on the check day) are the school's, not the server's."""
    return session.scalars(select(SchoolRow.timezone).where(SchoolRow.id == school_id)).one()


def schools_of_persons(session: Session, person_ids: Sequence[int]) -> dict[int, str | None]:
    """school id -> its code, for the schools of these persons."""
    schools = set(session.scalars(select(PersonRow.school_id).where(PersonRow.id.in_(person_ids))))
    return {sid: session.scalar(select(SchoolRow.code).where(SchoolRow.id == sid)) for sid in schools}


def active_persons(session: Session, school_id: int) -> list[PersonToCheck]:
    rows = session.scalars(select(PersonRow).where(PersonRow.school_id == school_id, PersonRow.active))
    return [
        PersonToCheck(
            id=r.id,
            roles=frozenset(filter(None, r.roles.split(","))),
            last_name=r.last_name,
            first_name=r.first_name,
            middle_name=r.middle_name,
            birth_date=r.birth_date,
            snils=r.snils,
            snils_rejected=r.snils_rejected,
        )
        for r in rows
    ]


def last_checks(session: Session, person_ids: Sequence[int]) -> dict[int, StoredCheck]:
    """person id -> the check recorded last for them."""
    latest = (
        select(func.max(IdentityCheckRow.id))
        .where(IdentityCheckRow.person_id.in_(person_ids))
        .group_by(IdentityCheckRow.person_id)
    )
    rows = session.scalars(select(IdentityCheckRow).where(IdentityCheckRow.id.in_(latest)))
    return {row.person_id: _stored(row) for row in rows}


def latest_check(session: Session, person_id: int) -> StoredCheck | None:
    """The person's check with the latest checked_at (what the case page shows)."""
    row = session.scalar(
        select(IdentityCheckRow)
        .where(IdentityCheckRow.person_id == person_id)
        .order_by(IdentityCheckRow.checked_at.desc(), IdentityCheckRow.id.desc())
        .limit(1)
    )
    return None if row is None else _stored(row)


def homeroom_classes(session: Session, school_id: int) -> dict[int, str]:
    """person id -> the homeroom class a student is in now (subgroups and ended enrollments left out)."""
    rows = session.execute(
        select(EnrollmentRow.person_id, ClassRow.name)
        .join(ClassRow, ClassRow.id == EnrollmentRow.class_id)
        .where(
            EnrollmentRow.school_id == school_id,
            EnrollmentRow.active,
            EnrollmentRow.role == "student",
            ClassRow.parent_id.is_(None),
        )
    )
    return dict(rows.tuples().all())  # a Result has keys(): dict() would take it for a mapping


@dataclass(frozen=True, slots=True)
class NewCheck:
    school_id: int
    person_id: int
    checked_at: dt.datetime
    outcome: str
    detail: str | None
    person_digest: str
    asked_at: dt.datetime | None
    account: dict[str, Any] | None
    evidence: dict[str, Any]


def record_check(session: Session, check: NewCheck) -> None:
    session.add(
        IdentityCheckRow(
            school_id=check.school_id,
            person_id=check.person_id,
            checked_at=check.checked_at,
            outcome=check.outcome,
            detail=check.detail,
            person_digest=check.person_digest,
            asked_at=check.asked_at,
            account=check.account,
            evidence=check.evidence,
        )
    )
