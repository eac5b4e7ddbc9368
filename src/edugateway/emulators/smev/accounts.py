"""ЕСИА accounts for the persons of a school: who has one, and in which state."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from edugateway.domain.models import Person, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.domain.snils import format_snils
from edugateway.emulators.smev.world import Row, SmevWorld

_OID_BASE = 1_000_000_000  # ten-digit oids, like 1000404446 in ЕСИА's samples
_OID_SPAN = 9_000_000_000
_UPDATED_FROM = 1_500_000_000  # 2017-07
_UPDATED_SPAN = 250_000_000  # about eight years
_FLAGS = {"trusted", "status", "kidAccCreatedByParent"}


def esia_oid(person_id: str, attempt: int = 0) -> int:
    """A deterministic oid for a local person (tests and the world builder only; a connector learns oids
    from ЕСИА)."""
    digest = hashlib.sha256(f"esia-oid\x1f{person_id}\x1f{attempt}".encode()).digest()
    return _OID_BASE + int.from_bytes(digest[:8], "big") % _OID_SPAN


def world_from_snapshot(snapshot: SchoolSnapshot, extras: dict[str, dict[str, Any]]) -> SmevWorld:
    """Accounts for every person with a СНИЛС, as ЕСИА knows them (`snapshot` from `drift_esia`).

    `extras[person_id]` is `{"missing": True}` (no account), or overrides one of `trusted`, `status`,
    `kidAccCreatedByParent` (`drift_esia` gives every student the state normal at their age: under 14 an
    unconfirmed child account made by a parent, from 14 their own confirmed one); a flag `extras` leaves out
    is a trusted REGISTERED account, for a student a child account made by a parent. ЕСИА holds one account
    per SNILS: where two persons share one, the first holds the account.
    """
    persons: list[Row] = []
    taken: set[int] = set()
    seen_snils: set[str] = set()
    for person in snapshot.persons:
        flags = extras.get(person.id, {})
        if not person.snils or flags.get("missing") or person.snils in seen_snils:
            continue  # one account per SNILS: a copied SNILS leads to its first holder's account
        seen_snils.add(person.snils)
        unknown = set(flags) - _FLAGS
        if unknown:
            raise ValueError(f"person {person.id}: unknown ЕСИА account flag(s) {sorted(unknown)}")
        oid = _free_oid(person.id, taken)
        persons.append(_account(person, oid, flags))
    return SmevWorld(persons=persons)


def _free_oid(person_id: str, taken: set[int]) -> int:
    attempt = 0
    while (oid := esia_oid(person_id, attempt)) in taken:
        attempt += 1
    taken.add(oid)
    return oid


def _account(person: Person, oid: int, flags: dict[str, Any]) -> Row:
    assert person.snils is not None
    row: Row = {"oid": oid, "stateFacts": ["EntityRoot"], "firstName": person.first_name, "lastName": person.last_name}
    if person.middle_name:
        row["middleName"] = person.middle_name
    if person.birth_date:
        row["birthDate"] = person.birth_date.strftime("%d.%m.%Y")
    if person.gender:
        row["gender"] = person.gender.value
    row |= {
        "trusted": bool(flags.get("trusted", True)),
        "citizenship": "RUS",
        "snils": format_snils(person.snils),
        "updatedOn": _UPDATED_FROM + oid % _UPDATED_SPAN,
        "status": str(flags.get("status", "REGISTERED")),
        "verifying": False,
        "containsUpCfmCode": False,
        "kidAccCreatedByParent": bool(flags.get("kidAccCreatedByParent", Role.STUDENT in person.roles)),
    }
    # ЕСИА's eTag is an upper-case SHA-1 of the record; any stable digest of the content does here.
    content = json.dumps(row, sort_keys=True, ensure_ascii=False).encode()
    row["eTag"] = hashlib.sha1(content, usedforsecurity=False).hexdigest().upper()
    return row
