"""Candidates for a person whose SNILS is wrong: the ЕСИА accounts of the valid numbers one slip away from a
mistyped one, ranked by the record-linkage model against the person.

Only numbers one typing slip away are asked about, and only accounts the model finds likely enough are kept
(the others are dropped at once, not stored): the gateway must not turn into a way of browsing strangers'
accounts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from edugateway.connectors.esia import LookupResult
from edugateway.domain.esia_account import EsiaAccount
from edugateway.domain.snils import mask_snils, one_slip_away
from edugateway.identity.case_types import CaseType
from edugateway.identity.findings import Finding, LocalPerson
from edugateway.identity.linkage import Candidate, LinkRecord, link

ESIA = "esia"
_GENDER = {"M": "m", "F": "f"}


def _person_record(person: LocalPerson, class_name: str | None) -> LinkRecord:
    return LinkRecord(
        id=str(person.id),
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        birth_date=person.birth_date,
        gender=None,
        class_name=class_name,
        snils=None,  # the person's own number is the wrong one: it must not weigh in
    )


def _account_record(key: str, account: EsiaAccount) -> LinkRecord:
    return LinkRecord(
        id=key,
        last_name=account.last_name,
        first_name=account.first_name,
        middle_name=account.middle_name,
        birth_date=account.birth_date,
        gender=_GENDER.get(account.gender.value) if account.gender else None,
        class_name=None,
        snils=None,
    )


def _shown(candidate: Candidate, account: EsiaAccount) -> dict[str, Any]:
    return {
        "source": ESIA,
        "remote_id": str(account.oid),
        "probability": round(candidate.probability, 4),
        "last_name": account.last_name,
        "first_name": account.first_name,
        "middle_name": account.middle_name,
        "birth_date": account.birth_date.isoformat() if account.birth_date else None,
        "class_name": None,
        "snils": account.snils,  # what linking this candidate writes to the person
        "snils_masked": mask_snils(account.snils),
        "trusted": account.trusted,
        "agreement": dict(candidate.agreement),
    }


def rank_account_candidates(
    checked: Sequence[tuple[LocalPerson, Sequence[Finding]]],
    answers: LookupResult,
    classes: Mapping[int, str],
    rejected: Mapping[int, set[tuple[str, str]]],
    *,
    min_probability: float,
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """person id -> {case type: ranked candidates} for the persons with a mistyped SNILS (checksum fails)."""
    left: list[LinkRecord] = []
    right: list[LinkRecord] = []
    accounts: dict[str, EsiaAccount] = {}
    for person, findings in checked:
        if not any(f.case_type is CaseType.INVALID_SNILS and f.detail == "checksum" for f in findings):
            continue
        own = [
            (number, account)
            for number in one_slip_away(person.snils_rejected or "")
            if (account := answers.accounts.get(number)) is not None
            and (ESIA, str(account.oid)) not in rejected.get(person.id, set())
        ]
        if not own:
            continue
        left.append(_person_record(person, classes.get(person.id)))
        for _number, account in own:
            key = f"{person.id}:{account.oid}"
            accounts[key] = account
            right.append(_account_record(key, account))
    if not left:
        return {}
    ranked: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for candidate in link(left, right, min_probability=min_probability, top_n=10):
        if not candidate.right_id.startswith(f"{candidate.left_id}:"):
            continue  # another person's slip-away account: not a candidate for this one
        person_id = int(candidate.left_id)
        shown = ranked.setdefault(person_id, {}).setdefault(CaseType.INVALID_SNILS.value, [])
        shown.append(_shown(candidate, accounts[candidate.right_id]))
    for per_type in ranked.values():
        for shown in per_type.values():
            shown.sort(key=lambda c: -float(c["probability"]))
    return ranked
