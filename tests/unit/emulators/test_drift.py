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
    typo_accounts = [d for d in planted if d.kind is DriftKind.ESIA_TYPO_ACCOUNT]
    for d in planted:
        if d.kind is DriftKind.ESIA_TYPO_ACCOUNT:
            continue
        if d.kind.name.startswith("ESIA"):
            assert local[d.person_id].snils
            assert d.person_id in extras
    assert len(copy.persons) == len(school.persons) + len(typo_accounts)


def test_a_mistyped_snils_has_its_account_one_slip_away(school) -> None:  # type: ignore[no-untyped-def]
    from edugateway.domain.snils import SnilsProblem, check_snils, normalize_snils, one_slip_away

    copy, _, planted = drift_esia(school, DriftProfile.named("none"), random.Random(3), dt.date(2026, 11, 1))
    mistyped = {
        p.id: p.snils_rejected
        for p in school.persons
        if p.snils_rejected and check_snils(p.snils_rejected).problem is SnilsProblem.CHECKSUM
    }
    assert mistyped
    accounts = {d.person_id: normalize_snils(str(d.remote)) for d in planted if d.kind is DriftKind.ESIA_TYPO_ACCOUNT}
    assert set(accounts) == set(mistyped)
    held = {p.snils for p in copy.persons if p.snils}
    for person_id, real in accounts.items():
        assert real in one_slip_away(mistyped[person_id] or "")
        assert real in held


def test_journal_drift_plants_late_marks_and_finals_changed_after_close() -> None:
    from edugateway.domain.models import MarkKind
    from edugateway.emulators.drift import drift_journal
    from edugateway.emulators.journal import generate_journal

    base = generate_school(seed=8, students=60, classes=4).snapshot
    journal = generate_journal(base, until=dt.date(2026, 12, 20), seed=3)
    copy, planted = drift_journal(journal, DriftProfile.named("heavy"), random.Random(4))
    kinds = Counter(d.kind for d in planted)
    assert kinds[DriftKind.MARK_LATE] > 0
    assert kinds[DriftKind.FINAL_CHANGED_AFTER_CLOSE] > 0
    before = {m.id: m for m in journal.marks}
    after = {m.id: m for m in copy.marks}
    periods = {p.id: p for p in journal.periods}
    touched = {d.record_id for d in planted}
    changed_marks = (DriftKind.MARK_LATE, DriftKind.FINAL_CHANGED_AFTER_CLOSE)
    for d in (d for d in planted if d.kind in changed_marks):
        old, new = before[d.record_id or ""], after[d.record_id or ""]
        assert old.date is not None
        assert new.date is not None
        if d.kind is DriftKind.MARK_LATE:
            assert old.kind is MarkKind.LESSON
            assert (new.date - old.date).days > 7
            assert new.value == old.value
        else:
            assert new.value != old.value
            assert new.date > periods[old.period_id or ""].end_date
    # the compliance drift removes marks (finals missing, students left without marks) but changes no other
    assert all(after[mid] == m for mid, m in before.items() if mid not in touched and mid in after)
    none, nothing = drift_journal(journal, DriftProfile.named("none"), random.Random(4))
    assert nothing == []
    assert none == journal


def test_a_latin_passport_name_is_one_of_the_passport_schemes() -> None:
    from edugateway.domain.transliteration import latin_key
    from edugateway.emulators.drift import latin_passport_name

    written = {latin_passport_name(random.Random(seed), "Юлия") for seed in range(40)}
    assert written == {"Iuliia", "Yuliya"}
    assert {latin_key(w.lower()) for w in written} == {latin_key("юлия")}


def test_a_second_surname_is_added_or_one_of_two_dropped() -> None:
    from edugateway.emulators.drift import with_second_surname

    taken = {with_second_surname(random.Random(seed), "Петрова", "Соколова") for seed in range(40)}
    assert taken == {"Петрова-Соколова", "Соколова-Петрова"}
    dropped = {with_second_surname(random.Random(seed), "Петрова-Соколова", "Иванова") for seed in range(40)}
    assert dropped == {"Петрова", "Соколова"}


def test_the_identity_drift_profile_has_every_kind_issue_15_names() -> None:
    from edugateway.emulators.drift import IdentityDriftProfile

    profile = IdentityDriftProfile()
    for kind in (
        DriftKind.LATIN_TRANSLITERATION,
        DriftKind.DOUBLE_SURNAME,
        DriftKind.MISSING_PATRONYMIC,
        DriftKind.MISSING_SNILS,
    ):
        assert 0 < getattr(profile, kind.value) < 0.05
    assert 0 < profile.twins < profile.siblings < 1


def test_a_students_usual_account_follows_the_age_the_school_records(school) -> None:  # type: ignore[no-untyped-def]
    """The verification counts ages from the local birth date: a changed date on the ЕСИА copy must not turn a
    13-year-old's normal child account into a 14-year-old's unconfirmed one (a case nobody planted)."""
    from edugateway.domain.models import Role
    from edugateway.identity.account_rule import is_under_child_account_age

    today = dt.date(2026, 11, 1)
    only_dates = DriftProfile.named("none").model_copy(update={"birth_date_changed": 1.0})
    copy, extras, _ = drift_esia(school, only_dates, random.Random(3), today)
    remote = {p.id: p for p in copy.persons}
    crossed = 0
    for person in school.persons:
        if Role.STUDENT not in person.roles or not person.snils:
            continue
        young = is_under_child_account_age(person.birth_date, today)
        crossed += young != is_under_child_account_age(remote[person.id].birth_date, today)
        assert extras[person.id] == {"trusted": not young, "kidAccCreatedByParent": young}
    assert crossed > 0, "some ЕСИА dates must fall on the other side of the 14th birthday"
