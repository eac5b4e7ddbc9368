"""A table export carries no ids: `import table` derives them from the rows (store/table_roster.py). Into a school
whose roster came from elsewhere (OneRoster, the XLSX template) those derived ids would double every class and
person. So before applying, a derived id is replaced by the stored record's where the school already holds the
same homeroom class (its name, without spaces and in capitals, in the same school year) or the same person (the
same СНИЛС; without one, the same names and birth date), and only where exactly one stored record matches.

An export also leaves cells empty that the school's system simply does not fill (a СНИЛС not entered there yet,
a class place's start date it never had): an empty cell keeps what the school stores rather than erasing it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from sqlalchemy import select

from edugateway.domain.entities import RecordKind
from edugateway.domain.models import Enrollment, Person, Role, SchoolClass
from edugateway.store.db import Database
from edugateway.store.roster import Incoming, ParsedRoster
from edugateway.store.tables import ClassRow, EnrollmentRow, PersonRow, SchoolRow
from edugateway.store.xlsx_roster import derived_enrollment_id

DERIVED = "tbl-"
# Person fields an empty cell leaves as stored (the names are never empty: the reader rejects such a row).
KEPT_WHEN_EMPTY = ("middle_name", "birth_date", "gender", "snils", "email", "phone")


def _class_key(name: str, year: int) -> tuple[str, int]:
    return "".join(name.split()).upper(), year


def _name_key(last: str, first: str, middle: str | None, birth: object) -> tuple[str, ...]:
    names = tuple(" ".join(p.split()).lower().replace("ё", "е") for p in (last, first, middle or ""))
    return (*names, str(birth))


class _Stored:
    """The school's stored homeroom classes and persons, by the keys an export can match them on."""

    def __init__(self, db: Database, school_code: str) -> None:
        self.classes: dict[tuple[str, int], list[str]] = defaultdict(list)
        self.by_snils: dict[str, list[str]] = defaultdict(list)
        self.by_name: dict[tuple[str, ...], list[str]] = defaultdict(list)
        self.roles: dict[str, frozenset[Role]] = {}
        self.dates: dict[tuple[str, str, str], tuple[object, object]] = {}  # active place -> start, end
        with db.session() as session:
            school_id = session.scalar(select(SchoolRow.id).where(SchoolRow.code == school_code))
            if school_id is None:
                return
            for sid, name, year in session.execute(
                select(ClassRow.source_id, ClassRow.name, ClassRow.academic_year).where(
                    ClassRow.school_id == school_id, ClassRow.parent_id.is_(None)
                )
            ):
                self.classes[_class_key(name, year)].append(sid)
            rows = session.execute(
                select(
                    PersonRow.source_id,
                    PersonRow.snils,
                    PersonRow.last_name,
                    PersonRow.first_name,
                    PersonRow.middle_name,
                    PersonRow.birth_date,
                    PersonRow.roles,
                ).where(PersonRow.school_id == school_id)
            )
            for sid, snils, last, first, middle, birth, roles in rows:
                if snils:
                    self.by_snils["".join(c for c in snils if c.isdigit())].append(sid)
                if birth is not None:
                    self.by_name[_name_key(last, first, middle, birth)].append(sid)
                self.roles[sid] = frozenset(Role(r) for r in roles.split(",") if r)
            places = session.execute(
                select(
                    PersonRow.source_id,
                    ClassRow.source_id,
                    EnrollmentRow.role,
                    EnrollmentRow.start_date,
                    EnrollmentRow.end_date,
                )
                .join(PersonRow, PersonRow.id == EnrollmentRow.person_id)
                .join(ClassRow, ClassRow.id == EnrollmentRow.class_id)
                .where(EnrollmentRow.school_id == school_id, EnrollmentRow.active.is_(True))
            )
            for person, cls, role, start, end in places:
                self.dates[(person, cls, role)] = (start, end)

    def person(self, person: Person) -> str | None:
        if person.snils:
            found = self.by_snils.get("".join(c for c in person.snils if c.isdigit()), [])
        elif person.birth_date is not None:
            found = self.by_name.get(
                _name_key(person.last_name, person.first_name, person.middle_name, person.birth_date), []
            )
        else:
            found = []
        return found[0] if len(found) == 1 else None


