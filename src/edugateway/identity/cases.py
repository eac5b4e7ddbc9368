"""The clerk's cases: what a verification found becomes an open case; what it no longer finds closes one.

At most one open case per person and type. A case seen again keeps its id, assignee and history (the evidence
is refreshed); a problem a clerk dismissed on the same evidence stays dismissed (an `identity_labels` row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugateway.identity.case_types import CaseStatus
from edugateway.identity.findings import Finding
from edugateway.store.tables import IdentityCaseEventRow, IdentityCaseRow, IdentityLabelRow

NOT_AN_ERROR = "not_an_error"
NON_MATCH = "non_match"
MATCH = "match"


@dataclass
class CaseChanges:
    opened: int = 0
    refreshed: int = 0  # an open case seen again with other evidence
    closed: int = 0
    suppressed: int = 0  # found, but a clerk had checked exactly this and said it is not an error

    def add(self, other: CaseChanges) -> None:
        self.opened += other.opened
        self.refreshed += other.refreshed
        self.closed += other.closed
        self.suppressed += other.suppressed


def dismissed_evidence(session: Session, person_ids: Sequence[int]) -> dict[int, dict[str, set[str]]]:
    """person id -> case type -> evidence digests a clerk marked as not an error (labels still in force)."""
    found: dict[int, dict[str, set[str]]] = {}
    rows = session.execute(
        select(IdentityLabelRow.person_id, IdentityLabelRow.case_type, IdentityLabelRow.evidence_digest).where(
            IdentityLabelRow.person_id.in_(person_ids),
            IdentityLabelRow.kind == NOT_AN_ERROR,
            IdentityLabelRow.revoked_at.is_(None),
        )
    )
    for person_id, case_type, digest in rows:
        found.setdefault(person_id, {}).setdefault(case_type or "", set()).add(digest or "")
    return found


def rejected_candidates(session: Session, person_ids: Sequence[int]) -> dict[int, set[tuple[str, str]]]:
    """person id -> (source, remote id) pairs a clerk said are not this person: never proposed again."""
    found: dict[int, set[tuple[str, str]]] = {}
    rows = session.execute(
        select(IdentityLabelRow.person_id, IdentityLabelRow.source, IdentityLabelRow.remote_id).where(
            IdentityLabelRow.person_id.in_(person_ids),
            IdentityLabelRow.kind == NON_MATCH,
            IdentityLabelRow.revoked_at.is_(None),
        )
    )
    for person_id, source, remote_id in rows:
        found.setdefault(person_id, set()).add((source or "", remote_id or ""))
    return found


def _event(
    case: IdentityCaseRow, actor: str, action: str, detail: dict[str, Any] | None = None
) -> IdentityCaseEventRow:
    return IdentityCaseEventRow(case_id=case.id, actor=actor, action=action, detail=detail)


def apply_findings(
    session: Session,
    *,
    school_id: int,
    person_id: int,
    class_name: str | None,
    findings: Sequence[Finding],
    candidates: Mapping[str, list[dict[str, Any]]],
    dismissed: Mapping[str, set[str]],
    actor: str,
    now: dt.datetime,
) -> CaseChanges:
    """Brings one person's cases in line with what a verification found."""
    changes = CaseChanges()
    open_cases = {
        case.case_type: case
        for case in session.scalars(
            select(IdentityCaseRow).where(
                IdentityCaseRow.person_id == person_id, IdentityCaseRow.status == CaseStatus.OPEN
            )
        )
    }
    found_types: set[str] = set()
    for finding in findings:
        found_types.add(finding.case_type)
        evidence = {**finding.evidence, "digest": finding.evidence_digest()}
        case = open_cases.get(finding.case_type)
        if case is None and finding.evidence_digest() in dismissed.get(finding.case_type, set()):
            changes.suppressed += 1
            continue
        if case is None:
            case = IdentityCaseRow(
                school_id=school_id,
                person_id=person_id,
                case_type=finding.case_type,
                detail=finding.detail,
                class_name=class_name,
                status=CaseStatus.OPEN,
                evidence=evidence,
                candidates=candidates.get(finding.case_type) or None,
                opened_at=now,
                updated_at=now,
            )
            session.add(case)
            session.flush()
            session.add(_event(case, actor, "opened", {"detail": finding.detail}))
            changes.opened += 1
            continue
        fresh_candidates = candidates.get(finding.case_type) or None
        if (case.evidence, case.detail, case.candidates, case.class_name) != (
            evidence,
            finding.detail,
            fresh_candidates,
            class_name,
        ):
            session.add(_event(case, actor, "refreshed", {"detail": [case.detail, finding.detail]}))
            case.evidence, case.detail, case.candidates, case.class_name = (
                evidence,
                finding.detail,
                fresh_candidates,
                class_name,
            )
            case.updated_at = now
            changes.refreshed += 1
    for case_type, case in open_cases.items():
        if case_type in found_types:
            continue
        case.status = CaseStatus.CLOSED
        case.closed_at = case.updated_at = now
        case.closed_by = actor
        case.close_reason = "the next verification no longer found the problem"
        session.add(_event(case, actor, "closed_by_verification"))
        changes.closed += 1
    return changes
