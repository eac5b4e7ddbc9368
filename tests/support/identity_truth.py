"""The identity cases a verification must open for a generated school, from what was planted: the SNILS
problems of the local roster (synthetic.PlantedProblem) and the ЕСИА drift (drift.drift_esia). Tests and the
bench compare the gateway's cases with these and report precision and recall per case type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from edugateway.domain.models import Person, Role
from edugateway.domain.snils import SnilsProblem, check_snils
from edugateway.emulators.drift import DriftKind, PlantedDrift
from edugateway.emulators.synthetic import PlantedProblem
from edugateway.identity.case_types import CaseType

Expected = tuple[str, str, str | None]  # person source id, case type, detail

_ESIA_CASES: dict[DriftKind, tuple[CaseType, str | None]] = {
    DriftKind.NAME_TYPO: (CaseType.NAME_DIFFERS, "typo"),
    DriftKind.BIRTH_DATE_SWAPPED: (CaseType.BIRTH_DATE_DIFFERS, "swapped"),
    DriftKind.BIRTH_DATE_CHANGED: (CaseType.BIRTH_DATE_DIFFERS, "other"),
    DriftKind.ESIA_SNILS_UNKNOWN: (CaseType.ESIA_UNKNOWN, None),
    DriftKind.ESIA_UNTRUSTED: (CaseType.ACCOUNT_UNTRUSTED, None),
    DriftKind.ESIA_DELETED: (CaseType.ACCOUNT_DELETED, None),
    DriftKind.ESIA_NO_KID_ACCOUNT: (CaseType.NO_CHILD_ACCOUNT, None),
}
# ё written as е and Latin look-alike letters are removed by normalisation: not cases. An account under the
# real number of a mistyped SNILS is not a case either; it is the candidate the INVALID_SNILS case offers.
NOT_CASES = frozenset({DriftKind.NAME_YO, DriftKind.NAME_LATIN, DriftKind.ESIA_TYPO_ACCOUNT})

_DETAIL = {SnilsProblem.CHECKSUM: "checksum", SnilsProblem.LENGTH: "length", SnilsProblem.NON_DIGITS: "characters"}


def expected_cases(
    persons: Iterable[Person], planted_local: Mapping[str, PlantedProblem], esia: Iterable[PlantedDrift]
) -> set[Expected]:
    by_id = {p.id: p for p in persons}
    expected: set[Expected] = set()
    for person_id, problem in planted_local.items():
        person = by_id[person_id]
        if problem is PlantedProblem.SNILS_MISSING and person.roles & {Role.STUDENT, Role.TEACHER}:
            expected.add((person_id, CaseType.MISSING_SNILS.value, None))
        elif problem in (PlantedProblem.SNILS_TYPO, PlantedProblem.SNILS_MALFORMED):
            verdict = check_snils(person.snils_rejected or "")
            detail = _DETAIL.get(verdict.problem) if verdict.problem else None
            expected.add((person_id, CaseType.INVALID_SNILS.value, detail))
        elif problem is PlantedProblem.SNILS_DUPLICATE:
            expected.add((person_id, CaseType.DUPLICATE_SNILS.value, None))
    for drift in esia:
        if drift.kind in NOT_CASES or drift.kind not in _ESIA_CASES:
            continue
        if not by_id[drift.person_id].snils:
            continue  # drift on a person ЕСИА is never asked about (no valid SNILS locally)
        case_type, detail = _ESIA_CASES[drift.kind]
        expected.add((drift.person_id, case_type.value, detail))
    return expected


@dataclass(frozen=True)
class Score:
    case_type: str
    expected: int
    found: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


def score(expected: set[Expected], found: set[Expected]) -> list[Score]:
    """Precision and recall per case type; a case with the right type but the wrong detail counts as wrong."""
    types = sorted({e[1] for e in expected} | {f[1] for f in found})
    return [
        Score(
            case_type=t,
            expected=sum(1 for e in expected if e[1] == t),
            found=sum(1 for f in found if f[1] == t),
            correct=sum(1 for f in found & expected if f[1] == t),
        )
        for t in types
    ]
