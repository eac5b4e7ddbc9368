"""A night's local changes to the school, made the way a school makes them: the roster is edited and imported again
as a whole (OneRoster, bulk), so the importer creates, updates and deactivates, and the ЕЦП push has work."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from edugateway.domain.models import Enrollment, Gender, Person, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators.russian_names import FEMALE_NAMES, MALE_NAMES, SURNAMES, female_surname, patronymic, pick
from edugateway.emulators.synthetic import random_snils
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster


def _pupils(snapshot: SchoolSnapshot) -> list[Person]:
    return [p for p in snapshot.persons if Role.STUDENT in p.roles]


def _homerooms(snapshot: SchoolSnapshot) -> list[str]:
    return [c.id for c in snapshot.classes if c.parent_id is None]


def _surname(rng: random.Random, gender: Gender | None) -> str:
    male = pick(rng, SURNAMES)
    return female_surname(male) if gender is Gender.FEMALE else male


def rename(snapshot: SchoolSnapshot, rng: random.Random) -> SchoolSnapshot:
    """A pupil's surname or first name corrected."""
    pupil = rng.choice(_pupils(snapshot))
    if rng.random() < 0.5:
        edited = pupil.model_copy(update={"last_name": _surname(rng, pupil.gender)})
    else:
        names = FEMALE_NAMES if pupil.gender is Gender.FEMALE else MALE_NAMES
        edited = pupil.model_copy(update={"first_name": pick(rng, names)})
    persons = [edited if p.id == pupil.id else p for p in snapshot.persons]
    return snapshot.model_copy(update={"persons": persons})


def move(snapshot: SchoolSnapshot, rng: random.Random) -> SchoolSnapshot:
    """A pupil moved to another class: the old enrollments (homeroom and its subgroups) end, a new one starts."""
    homerooms = _homerooms(snapshot)
    pupil = rng.choice(_pupils(snapshot))
    current = {e.class_id for e in snapshot.enrollments if e.person_id == pupil.id}
    targets = [c for c in homerooms if c not in current]
    if not targets:
        return snapshot
    target = rng.choice(targets)
    since = next(
        (e.start_date for e in snapshot.enrollments if e.person_id == pupil.id and e.class_id in homerooms), None
    )
    kept = [e for e in snapshot.enrollments if e.person_id != pupil.id]
    kept.append(Enrollment(id=f"enr-{target}-{pupil.id}", person_id=pupil.id, class_id=target, start_date=since))
    return snapshot.model_copy(update={"enrollments": kept})


def admit(snapshot: SchoolSnapshot, rng: random.Random, new_id: str) -> SchoolSnapshot:
    """A new pupil, with a valid SNILS, in a random class."""
    gender = rng.choice((Gender.MALE, Gender.FEMALE))
    names = FEMALE_NAMES if gender is Gender.FEMALE else MALE_NAMES
    template = rng.choice(_pupils(snapshot))  # a pupil of about the right age
    pupil = Person(
        id=new_id,
        roles=frozenset({Role.STUDENT}),
        last_name=_surname(rng, gender),
        first_name=pick(rng, names),
        middle_name=patronymic(pick(rng, MALE_NAMES), female=gender is Gender.FEMALE),
        birth_date=template.birth_date,
        gender=gender,
        snils=random_snils(rng),
    )
    homeroom = rng.choice(_homerooms(snapshot))
    enrollment = Enrollment(id=f"enr-{homeroom}-{new_id}", person_id=new_id, class_id=homeroom)
    return snapshot.model_copy(
        update={"persons": [*snapshot.persons, pupil], "enrollments": [*snapshot.enrollments, enrollment]}
    )


def withdraw(snapshot: SchoolSnapshot, rng: random.Random) -> SchoolSnapshot:
    """A pupil left: gone from the roster file, so the bulk import deactivates them; their parents stay."""
    pupil = rng.choice(_pupils(snapshot))
    return snapshot.model_copy(
        update={
            "persons": [p for p in snapshot.persons if p.id != pupil.id],
            "enrollments": [e for e in snapshot.enrollments if e.person_id != pupil.id],
            "parent_links": [link for link in snapshot.parent_links if link.child_id != pupil.id],
        }
    )


def change(snapshot: SchoolSnapshot, rng: random.Random, night: int) -> tuple[SchoolSnapshot, Counter[str]]:
    """One night's edits: a rename or two, sometimes a move, an admission or a withdrawal."""
    done: Counter[str] = Counter()
    for _ in range(rng.randint(1, 2)):
        snapshot = rename(snapshot, rng)
        done["renamed"] += 1
    if rng.random() < 0.3:
        snapshot = move(snapshot, rng)
        done["moved"] += 1
    if rng.random() < 0.25:
        snapshot = admit(snapshot, rng, f"s9{night:04d}")
        done["admitted"] += 1
    if rng.random() < 0.15 and len(_pupils(snapshot)) > 10:
        snapshot = withdraw(snapshot, rng)
        done["withdrawn"] += 1
    return snapshot, done


def import_roster(db: Database, snapshot: SchoolSnapshot, directory: Path) -> None:
    """The whole roster written as OneRoster files and imported (bulk), as the school's nightly export would be."""
    write_oneroster(snapshot, directory)
    apply_roster(db, read_oneroster(directory), snapshot.school.code)