def adopt_stored_ids(db: Database, roster: ParsedRoster, school_code: str) -> None:
    """Rewrites `roster`'s derived class and person ids to the stored records' ids they match (module docstring),
    with their class places; a matched person keeps the roles the school stores besides the file's, and empty
    cells keep stored values. Says in the roster's notes how many were matched."""
    stored = _Stored(db, school_code)
    class_ids: dict[str, str] = {}
    for inc in roster.classes:
        found = stored.classes.get(_class_key(inc.record.name, inc.record.academic_year), [])
        if inc.record.id.startswith(DERIVED) and len(found) == 1 and found[0] != inc.record.id:
            class_ids[inc.record.id] = found[0]
    person_ids: dict[str, str] = {}
    taken: set[str] = set()
    for pin in roster.persons:
        match = stored.person(pin.record) if pin.record.id.startswith(DERIVED) else None
        if match is not None and match != pin.record.id and match not in taken:
            person_ids[pin.record.id] = match
            taken.add(match)
    if class_ids or person_ids:
        _rename(roster, class_ids, person_ids, stored)
    _keep_stored_values(roster, stored)


def _rename(roster: ParsedRoster, class_ids: dict[str, str], person_ids: dict[str, str], stored: _Stored) -> None:
    old_places = {inc.record.id for inc in roster.enrollments}
    roster.classes = [_renamed_class(inc, class_ids) for inc in roster.classes]
    roster.persons = [_renamed_person(inc, person_ids, stored.roles) for inc in roster.persons]
    roster.enrollments = [_renamed_place(inc, person_ids, class_ids) for inc in roster.enrollments]
    for kind, ids in ((RecordKind.CLASS, class_ids), (RecordKind.PERSON, person_ids)):
        seen = roster.seen_ids.get(kind, set())
        roster.seen_ids[kind] = {ids.get(sid, sid) for sid in seen}
    seen_places = roster.seen_ids.get(RecordKind.ENROLLMENT, set()) - old_places
    roster.seen_ids[RecordKind.ENROLLMENT] = seen_places | {inc.record.id for inc in roster.enrollments}
    roster.notes.append(
        f"matched to the school's stored records: {len(class_ids)} classes by name and year, {len(person_ids)} "
        "persons by СНИЛС or by names and birth date; they are updated, not added again"
    )


def _renamed_class(inc: Incoming[SchoolClass], ids: dict[str, str]) -> Incoming[SchoolClass]:
    new = ids.get(inc.record.id)
    return inc if new is None else replace(inc, record=inc.record.model_copy(update={"id": new}))


def _renamed_person(inc: Incoming[Person], ids: dict[str, str], roles: dict[str, frozenset[Role]]) -> Incoming[Person]:
    new = ids.get(inc.record.id)
    if new is None:
        return inc
    update = {"id": new, "roles": inc.record.roles | roles.get(new, frozenset())}
    return replace(inc, record=inc.record.model_copy(update=update))


def _renamed_place(inc: Incoming[Enrollment], persons: dict[str, str], classes: dict[str, str]) -> Incoming[Enrollment]:
    e = inc.record
    person, cls = persons.get(e.person_id, e.person_id), classes.get(e.class_id, e.class_id)
    if (person, cls) == (e.person_id, e.class_id):
        return inc
    update = {"person_id": person, "class_id": cls, "id": derived_enrollment_id(person, cls, e.role)}
    return replace(inc, record=e.model_copy(update=update))


def _keep_stored_values(roster: ParsedRoster, stored: _Stored) -> None:
    """Empty cells of persons and class places the school already stores keep the stored values."""
    roster.persons = [
        replace(inc, keep=inc.keep | {f for f in KEPT_WHEN_EMPTY if getattr(inc.record, f) is None})
        if inc.record.id in stored.roles
        else inc
        for inc in roster.persons
    ]
    kept: list[Incoming[Enrollment]] = []
    for inc in roster.enrollments:
        e = inc.record
        dates = stored.dates.get((e.person_id, e.class_id, e.role.value))
        if dates is not None and e.start_date is None and e.end_date is None:
            inc = replace(inc, record=e.model_copy(update={"start_date": dates[0], "end_date": dates[1]}))
        kept.append(inc)
    roster.enrollments = kept
