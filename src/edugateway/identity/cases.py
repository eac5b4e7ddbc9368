"""The clerk's cases: what a verification found becomes an open case; what it no longer finds closes one.

At most one open case per person and type. A case seen again keeps its id, assignee and history (the evidence
is refreshed); a problem a clerk dismissed on the same evidence stays dismissed (an `identity_labels` row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from edugateway.identity.case_types import VERIFIED_TYPES, CaseStatus
from edugateway.identity.findings import Finding
from edugateway.store.cases import Cases


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


def apply_findings(
    cases: Cases,
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
    # Only the verification's own types: a sync's link case is not ЕСИА's to close.
    open_cases = {
        case.case_type: case
        for case in cases.of_person(person_id, status=CaseStatus.OPEN)
        if case.case_type in VERIFIED_TYPES
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
            case_id = cases.open(
                school_id=school_id,
                person_id=person_id,
                case_type=finding.case_type,
                detail=finding.detail,
                class_name=class_name,
                status=CaseStatus.OPEN,
                evidence=evidence,
                candidates=candidates.get(finding.case_type) or None,
                now=now,
            )
            cases.add_event(case_id, actor, "opened", {"detail": finding.detail})
            changes.opened += 1
            continue
        fresh_candidates = candidates.get(finding.case_type) or None
        if (case.evidence, case.detail, case.candidates, case.class_name) != (
            evidence,
            finding.detail,
            fresh_candidates,
            class_name,
        ):
            cases.add_event(case.id, actor, "refreshed", {"detail": [case.detail, finding.detail]})
            cases.refresh(
                case.id,
                evidence=evidence,
                detail=finding.detail,
                candidates=fresh_candidates,
                class_name=class_name,
                now=now,
            )
            changes.refreshed += 1
    for case_type, case in open_cases.items():
        if case_type in found_types:
            continue
        cases.close(
            case.id,
            status=CaseStatus.CLOSED,
            actor=actor,
            reason="the next verification no longer found the problem",
            now=now,
        )
        cases.add_event(case.id, actor, "closed_by_verification")
        changes.closed += 1
    return changes
