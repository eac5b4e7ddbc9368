"""A sync's link candidates as the clerk's cases (type `link_candidate`): one per local person for whom the matcher
found likely platform records it would not link by itself, those records shown beside the school's on the case page.

A case may hold candidates of several platforms (a school synced with two); each real sync replaces only its own
platform's. A case left with none — the person or the record linked since, the record gone from the platform, the
clerk's "not this person" — closes. A pair the clerk decided never comes back: the decision is a label
(store/cases.py `pair_labels`) the matcher obeys on the next run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from edugateway.domain.entities import Entity
from edugateway.domain.snils import mask_snils
from edugateway.identity.case_types import CaseStatus, CaseType
from edugateway.identity.cases import CaseChanges
from edugateway.identity.linkage import LinkRecord
from edugateway.store.cases import Cases

# The journal entities that name a pupil: skipped by pulls while the pupil was unlinked, read again once linked.
PERSONS_JOURNAL = (Entity.MARKS.value, Entity.FINAL_MARKS.value, Entity.ATTENDANCE.value)


def shown_candidate(
    platform: str, record: LinkRecord, probability: float, agreement: Mapping[str, str]
) -> dict[str, Any]:
    """A platform's record as the case stores it: the shape of an ЕСИА candidate (identity/candidates.py)."""
    return {
        "source": platform,
        "remote_id": record.id,
        "probability": round(probability, 4),
        "last_name": record.last_name,
        "first_name": record.first_name,
        "middle_name": record.middle_name,
        "birth_date": record.birth_date.isoformat() if record.birth_date else None,
        "class_name": record.class_name,
        "snils_masked": mask_snils(record.snils) if record.snils else None,
        "agreement": dict(agreement),
    }


def _ranked(candidates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        candidates, key=lambda c: (-float(c.get("probability") or 0), str(c.get("source")), str(c.get("remote_id")))
    )


def apply_link_candidates(
    cases: Cases,
    *,
    school_id: int,
    platform: str,
    proposed: Mapping[str, list[dict[str, Any]]],
    class_names: Mapping[str, str | None],
    actor: str,
    now: dt.datetime,
) -> CaseChanges:
    """Brings the school's link cases in line with one sync: `proposed` is local person key -> this platform's
    candidates (`shown_candidate`), `class_names` the local persons' classes."""
    changes = CaseChanges()
    person_ids = cases.person_ids(school_id)
    keys = {person_id: key for key, person_id in person_ids.items()}
    seen: set[str] = set()
    for case in cases.open_of_type(school_id, CaseType.LINK_CANDIDATE, status=CaseStatus.OPEN):
        key = keys.get(case.person_id, "")
        seen.add(key)
        others = [c for c in case.candidates or [] if c.get("source") != platform]
        fresh = _ranked(others + list(proposed.get(key, [])))
        if not fresh:
            cases.close(
                case.id,
                status=CaseStatus.CLOSED,
                actor=actor,
                reason="the sync found no platform record left to ask about: linked, gone or rejected",
                now=now,
            )
            cases.add_event(case.id, actor, "closed_by_sync")
            changes.closed += 1
        elif fresh != case.candidates:
            cases.refresh(
                case.id,
                evidence=_evidence(fresh),
                detail=None,
                candidates=fresh,
                class_name=class_names.get(key),
                now=now,
            )
            cases.add_event(case.id, actor, "refreshed", {"candidates": [len(case.candidates or []), len(fresh)]})
            changes.refreshed += 1
    for key, candidates in proposed.items():
        if key in seen or not candidates or key not in person_ids:
            continue
        ranked = _ranked(list(candidates))
        case_id = cases.open(
            school_id=school_id,
            person_id=person_ids[key],
            case_type=CaseType.LINK_CANDIDATE,
            detail=None,
            class_name=class_names.get(key),
            status=CaseStatus.OPEN,
            evidence=_evidence(ranked),
            candidates=ranked,
            now=now,
        )
        cases.add_event(case_id, actor, "opened_by_sync", {"platform": platform})
        changes.opened += 1
    return changes


def _evidence(candidates: list[dict[str, Any]]) -> dict[str, Any]:
    return {"platforms": sorted({str(c.get("source")) for c in candidates})}
