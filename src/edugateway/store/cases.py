"""The clerk's identity cases as stored: the cases (`identity_cases`), their history (`identity_case_events`), the
clerk's decisions that later checks respect (`identity_labels`) and the audit rows the clerk's actions write.

What a case status means is identity's vocabulary (identity/case_types.py `CaseStatus`); the functions here take
the status they read or write from their caller. `Cases` works inside the caller's transaction, so a verification
stores its checks and its cases together, and a clerk's action its case, person and audit rows together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugateway.errors import StoreError
from edugateway.store.school_scope import SchoolScope
from edugateway.store.tables import AuditRow, IdentityCaseEventRow, IdentityCaseRow, IdentityLabelRow, PersonRow

# The kinds of a clerk's label (`identity_labels.kind`).
NOT_AN_ERROR = "not_an_error"  # this evidence was checked: it is not an error (a dismissed case)
NON_MATCH = "non_match"  # this candidate is not the person
MATCH = "match"  # this candidate is the person


@dataclass(frozen=True, slots=True)
class StoredCase:
    id: int
    school_id: int
    person_id: int
    case_type: str
    detail: str | None
    class_name: str | None
    status: str
    assignee: str | None
    evidence: dict[str, Any] | None
    candidates: list[dict[str, Any]] | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    closed_by: str | None
    close_reason: str | None


@dataclass(frozen=True, slots=True)
class CasePerson:
    """The person a case is about, as the local database holds them."""

    id: int
    school_id: int
    source_id: str
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: dt.date | None
    gender: str | None
    snils: str | None
    snils_rejected: str | None


def stored_case(row: IdentityCaseRow) -> StoredCase:
    return StoredCase(
        id=row.id,
        school_id=row.school_id,
        person_id=row.person_id,
        case_type=row.case_type,
        detail=row.detail,
        class_name=row.class_name,
        status=row.status,
        assignee=row.assignee,
        evidence=row.evidence,
        candidates=row.candidates,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        close_reason=row.close_reason,
    )


def case_person(row: PersonRow) -> CasePerson:
    return CasePerson(
        id=row.id,
        school_id=row.school_id,
        source_id=row.source_id,
        last_name=row.last_name,
        first_name=row.first_name,
        middle_name=row.middle_name,
        birth_date=row.birth_date,
        gender=row.gender,
        snils=row.snils,
        snils_rejected=row.snils_rejected,
    )


class Cases:
    """The cases, their persons, history, labels and audit rows, read and written in one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # ---- cases -----------------------------------------------------------------------------------------
    def get(self, case_id: int) -> StoredCase:
        return stored_case(self._row(case_id))

    def get_within(self, case_id: int, scope: SchoolScope) -> StoredCase:
        """The case if its school is in the scope; one of another school is as missing as one that never was."""
        row = self._session.scalar(
            select(IdentityCaseRow).where(IdentityCaseRow.id == case_id, scope.where(IdentityCaseRow.school_id))
        )
        if row is None:
            raise StoreError(f"no case {case_id}")
        return stored_case(row)

    def of_person(self, person_id: int, *, status: str) -> list[StoredCase]:
        """The person's cases in this status, by id."""
        rows = self._session.scalars(
            select(IdentityCaseRow)
            .where(IdentityCaseRow.person_id == person_id, IdentityCaseRow.status == status)
            .order_by(IdentityCaseRow.id)
        )
        return [stored_case(row) for row in rows]

    def open_of_type(self, school_id: int, case_type: str, *, status: str) -> list[StoredCase]:
        """The school's cases of this type in this status, by id."""
        rows = self._session.scalars(
            select(IdentityCaseRow)
            .where(
                IdentityCaseRow.school_id == school_id,
                IdentityCaseRow.case_type == case_type,
                IdentityCaseRow.status == status,
            )
            .order_by(IdentityCaseRow.id)
        )
        return [stored_case(row) for row in rows]

    def open(
        self,
        *,
        school_id: int,
        person_id: int,
        case_type: str,
        detail: str | None,
        class_name: str | None,
        status: str,
        evidence: dict[str, Any],
        candidates: list[dict[str, Any]] | None,
        now: dt.datetime,
    ) -> int:
        """A new case; its id."""
        row = IdentityCaseRow(
            school_id=school_id,
            person_id=person_id,
            case_type=case_type,
            detail=detail,
            class_name=class_name,
            status=status,
            evidence=evidence,
            candidates=candidates,
            opened_at=now,
            updated_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def refresh(
        self,
        case_id: int,
        *,
        evidence: dict[str, Any],
        detail: str | None,
        candidates: list[dict[str, Any]] | None,
        class_name: str | None,
        now: dt.datetime,
    ) -> None:
        """An open case seen again with other evidence."""
        row = self._row(case_id)
        row.evidence, row.detail, row.candidates, row.class_name = evidence, detail, candidates, class_name
        row.updated_at = now

    def close(self, case_id: int, *, status: str, actor: str, reason: str, now: dt.datetime) -> None:
        """Closes a case with this status (fixed, or dismissed by a clerk); `now` is also when it last changed."""
        row = self._row(case_id)
        row.status = status
        row.closed_at = row.updated_at = now
        row.closed_by = actor
        row.close_reason = reason

    def dismiss(self, case_id: int, *, status: str, actor: str, reason: str, now: dt.datetime) -> None:
        """Closes a case a clerk checked: when it last changed stays as the last verification left it."""
        row = self._row(case_id)
        row.status = status
        row.closed_at = now
        row.closed_by = actor
        row.close_reason = reason

    def set_candidates(self, case_id: int, candidates: list[dict[str, Any]] | None) -> None:
        self._row(case_id).candidates = candidates

    def assign(self, case_id: int, assignee: str | None) -> None:
        self._row(case_id).assignee = assignee

    def add_event(
        self, case_id: int, actor: str, action: str, detail: dict[str, Any] | None = None, reason: str | None = None
    ) -> None:
        """A line of the case history."""
        self._session.add(
            IdentityCaseEventRow(case_id=case_id, actor=actor, action=action, detail=detail, reason=reason)
        )

    def _row(self, case_id: int) -> IdentityCaseRow:
        row = self._session.get(IdentityCaseRow, case_id)
        if row is None:
            raise StoreError(f"no case {case_id}")
        return row

    # ---- the clerk's labels ------------------------------------------------------------------------------
    def add_label(
        self,
        case: StoredCase,
        kind: str,
        *,
        actor: str,
        reason: str,
        source: str | None = None,
        remote_id: str | None = None,
        evidence_digest: str | None = None,
    ) -> None:
        """A clerk's decision about the case's person that later checks respect."""
        self._session.add(
            IdentityLabelRow(
                school_id=case.school_id,
                person_id=case.person_id,
                kind=kind,
                case_type=case.case_type,
                actor=actor,
                reason=reason,
                source=source,
                remote_id=remote_id,
                evidence_digest=evidence_digest,
            )
        )

    def dismissed_evidence(self, person_ids: Sequence[int]) -> dict[int, dict[str, set[str]]]:
        """person id -> case type -> evidence digests a clerk marked as not an error (labels still in force)."""
        found: dict[int, dict[str, set[str]]] = {}
        rows = self._session.execute(
            select(IdentityLabelRow.person_id, IdentityLabelRow.case_type, IdentityLabelRow.evidence_digest).where(
                IdentityLabelRow.person_id.in_(person_ids),
                IdentityLabelRow.kind == NOT_AN_ERROR,
                IdentityLabelRow.revoked_at.is_(None),
            )
        )
        for person_id, case_type, digest in rows:
            found.setdefault(person_id, {}).setdefault(case_type or "", set()).add(digest or "")
        return found

    def rejected_candidates(self, person_ids: Sequence[int]) -> dict[int, set[tuple[str, str]]]:
        """person id -> (source, remote id) pairs a clerk said are not this person: never proposed again."""
        found: dict[int, set[tuple[str, str]]] = {}
        rows = self._session.execute(
            select(IdentityLabelRow.person_id, IdentityLabelRow.source, IdentityLabelRow.remote_id).where(
                IdentityLabelRow.person_id.in_(person_ids),
                IdentityLabelRow.kind == NON_MATCH,
                IdentityLabelRow.revoked_at.is_(None),
            )
        )
        for person_id, source, remote_id in rows:
            found.setdefault(person_id, set()).add((source or "", remote_id or ""))
        return found

    def pair_labels(self, school_id: int, source: str) -> list[tuple[str, str, bool]]:
        """(person's source id, remote id, match?) of the clerk's decisions in force on candidates from `source`
        (a platform's name): what the matcher takes as labels."""
        rows = self._session.execute(
            select(PersonRow.source_id, IdentityLabelRow.remote_id, IdentityLabelRow.kind)
            .join(PersonRow, PersonRow.id == IdentityLabelRow.person_id)
            .where(
                IdentityLabelRow.school_id == school_id,
                IdentityLabelRow.source == source,
                IdentityLabelRow.kind.in_((MATCH, NON_MATCH)),
                IdentityLabelRow.remote_id.is_not(None),
                IdentityLabelRow.revoked_at.is_(None),
            )
            .order_by(IdentityLabelRow.id)
        )
        return [(source_id, str(remote_id), kind == MATCH) for source_id, remote_id, kind in rows]

    # ---- the persons the cases are about ---------------------------------------------------------------------
    def person(self, person_id: int) -> CasePerson | None:
        row = self._session.get(PersonRow, person_id)
        return None if row is None else case_person(row)

    def person_within(self, person_id: int, scope: SchoolScope) -> CasePerson | None:
        """The person if their school is in the scope, else None (as if there were none)."""
        row = self._session.scalar(select(PersonRow).where(PersonRow.id == person_id, scope.where(PersonRow.school_id)))
        return None if row is None else case_person(row)

    def person_ids(self, school_id: int) -> dict[str, int]:
        """The school's persons: source id -> row id."""
        query = select(PersonRow.source_id, PersonRow.id).where(PersonRow.school_id == school_id)
        return dict(self._session.execute(query).tuples().all())

    def update_person(self, person_id: int, values: Mapping[str, Any]) -> None:
        """Sets these columns of the person (last_name, first_name, middle_name, birth_date, snils, snils_rejected)."""
        row = self._session.get(PersonRow, person_id)
        if row is None:
            raise StoreError(f"no person {person_id}")
        for name, value in values.items():
            setattr(row, name, value)

    def snils_holder(self, school_id: int, snils: str, *, other_than: int) -> str | None:
        """The source id of another person of the school who holds this SNILS, if one does."""
        return self._session.scalar(
            select(PersonRow.source_id).where(
                PersonRow.school_id == school_id, PersonRow.snils == snils, PersonRow.id != other_than
            )
        )

    # ---- audit -------------------------------------------------------------------------------------------
    def audit(
        self,
        *,
        actor: str,
        action: str,
        school_id: int,
        entity: str,
        entity_id: str,
        changes: dict[str, list[Any]] | None,
        reason: str,
    ) -> None:
        self._session.add(
            AuditRow(
                actor=actor,
                action=action,
                school_id=school_id,
                entity=entity,
                entity_id=entity_id,
                changes=changes,
                reason=reason,
            )
        )
