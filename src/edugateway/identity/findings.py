"""What is wrong with a person's SNILS, judged from the local record and ЕСИА's answer. Pure functions.

Names are compared after normalisation (ё=е, case, spaces, hyphens, Latin look-alike letters): a Latin «а»
typed on the wrong keyboard is not a difference a clerk has to fix. What is left after normalisation is a
typo when it is a small edit and the birth date agrees, otherwise the account is probably another person's.
Whether the account's kind and confirmation suit the person's age is `account_rule`'s to say.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from edugateway.domain.esia_account import AccountStatus, EsiaAccount
from edugateway.domain.snils import SnilsProblem, check_snils, mask_snils
from edugateway.identity.account_rule import account_kind_cases
from edugateway.identity.case_types import CaseType
from edugateway.mapping.names import normalize_name

NAME_FIELDS = ("last_name", "first_name", "middle_name")
# Above this similarity of a differing name field (and with the same birth date) the difference is a typo.
TYPO_SIMILARITY = 0.75
# Roles that must reach the platform through their own Госуслуги account (seed 000, item 4).
SNILS_REQUIRED_ROLES = frozenset({"student", "teacher"})

_PROBLEM_DETAIL = {
    SnilsProblem.CHECKSUM: "checksum",
    SnilsProblem.LENGTH: "length",
    SnilsProblem.NON_DIGITS: "characters",
    SnilsProblem.EMPTY: "length",
}


@dataclass(frozen=True)
class LocalPerson:
    """The fields of a local person a check looks at."""

    id: int
    roles: frozenset[str]
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: dt.date | None
    snils: str | None  # 11 digits, valid
    snils_rejected: str | None  # the value as entered when it was refused (invalid, or another person's)

    @property
    def claimed_snils(self) -> str | None:
        """The 11 digits this person's record claims: its own SNILS or a valid number another person holds."""
        if self.snils:
            return self.snils
        if self.snils_rejected:
            verdict = check_snils(self.snils_rejected)
            return verdict.digits if verdict.valid else None
        return None

    def digest(self) -> str:
        """Changes whenever a field the check depends on changes; an unchanged person need not be asked again."""
        fields = [
            ",".join(sorted(self.roles)),
            self.last_name,
            self.first_name,
            self.middle_name or "",
            self.birth_date.isoformat() if self.birth_date else "",
            self.snils or "",
            self.snils_rejected or "",
        ]
        return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


