"""What the case page reads besides the case and its person (store/cases.py): the school, each platform's record of
the person, the other holders of a SNILS, the case history and the audit rows about the case and its person.

The functions take the caller's session, so the page is read in one transaction. What the page reads starts
from `find_case`, which takes the account's school scope: a case of another school is not found at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from edugateway.domain.entities import Entity, RecordKind
from edugateway.store.cases import CasePerson, StoredCase, case_person, stored_case
from edugateway.store.school_scope import SchoolScope
from edugateway.store.tables import (
    AuditRow,
    IdentityCaseEventRow,
    IdentityCaseRow,
    IdentityLinkRow,
    ParentLinkRow,
    PersonRow,
    RemoteRecordRow,
    SchoolRow,
    WebUserRow,
)

AUDIT_LIMIT = 200  # the newest audit rows the page shows


@dataclass(frozen=True, slots=True)
class LinkedRecord:
    """The person's live link to a platform and the platform's record of them, if one is stored."""

    platform: str
    remote_id: str
    method: str
    linked_at: dt.datetime
    data: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class OtherPerson:
    """Another person claiming the same SNILS, with their case of the same type if it is open."""

    person_id: int
    last_name: str
    first_name: str
    middle_name: str | None
    class_name: str | None
    case_id: int | None


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: dt.datetime
    actor: str
    action: str
    detail: dict[str, Any] | None  # an event's detail, or an audit row's changes
    reason: str | None


def find_case(session: Session, case_id: int, scope: SchoolScope) -> tuple[StoredCase, CasePerson, str] | None:
    """The case, its person and its school's name; None if any of them is gone or the case's school is not in
    the scope (the page then says "not found": it must not confirm the case exists)."""
    case = session.scalar(
        select(IdentityCaseRow).where(IdentityCaseRow.id == case_id, scope.where(IdentityCaseRow.school_id))
    )
    if case is None:
        return None
    person = session.get(PersonRow, case.person_id)
    school = session.get(SchoolRow, case.school_id)
    if person is None or school is None:
        return None
    return stored_case(case), case_person(person), school.name


def linked_records(session: Session, person: CasePerson) -> list[LinkedRecord]:
    """Per platform the person is linked on (by platform name): the link and the stored record."""
    links = session.scalars(
        select(IdentityLinkRow)
        .where(
            IdentityLinkRow.school_id == person.school_id,
            IdentityLinkRow.entity == Entity.PERSONS,
            IdentityLinkRow.local_key == person.source_id,
            IdentityLinkRow.unlinked_at.is_(None),
        )
        .order_by(IdentityLinkRow.platform)
    ).all()
    found = []
    for link in links:
        data = session.scalar(
            select(RemoteRecordRow.data)
            .where(
                RemoteRecordRow.school_id == person.school_id,
                RemoteRecordRow.platform == link.platform,
                RemoteRecordRow.data.is_not(None),
                or_(
                    and_(RemoteRecordRow.entity == Entity.PERSONS, RemoteRecordRow.remote_id == link.remote_id),
                    # ЕЦП's contingent upload keeps the pushed pupil under the local id.
                    and_(RemoteRecordRow.entity == "contingent", RemoteRecordRow.local_key == person.source_id),
                ),
            )
            .limit(1)
        )
        found.append(LinkedRecord(link.platform, link.remote_id, link.method, link.linked_at, data))
    return found


def other_persons(
    session: Session, person_ids: Sequence[int], case_type: str, *, open_status: str, scope: SchoolScope
) -> list[OtherPerson]:
    """These persons of the scope's schools by last name, each with their open case of this type (the status
    `open_status`)."""
    if not person_ids:
        return []
    persons = session.scalars(
        select(PersonRow)
        .where(PersonRow.id.in_(person_ids), scope.where(PersonRow.school_id))
        .order_by(PersonRow.last_name)
    ).all()
    person_ids = [p.id for p in persons]
    cases = dict(
        session.execute(
            select(IdentityCaseRow.person_id, IdentityCaseRow.id).where(
                IdentityCaseRow.person_id.in_(person_ids),
                IdentityCaseRow.case_type == case_type,
                IdentityCaseRow.status == open_status,
            )
        )
        .tuples()
        .all()
    )
    classes = dict(
        session.execute(
            select(IdentityCaseRow.person_id, IdentityCaseRow.class_name).where(
                IdentityCaseRow.person_id.in_(person_ids)
            )
        )
        .tuples()
        .all()
    )
    return [
        OtherPerson(p.id, p.last_name, p.first_name, p.middle_name, classes.get(p.id), cases.get(p.id)) for p in persons
    ]


def case_events(session: Session, case_id: int) -> list[HistoryLine]:
    """The case history, newest first."""
    rows = session.scalars(
        select(IdentityCaseEventRow)
        .where(IdentityCaseEventRow.case_id == case_id)
        .order_by(IdentityCaseEventRow.at.desc(), IdentityCaseEventRow.id.desc())
    ).all()
    return [HistoryLine(r.at, r.actor, r.action, r.detail, r.reason) for r in rows]


def case_audit(session: Session, case: StoredCase, person: CasePerson, *, case_entity: str) -> list[HistoryLine]:
    """The newest audit rows about the case (entity `case_entity`) and its person (entity RecordKind.PERSON, as the
    roster import and the clerk's changes write them), newest first."""
    rows = session.scalars(
        select(AuditRow)
        .where(
            or_(
                and_(AuditRow.entity == case_entity, AuditRow.entity_id == str(case.id)),
                and_(
                    AuditRow.entity == RecordKind.PERSON,
                    AuditRow.entity_id == person.source_id,
                    AuditRow.school_id == person.school_id,
                ),
            )
        )
        .order_by(AuditRow.at.desc(), AuditRow.id.desc())
        .limit(AUDIT_LIMIT)
    ).all()
    return [HistoryLine(r.at, r.actor, r.action, r.changes, r.reason) for r in rows]


def person_roles(session: Session, person_id: int) -> str:
    """The person's roles as stored ("parent,teacher"); "" when the person is gone."""
    return session.scalar(select(PersonRow.roles).where(PersonRow.id == person_id)) or ""


def account_names(session: Session) -> dict[str, str]:
    """Login -> display name of every web account that has one: the pages name people, not logins."""
    rows = session.execute(select(WebUserRow.username, WebUserRow.full_name).where(WebUserRow.full_name.is_not(None)))
    return {login: name for login, name in rows.tuples() if name}


@dataclass(frozen=True, slots=True)
class ParentContact:
    last_name: str
    first_name: str
    middle_name: str | None
    relation: str
    phone: str | None
    email: str | None


def parents_of(session: Session, person: CasePerson) -> list[ParentContact]:
    """The person's parents (active links of the same school) with the contacts the roster holds, by last name."""
    rows = session.execute(
        select(
            PersonRow.last_name,
            PersonRow.first_name,
            PersonRow.middle_name,
            ParentLinkRow.relation,
            PersonRow.phone,
            PersonRow.email,
        )
        .join(ParentLinkRow, ParentLinkRow.parent_id == PersonRow.id)
        .where(
            ParentLinkRow.child_id == person.id,
            ParentLinkRow.school_id == person.school_id,
            ParentLinkRow.active.is_(True),
            PersonRow.active.is_(True),
        )
        .order_by(PersonRow.last_name, PersonRow.first_name)
    ).tuples()
    return [ParentContact(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class PersonCase:
    case_id: int
    case_type: str
    status: str
    opened_at: dt.datetime


def person_cases(session: Session, person_id: int, scope: SchoolScope) -> list[PersonCase]:
    """Every case of the person among the scope's schools: the open ones first, then the newest."""
    rows = session.execute(
        select(IdentityCaseRow.id, IdentityCaseRow.case_type, IdentityCaseRow.status, IdentityCaseRow.opened_at)
        .where(IdentityCaseRow.person_id == person_id, scope.where(IdentityCaseRow.school_id))
        .order_by((IdentityCaseRow.status != "open"), IdentityCaseRow.opened_at.desc(), IdentityCaseRow.id.desc())
    ).tuples()
    return [PersonCase(*row) for row in rows]
