"""Write a SchoolSnapshot as a OneRoster 1.2 CSV bulk set (UTF-8, every roster file plus manifest.csv).

The files are for machines (another system, or this one's import): values are written exactly as stored, with
no spreadsheet-formula neutralising, so an export imports back to the same records. They hold personal data,
so each is readable by its owner only (edugateway.private_files)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from edugateway.domain.models import EnrollmentRole, Person, ReportingPeriodKind, Role, SchoolClass
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.domain.snils import check_snils, format_snils
from edugateway.private_files import FileKind, private_text_file
from edugateway.store.oneroster._spec import (
    COLUMNS,
    EXT,
    EXTENSIONS,
    MANIFEST_FILES,
    MANIFEST_VERSION,
    ONEROSTER_VERSION,
    ROLE_ORDER,
    ROLE_OUT,
    ROSTER_FILES,
    SESSION_TYPE_OF,
    SEX_OUT,
    grade_code,
)

Row = dict[str, str]


def write_oneroster(snapshot: SchoolSnapshot, directory: Path) -> dict[str, int]:
    """Writes the bulk set into `directory` (created if missing; existing roster files are replaced) and
    returns the number of data rows per file name."""
    directory.mkdir(parents=True, exist_ok=True)
    tables = _tables(snapshot)
    counts: dict[str, int] = {}
    for name in ROSTER_FILES:
        header = COLUMNS[name] + EXTENSIONS.get(name, ())
        _write(directory / f"{name}.csv", header, tables[name])
        counts[f"{name}.csv"] = len(tables[name])
    manifest = [
        {"propertyName": "manifest.version", "value": MANIFEST_VERSION},
        {"propertyName": "oneroster.version", "value": ONEROSTER_VERSION},
        *(
            {"propertyName": f"file.{name}", "value": "bulk" if name in ROSTER_FILES else "absent"}
            for name in MANIFEST_FILES
        ),
        {"propertyName": "source.systemName", "value": "edugateway"},
        {"propertyName": "source.systemCode", "value": snapshot.school.code},
    ]
    _write(directory / "manifest.csv", ("propertyName", "value"), manifest)
    counts["manifest.csv"] = len(manifest)
    return counts


def _write(path: Path, header: Sequence[str], rows: Iterable[Row]) -> None:
    with private_text_file(path, FileKind.OPERATOR) as fh:
        writer = csv.DictWriter(fh, fieldnames=list(header), restval="", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _tables(s: SchoolSnapshot) -> dict[str, list[Row]]:
    code = s.school.code
    school = s.school
    orgs = [
        {
            "sourcedId": code,
            "name": school.name,
            "type": "school",
            "identifier": school.inn or "",
            EXT + "ogrn": school.ogrn or "",
            EXT + "timezone": school.timezone,
        }
    ]

    # Sessions: the periods, plus a generated school year for any class year no year period covers.
    sessions: list[Row] = []
    year_session: dict[int, str] = {}
    for p in s.periods:
        if p.kind is ReportingPeriodKind.YEAR:
            year_session.setdefault(p.academic_year, p.id)
    for p in s.periods:
        parent = year_session.get(p.academic_year, "") if p.kind is not ReportingPeriodKind.YEAR else ""
        sessions.append(
            {
                "sourcedId": p.id,
                "title": p.name,
                "type": SESSION_TYPE_OF[p.kind],
                "startDate": _date(p.start_date),
                "endDate": _date(p.end_date),
                "parentSourcedId": parent,
                "schoolYear": str(p.academic_year + 1),
            }
        )
    taken_ids = {p.id for p in s.periods}
    for year in sorted({c.academic_year for c in s.classes} - set(year_session)):
        sid = _free_id(f"edugateway-year-{year}", taken_ids)
        year_session[year] = sid
        sessions.append(
            {
                "sourcedId": sid,
                "title": f"{year}/{year + 1} учебный год",
                "type": "schoolYear",
                "startDate": _date(dt.date(year, 9, 1)),
                "endDate": _date(dt.date(year + 1, 8, 31)),
                "schoolYear": str(year + 1),
                EXT + "generated": "true",
            }
        )

    # Courses: each subject, and one homeroom course per parallel and year (OneRoster classes need a course).
    courses: list[Row] = [
        {"sourcedId": subj.id, "title": subj.name, "courseCode": subj.code or "", "orgSourcedId": code}
        for subj in s.subjects
    ]
    course_ids = {subj.id for subj in s.subjects}
    homeroom_course: dict[tuple[int, int], str] = {}
    for c in s.classes:
        key = (c.academic_year, c.grade)
        if key not in homeroom_course and (c.parent_id is None or c.subject_id is None):
            homeroom_course[key] = _free_id(f"edugateway-homeroom-{c.academic_year}-{grade_code(c.grade)}", course_ids)
            courses.append(
                {
                    "sourcedId": homeroom_course[key],
                    "schoolYearSourcedId": year_session[c.academic_year],
                    "title": f"{c.grade} классы, {c.academic_year}/{c.academic_year + 1}",
                    "grades": grade_code(c.grade),
                    "orgSourcedId": code,
                }
            )

    classes = [_class_row(c, code, year_session, homeroom_course) for c in s.classes]

    # Users: a person whose rejected SNILS is a number another person holds goes after the holder, so an
    # import of this file gives the number to the same person again.
    held = {p.snils for p in s.persons if p.snils}
    persons = sorted(s.persons, key=lambda p: _rejected_digits(p) in held)
    agents: dict[str, list[tuple[str, str]]] = {}
    for link in s.parent_links:
        agents.setdefault(link.child_id, []).append((link.parent_id, link.relation))
        agents.setdefault(link.parent_id, []).append((link.child_id, link.relation))
    users = [_user_row(p, code, agents.get(p.id, [])) for p in persons]
    guardians = {link.parent_id for link in s.parent_links if link.relation == "guardian"}
    roles = [
        {
            "sourcedId": f"{p.id}-{ROLE_OUT[role]}",
            "userSourcedId": p.id,
            "roleType": "primary" if n == 0 else "secondary",
            "role": "guardian" if role is Role.PARENT and p.id in guardians else ROLE_OUT[role],
            "orgSourcedId": code,
        }
        for p in persons
        for n, role in enumerate(r for r in ROLE_ORDER if r in p.roles)
    ]
    demographics = [
        {"sourcedId": p.id, "birthDate": _date(p.birth_date), "sex": SEX_OUT[p.gender.value] if p.gender else ""}
        for p in persons
        if p.birth_date or p.gender
    ]
    enrollments = [
        {
            "sourcedId": e.id,
            "classSourcedId": e.class_id,
            "schoolSourcedId": code,
            "userSourcedId": e.person_id,
            "role": e.role.value,
            "primary": "true" if e.role is EnrollmentRole.TEACHER else "false",
            "beginDate": _date(e.start_date),
            "endDate": _date(e.end_date),
        }
        for e in s.enrollments
    ]
    return {
        "orgs": orgs,
        "academicSessions": sessions,
        "courses": courses,
        "classes": classes,
        "users": users,
        "roles": roles,
        "demographics": demographics,
        "enrollments": enrollments,
    }


def _free_id(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}-{n}"
    taken.add(candidate)
    return candidate


def _class_row(
    c: SchoolClass, code: str, year_session: dict[int, str], homeroom_course: dict[tuple[int, int], str]
) -> Row:
    subgroup = c.parent_id is not None
    return {
        "sourcedId": c.id,
        "title": c.name,
        "grades": grade_code(c.grade),
        "courseSourcedId": c.subject_id or homeroom_course[(c.academic_year, c.grade)],
        "classCode": c.name,
        "classType": "scheduled" if subgroup else "homeroom",
        "schoolSourcedId": code,
        "termSourcedIds": year_session[c.academic_year],
        EXT + "parentClass": c.parent_id or "",
    }


def _rejected_digits(p: Person) -> str | None:
    if p.snils_rejected is None:
        return None
    return check_snils(p.snils_rejected).digits


def _user_ids(p: Person) -> str:
    value = format_snils(p.snils) if p.snils else (p.snils_rejected or "")
    # Braces and colons would break the {type:value} syntax; such a value cannot be written as entered.
    value = value.replace("{", "").replace("}", "").replace(",", " ")
    return f"{{SNILS:{value}}}" if value.strip() else ""


def _user_row(p: Person, code: str, agents: list[tuple[str, str]]) -> Row:
    return {
        "enabledUser": "true",
        "sourcedId": p.id,
        "username": p.id,
        "userIds": _user_ids(p),
        "givenName": p.first_name,
        "familyName": p.last_name,
        "middleName": p.middle_name or "",
        "email": p.email or "",
        "phone": p.phone or "",
        "agentSourcedIds": ",".join(agent for agent, _ in agents),
        "primaryOrgSourcedId": code,
        # A comma would split the list; relations are words (mother, father, guardian).
        EXT + "agentRelations": ",".join(relation.replace(",", " ") for _, relation in agents),
    }
