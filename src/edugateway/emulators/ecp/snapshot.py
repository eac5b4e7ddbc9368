"""A consistent ЕЦП world from a canonical school: roster, classes with subgroups, timetable, marks,
attendance, homework, and sign-in accounts (the school administrator, and one per parent).

Ids are GUIDs from `ids.ecp_guid`, keyed by the local ids, so regenerating a world gives the same ids.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable

from edugateway.domain.models import EnrollmentRole, MarkKind, ReportingPeriodKind, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators.ecp.ids import ecp_guid
from edugateway.emulators.ecp.world import EcpWorld, Row

# Known on purpose: an emulator's sign-in, printed by `emulators serve` and used by tests.
ADMIN_PASSWORD = "ecp-admin-2024"  # noqa: S105
PARENT_PASSWORD = "ecp-parent-2024"  # noqa: S105
NO_ROOM = "Нет кабинета"

# Bell schedule by lesson number (begin, end), as in the captured reply.
BELLS: dict[int, tuple[tuple[int, int], tuple[int, int]]] = {
    1: ((8, 0), (8, 40)),
    2: ((8, 50), (9, 30)),
    3: ((9, 40), (10, 20)),
    4: ((10, 40), (11, 20)),
    5: ((11, 35), (12, 15)),
    6: ((12, 25), (13, 5)),
    7: ((13, 10), (13, 50)),
    8: ((14, 0), (14, 40)),
}
_Guid = Callable[[str, str], str]  # guid(kind, local id), bound to one school and year
_FINAL_KINDS = {MarkKind.PERIOD_FINAL: "period", MarkKind.YEAR_FINAL: "year"}


def admin_login(school_code: str) -> str:
    return f"admin@{school_code}"


def world_from_snapshot(snapshot: SchoolSnapshot) -> EcpWorld:
    school = snapshot.school
    year = _school_year(snapshot)
    created = dt.date(year, 8, 20)  # rosters are loaded before 1 September

    def guid(kind: str, local_id: str) -> str:
        return ecp_guid(kind, school.code, local_id, created=created)

    world = EcpWorld()
    org_id = guid("org", school.code)
    world.schools[org_id] = {
        "id": org_id,
        "orgName": school.name,
        "timezone": school.timezone,
        "localId": school.code,
        "ogrn": school.ogrn,
    }

    class_ids = {c.id: guid("class", c.id) for c in snapshot.classes}
    subject_names = {s.id: s.name for s in snapshot.subjects}
    for c in snapshot.classes:
        world.classes[class_ids[c.id]] = {
            "id": class_ids[c.id],
            "name": c.name,
            "grade": c.grade,
            "schoolYear": str(c.academic_year),
            "parentId": class_ids.get(c.parent_id or ""),
            "groupName": _group_name(c.id, subject_names.get(c.subject_id or "")) if c.parent_id else None,
            "localId": c.id,
        }
    for s in snapshot.subjects:
        sid = guid("subject", s.id)
        world.subjects[sid] = {"id": sid, "name": s.name, "localId": s.id}
    subject_ids = {s.id: guid("subject", s.id) for s in snapshot.subjects}

    homeroom_of: dict[str, str] = {}
    groups_of: defaultdict[str, list[str]] = defaultdict(list)
    homerooms = {c.id for c in snapshot.classes if c.parent_id is None}
    for enr in snapshot.enrollments:
        if enr.role is not EnrollmentRole.STUDENT or enr.class_id not in class_ids:
            continue
        groups_of[enr.person_id].append(enr.class_id)
        if enr.class_id in homerooms:
            homeroom_of.setdefault(enr.person_id, enr.class_id)

    student_ids: dict[str, str] = {}
    for p in snapshot.persons:
        if Role.STUDENT not in p.roles or p.id not in homeroom_of:
            continue
        sid = student_ids[p.id] = guid("student", p.id)
        homeroom = world.classes[class_ids[homeroom_of[p.id]]]
        world.students[sid] = {
            "id": sid,
            "firstName": p.first_name,
            "lastName": p.last_name,
            "surName": p.middle_name,  # ЕЦП's surName is the patronymic (отчество): lastName is the family name
            "className": homeroom["name"],
            "orgName": school.name,
            "avatarId": None,
            "classId": homeroom["id"],
            "birthDate": p.birth_date.isoformat() if p.birth_date else None,
            "snils": p.snils,
            "localId": p.id,
        }
        for group in groups_of[p.id]:
            world.memberships.append({"classId": class_ids[group], "studentId": sid})

    period_ids = _add_periods(world, snapshot, year, created, guid)
    lesson_ids = _add_lessons(world, snapshot, class_ids, subject_ids, subject_names)

    for m in snapshot.marks:
        student = student_ids.get(m.person_id)
        if student is None or not m.subject_id or m.subject_id not in subject_ids:
            continue
        lesson = lesson_ids.get(m.lesson_id or "")
        if m.kind in _FINAL_KINDS:
            period = period_ids.get(m.period_id or "")
            if period is None:
                continue
        else:
            period = None
            if lesson is None:
                continue
        day = m.date or (world.lessons[lesson]["date"] if lesson else created.isoformat())
        eid = ecp_guid("estimate", school.code, m.id, created=dt.date.fromisoformat(str(day)))
        world.estimates[eid] = {
            "id": eid,
            "studentId": student,
            "lessonId": lesson,
            "subjectId": subject_ids[m.subject_id],
            "periodId": period,
            "kind": _FINAL_KINDS.get(m.kind, m.kind.value),
            "value": m.value,
            "weight": m.weight,
            "workType": m.work_type,
            "date": str(day),
            "localId": m.id,
        }
    for a in snapshot.attendance:
        if a.person_id in student_ids and a.lesson_id in lesson_ids:
            world.presence.append(
                {"studentId": student_ids[a.person_id], "lessonId": lesson_ids[a.lesson_id], "presence": a.code.value}
            )

    _add_accounts(world, snapshot, student_ids, guid)
    world.reindex()
    return world


def _school_year(snapshot: SchoolSnapshot) -> int:
    years = [c.academic_year for c in snapshot.classes] or [p.academic_year for p in snapshot.periods]
    if not years:
        today = dt.date.today()
        return today.year if today.month >= 9 else today.year - 1
    return max(years)


def _group_name(class_local_id: str, subject: str | None) -> str:
    """`Группа 2_Анг`, as subgroups are named in the captured schedule."""
    number = class_local_id.rsplit("-", 1)[-1]
    return f"Группа {number if number.isdigit() else 1}_{(subject or 'Гр')[:3]}"


def _add_periods(world: EcpWorld, snapshot: SchoolSnapshot, year: int, created: dt.date, guid: _Guid) -> dict[str, str]:
    """«Текущая неделя» and «Итоговые оценки» (the year), then quarters and halves; local id -> GUID."""
    start = min((p.start_date for p in snapshot.periods), default=dt.date(year, 9, 1))
    end = max((p.end_date for p in snapshot.periods), default=dt.date(year + 1, 5, 31))
    ids: dict[str, str] = {}
    week_id = guid("period", f"{year}-current-week")
    world.periods[week_id] = _period(week_id, "Текущая неделя", year, "week", start, end, 0, None)
    year_period = next((p for p in snapshot.periods if p.kind is ReportingPeriodKind.YEAR), None)
    final_id = guid("period", year_period.id if year_period else f"{year}-final")
    world.periods[final_id] = _period(
        final_id, "Итоговые оценки", year, "final", start, end, 1, year_period.id if year_period else None
    )
    if year_period:
        ids[year_period.id] = final_id
    names = {ReportingPeriodKind.QUARTER: "{n} четверть", ReportingPeriodKind.HALF: "{n} Полугодие"}
    order = 2
    for kind, label in names.items():
        for n, p in enumerate(sorted((p for p in snapshot.periods if p.kind is kind), key=lambda p: p.start_date), 1):
            pid = ids[p.id] = guid("period", p.id)
            world.periods[pid] = _period(
                pid, label.format(n=n), year, kind.value, p.start_date, p.end_date, order, p.id
            )
            order += 1
    return ids


def _period(
    pid: str, name: str, year: int, kind: str, start: dt.date, end: dt.date, order: int, local: str | None
) -> Row:
    return {
        "id": pid,
        "name": name,
        "schoolYear": str(year),
        "kind": kind,
        "beginDate": start.isoformat(),
        "endDate": end.isoformat(),
        "order": order,
        "localId": local,
    }


def _add_lessons(
    world: EcpWorld,
    snapshot: SchoolSnapshot,
    class_ids: dict[str, str],
    subject_ids: dict[str, str],
    subject_names: dict[str, str],
) -> dict[str, str]:
    ids: dict[str, str] = {}
    for les in snapshot.lessons:
        if les.class_id not in class_ids or les.subject_id not in subject_ids:
            continue
        lid = ids[les.id] = ecp_guid("lesson", snapshot.school.code, les.id, created=les.date)
        group = world.classes[class_ids[les.class_id]]
        (bh, bm), (eh, em) = BELLS.get(les.number, ((None, None), (None, None)))
        world.lessons[lid] = {
            "id": lid,
            "date": les.date.isoformat(),
            "number": les.number,
            "classId": group["id"],
            "subjectId": subject_ids[les.subject_id],
            "lessonName": subject_names[les.subject_id],
            "groupName": group["groupName"],
            "room": _room(les.class_id, les.subject_id),
            "beginHour": bh,
            "beginMinute": bm,
            "endHour": eh,
            "endMinute": em,
            "topic": les.topic,
            "localId": les.id,
        }
        if les.homework:
            hid = ecp_guid("homework", snapshot.school.code, les.id, created=les.date)
            world.homework[hid] = {
                "id": hid,
                "lessonId": lid,
                "description": les.homework,
                "isHomeworkElectronicForm": False,
                "homeWorkFiles": [],
                "doneBy": [],
            }
    return ids


def _room(class_id: str, subject_id: str) -> str:
    """A stable room per class and subject; many lessons have none, as in the captured reply."""
    n = int.from_bytes(hashlib.sha256(f"{class_id}/{subject_id}".encode()).digest()[:2], "big")
    return NO_ROOM if n % 3 == 0 else str(10 + n % 30)


def _add_accounts(world: EcpWorld, snapshot: SchoolSnapshot, student_ids: dict[str, str], guid: _Guid) -> None:
    code = snapshot.school.code
    admin: Row = {
        "id": guid("account", "admin"),
        "login": admin_login(code),
        "password": ADMIN_PASSWORD,
        "role": "admin",  # sees every student of the school: how the gateway reads the roster
        "isParent": False,
        "firstName": "Администратор",
        "lastName": "Школы",
        "surName": None,
        "studentIds": [],
    }
    world.accounts[admin["login"].lower()] = admin
    children: defaultdict[str, list[str]] = defaultdict(list)
    for link in snapshot.parent_links:
        if link.child_id in student_ids:
            children[link.parent_id].append(student_ids[link.child_id])
    for p in snapshot.persons:
        if p.id in children:
            login = f"{p.id}@{code}"
            world.accounts[login.lower()] = {
                "id": guid("account", p.id),
                "login": login,
                "password": PARENT_PASSWORD,
                "role": "parent",
                "isParent": True,
                "firstName": p.first_name,
                "lastName": p.last_name,
                "surName": p.middle_name,
                "studentIds": sorted(children[p.id]),
            }
