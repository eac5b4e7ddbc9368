"""A school written as Аверс-style exports: a pupils file and a staff file as Russian Excel saves them
(«;»-separated, Windows-1251, dates as ДД.ММ.ГГГГ, gender М/Ж, SNILS as 000-000-000 00), for the tests of
`import table` with the shipped mappings.

What such an export cannot carry, and so is left out: ids, subgroups and who teaches them, parents and their
links, reporting periods, subjects, enrollment dates, e-mail and phone. A teacher's position is «Учитель» and
its subject the first one of the subgroups the teacher teaches (not stored by the import).
"""

import csv
from pathlib import Path

from edugateway.domain.models import EnrollmentRole, Gender, Person, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.domain.snils import format_snils

PUPILS = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Пол", "СНИЛС", "Класс"]
STAFF = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Пол", "СНИЛС", "Должность", "Предмет"]


def _person_cells(p: Person) -> list[str]:
    return [
        p.last_name,
        p.first_name,
        p.middle_name or "",
        p.birth_date.strftime("%d.%m.%Y") if p.birth_date else "",
        {Gender.MALE: "М", Gender.FEMALE: "Ж"}.get(p.gender, "") if p.gender else "",
        format_snils(p.snils) if p.snils else (p.snils_rejected or ""),
    ]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="cp1251", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def to_avers(snapshot: SchoolSnapshot, pupils: Path, staff: Path) -> None:
    """Writes the school's active pupils (with their class, not subgroup) and its teachers and staff."""
    classes = {c.id: c for c in snapshot.classes}
    subjects = {s.id: s.name for s in snapshot.subjects}
    homeroom: dict[str, str] = {}
    taught: dict[str, str] = {}
    for e in snapshot.enrollments:
        cls = classes[e.class_id]
        if e.role is EnrollmentRole.STUDENT and cls.parent_id is None:
            homeroom[e.person_id] = cls.name
        if e.role is EnrollmentRole.TEACHER and cls.subject_id:
            taught.setdefault(e.person_id, subjects[cls.subject_id])
    _write(
        pupils,
        PUPILS,
        [[*_person_cells(p), homeroom[p.id]] for p in snapshot.persons if Role.STUDENT in p.roles],
    )
    _write(
        staff,
        STAFF,
        [
            [*_person_cells(p), "Учитель" if Role.TEACHER in p.roles else "Сотрудник", taught.get(p.id, "")]
            for p in snapshot.persons
            if p.roles & {Role.TEACHER, Role.STAFF}
        ],
    )