@dataclass(frozen=True)
class Finding:
    case_type: CaseType
    detail: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    def evidence_digest(self) -> str:
        """What a clerk's "not an error" decision was made on: new evidence makes it a new question."""
        text = json.dumps([self.case_type, self.detail, self.evidence], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def snils_findings(person: LocalPerson) -> list[Finding]:
    """Problems visible without asking ЕСИА: no SNILS where one is required, a value that is not a SNILS."""
    if person.snils:
        return []
    if person.snils_rejected:
        verdict = check_snils(person.snils_rejected)
        if not verdict.valid:
            assert verdict.problem is not None
            return [
                Finding(
                    CaseType.INVALID_SNILS,
                    _PROBLEM_DETAIL[verdict.problem],
                    {"entered": mask_snils(person.snils_rejected), "reason": verdict.message},
                )
            ]
        return []  # a valid number someone else holds: a duplicate, judged with ЕСИА's answer
    if person.roles & SNILS_REQUIRED_ROLES:
        return [Finding(CaseType.MISSING_SNILS)]
    return []


def _similar(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    return 1.0 if a == b else SequenceMatcher(None, a, b).ratio()


def name_differences(person: LocalPerson, account: EsiaAccount) -> dict[str, list[str | None]]:
    """{field: [local, ЕСИА]} for the name fields that differ after normalisation. A middle name that one side
    lacks is not a difference (ЕСИА and schools both leave it empty for people who have none on record)."""
    differing: dict[str, list[str | None]] = {}
    for name in NAME_FIELDS:
        local, remote = getattr(person, name), getattr(account, name)
        if name == "middle_name" and (not local or not remote):
            continue
        if normalize_name(local) != normalize_name(remote):
            differing[name] = [local, remote]
    return differing


def _names_close(differing: Mapping[str, list[str | None]]) -> bool:
    """Every differing name field is a small edit of the other (a typo), not another name."""
    return all(_similar(normalize_name(a), normalize_name(b)) >= TYPO_SIMILARITY for a, b in differing.values())


def _date_detail(local: dt.date, remote: dt.date) -> str:
    swapped = local.year == remote.year and local.month == remote.day and local.day == remote.month
    return "swapped" if swapped else "other"


def belongs_to(person: LocalPerson, account: EsiaAccount) -> bool:
    """Whether the account is plausibly this person's: names equal or a typo away, and the same birth date when
    both have one (used to tell which of two persons claiming one SNILS owns it)."""
    differing = name_differences(person, account)
    names_close = _names_close(differing)
    dates_agree = person.birth_date is None or account.birth_date is None or person.birth_date == account.birth_date
    return names_close and (dates_agree or not differing)


def account_findings(person: LocalPerson, account: EsiaAccount | None, today: dt.date) -> list[Finding]:
    """Problems with the ЕСИА account found for the person's SNILS (`None`: ЕСИА has no account for it)."""
    if account is None:
        snils = person.claimed_snils or ""
        return [Finding(CaseType.ESIA_UNKNOWN, None, {"snils": mask_snils(snils)})]
    if account.status is AccountStatus.DELETED:
        return [Finding(CaseType.ACCOUNT_DELETED, None, {"oid": account.oid})]
    findings: list[Finding] = []
    names = name_differences(person, account)
    local_date, esia_date = person.birth_date, account.birth_date
    dates_differ = local_date is not None and esia_date is not None and local_date != esia_date
    if names:
        typo = not dates_differ and _names_close(names)
        findings.append(Finding(CaseType.NAME_DIFFERS, "typo" if typo else "other_person", {"fields": names}))
    if local_date is not None and esia_date is not None and local_date != esia_date:
        findings.append(
            Finding(
                CaseType.BIRTH_DATE_DIFFERS,
                _date_detail(local_date, esia_date),
                {"fields": {"birth_date": [local_date.isoformat(), esia_date.isoformat()]}},
            )
        )
    kind_cases = account_kind_cases(
        student="student" in person.roles,
        birth_date=person.birth_date,
        trusted=account.trusted,
        kid_acc_created_by_parent=account.kid_acc_created_by_parent,
        day=today,
    )
    findings += [Finding(case_type, None, {"oid": account.oid}) for case_type in kind_cases]
    return findings


def snils_holders(persons: Iterable[LocalPerson]) -> dict[str, list[LocalPerson]]:
    """11 digits -> the persons whose records claim that number (own or rejected as another's)."""
    holders: dict[str, list[LocalPerson]] = {}
    for person in persons:
        claimed = person.claimed_snils
        if claimed:
            holders.setdefault(claimed, []).append(person)
    return holders


def duplicate_findings(
    holders: Sequence[LocalPerson], account: EsiaAccount | None
) -> tuple[LocalPerson | None, dict[int, Finding]]:
    """For persons claiming one SNILS: its owner (the one the ЕСИА account matches; None when it matches none or
    more than one) and a duplicate finding for each of the others."""
    owners = [p for p in holders if account is not None and belongs_to(p, account)]
    owner = owners[0] if len(owners) == 1 else None
    findings = {
        p.id: Finding(
            CaseType.DUPLICATE_SNILS,
            None,
            {
                "other_person_ids": sorted(o.id for o in holders if o.id != p.id),
                "account_owner_id": owner.id if owner else None,
            },
        )
        for p in holders
        if p is not owner
    }
    return owner, findings


def account_summary(account: EsiaAccount) -> dict[str, Any]:
    """The ЕСИА answer as stored with a check and shown to the clerk (no SNILS: the record has it already)."""
    return {
        "oid": account.oid,
        "last_name": account.last_name,
        "first_name": account.first_name,
        "middle_name": account.middle_name,
        "birth_date": account.birth_date.isoformat() if account.birth_date else None,
        "gender": account.gender.value if account.gender else None,
        "trusted": account.trusted,
        "status": account.status.value,
        "kid_acc_created_by_parent": account.kid_acc_created_by_parent,
    }


def labels_suppress(finding: Finding, dismissed: Mapping[str, set[str]]) -> bool:
    """A clerk said "not an error" for this case type on exactly this evidence."""
    return finding.evidence_digest() in dismissed.get(finding.case_type, set())
