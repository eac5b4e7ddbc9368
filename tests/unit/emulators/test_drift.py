import datetime as dt
import random
from collections import Counter

import pytest

from edugateway.emulators.drift import LOOKALIKES, DriftKind, DriftProfile, drift_esia, drift_roster
from edugateway.emulators.synthetic import generate_school


@pytest.fixture(scope="module")
def school():  # type: ignore[no-untyped-def]
    return generate_school(seed=5, students=400, classes=16).snapshot


def test_no_drift_is_an_exact_copy(school) -> None:  # type: ignore[no-untyped-def]
    copy, planted = drift_roster(school, "dnevnik", DriftProfile.named("none"), random.Random(1))
    assert planted == []
    assert copy == school


def test_every_planted_difference_is_really_there_and_nothing_else(school) -> None:  # type: ignore[no-untyped-def]
    copy, planted = drift_roster(school, "dnevnik", DriftProfile.named("heavy"), random.Random(2))
    kinds = Counter(d.kind for d in planted)
    assert {
        DriftKind.MISSING_ON_PLATFORM,
        DriftKind.EXTRA_ON_PLATFORM,
        DriftKind.NAME_TYPO,
        DriftKind.NAME_LATIN,
        DriftKind.BIRTH_DATE_SWAPPED,
        DriftKind.BIRTH_DATE_CHANGED,
    } <= set(kinds)
    local = {p.id: p for p in school.persons}
    remote = {p.id: p for p in copy.persons}
    by_person = {d.person_id: d for d in planted}
    assert len(by_person) == len(planted)  # one difference per person, so each is unambiguous
    for pid, person in local.items():
        drift = by_person.get(pid)
        if drift is None:
            assert remote[pid] == person
        elif drift.kind is DriftKind.MISSING_ON_PLATFORM:
            assert pid not in remote
        else:
            assert drift.field is not None
            changed = {
                f
                for f in ("last_name", "first_name", "middle_name", "birth_date")
                if getattr(person, f) != getattr(remote[pid], f)
            }
            assert changed == {drift.field}
            if drift.kind is DriftKind.NAME_LATIN:
                assert any(c in LOOKALIKES.values() for c in getattr(remote[pid], drift.field))
    extras = set(remote) - set(local)
    assert extras == {d.person_id for d in planted if d.kind is DriftKind.EXTRA_ON_PLATFORM}


def test_esia_flags_are_planted_on_persons_with_snils(school) -> None:  # type: ignore[no-untyped-def]
    copy, extras, planted = drift_esia(school, DriftProfile.named("heavy"), random.Random(3), dt.date(2026, 11, 1))
    local = {p.id: p for p in school.persons}
    kinds = Counter(d.kind for d in planted)
    assert kinds[DriftKind.ESIA_SNILS_UNKNOWN] > 0
    assert kinds[DriftKind.ESIA_UNTRUSTED] > 0
    for d in planted:
        if d.kind.name.startswith("ESIA"):
            assert local[d.person_id].snils
            assert d.person_id in extras
    assert len(copy.persons) == len(school.persons)
