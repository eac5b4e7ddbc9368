"""Дневник.ру (and ИСУОД) JSON objects -> canonical records, as pure functions.

Ids: every int64 id has a `*_str` twin; the twin is read, because ids above 2^53 lose digits in any JSON
parser that turns numbers into doubles. Datetimes are naive local time ('YYYY-MM-DDTHH:MM:SS', sometimes
with a fraction). Most of them only give a date; the times that say when something was entered (a homework's
`sentDate`, an attendance entry's `createdDate`) and the timetable's bell times are made aware with the school's
UTC offset (School `timeZone`, hours), so they can be compared with the school's day. Shapes:
docs/platforms/dnevnik.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from edugateway.domain.marks import parse_mark
from edugateway.domain.models import (
    Attendance,
    AttendanceCode,
    Gender,
    Lesson,
    Mark,
    MarkKind,
    Person,
    ReportingPeriod,
    ReportingPeriodKind,
    Role,
    SchoolClass,
    Subject,
    WorkType,
)
from edugateway.errors import ValidationError
from edugateway.mapping.errors import invalid

Json = Mapping[str, Any]
PLATFORM = "Дневник.ру"
# Year finals carry no reporting period on the platform; they are filed under this id, linked to the local year.
YEAR_PERIOD = "year"

# The one table for attendance codes. Н → Absent, У → Pass, Б → Ill is an inference from the platform's
# status names (docs/platforms/dnevnik.md); "Attend" is presence and has no canonical record.
ATTENDANCE_TO_DNEVNIK: Mapping[AttendanceCode, str] = {
    AttendanceCode.ABSENT: "Absent",
    AttendanceCode.EXCUSED: "Pass",
    AttendanceCode.ILL: "Ill",
    AttendanceCode.LATE: "Late",
}
ATTENDANCE_FROM_DNEVNIK: Mapping[str, AttendanceCode | None] = {
    **{status: code for code, status in ATTENDANCE_TO_DNEVNIK.items()},
    "Attend": None,
}
GENDERS: Mapping[str, Gender] = {"Male": Gender.MALE, "Female": Gender.FEMALE}
ROLES: Mapping[str, Role] = {
    "EduStudent": Role.STUDENT,
    "EduTeacher": Role.TEACHER,
    "EduParent": Role.PARENT,
    "EduStaff": Role.STAFF,
    "EduSchoolAdministrator": Role.STAFF,
}
PERIOD_KINDS: Mapping[str, ReportingPeriodKind] = {
    "Quarter": ReportingPeriodKind.QUARTER,
    "Semester": ReportingPeriodKind.HALF,
    "HalfYear": ReportingPeriodKind.HALF,
    "Trimester": ReportingPeriodKind.TRIMESTER,
    "Year": ReportingPeriodKind.YEAR,
}


def ident(obj: Json, key: str = "id") -> str:
    """The id under `key` as a string, from its `_str` twin where there is one (PascalCase DTOs: IdStr)."""
    for candidate in (f"{key}_str", f"{key}Str"):
        value = obj.get(candidate)
        if value not in (None, ""):
            return str(value)
    value = obj.get(key)
    if value is None or value == "":
        raise ValidationError(f"Дневник.ру object has no {key!r}: {sorted(obj)[:12]}")
    return str(value)


def opt_ident(obj: Json, key: str) -> str | None:
    return ident(obj, key) if obj.get(key) is not None or obj.get(f"{key}_str") else None


def local_date(value: str | None) -> dt.date | None:
    """The date of a naive local datetime; the platform sends no offset, and none is invented here."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value[:19]).date()
    except ValueError:
        raise ValidationError(f"Дневник.ру datetime {value!r} is not 'YYYY-MM-DDTHH:MM:SS'") from None


def local_datetime(value: str | None, zone: dt.tzinfo) -> dt.datetime | None:
    """A naive local datetime ('2019-09-15T16:35:53.853', with or without the fraction) in the school's zone."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"Дневник.ру datetime {value!r} is not 'YYYY-MM-DDTHH:MM:SS'") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def school_zone(obj: Json) -> dt.tzinfo | None:
    """The UTC offset of a School's local times, from its `timeZone` (whole hours); None when it is not sent."""
    hours = obj.get("timeZone")
    if isinstance(hours, bool) or not isinstance(hours, int) or not -12 <= hours <= 14:
        return None
    return dt.timezone(dt.timedelta(hours=hours))


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Bell:
    number: int
    start: dt.time
    finish: dt.time
    days: frozenset[str]  # DaysOfWeek; empty means every day


@dataclass(frozen=True)
class Bells:
    """A group's timetables (GET edu-groups/{g}/timetables): from which day each holds, and its lessons' times."""

    tables: tuple[tuple[dt.date, tuple[Bell, ...]], ...]

    def times(self, day: dt.date, number: int) -> tuple[dt.time, dt.time] | None:
        """Start and end of lesson `number` on `day`, by the latest timetable begun by then; None if not listed."""
        held = [bells for start, bells in self.tables if start <= day]
        weekday = WEEKDAYS[day.weekday()]
        for bell in held[-1] if held else ():
            if bell.number == number and (not bell.days or weekday in bell.days):
                return bell.start, bell.finish
        return None


def _time_of(value: object) -> dt.time | None:
    """The time of day of a timetable item's `Start`/`Finish` (a datetime whose date part means nothing)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value[:19]).time() if "T" in value else dt.time.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"Дневник.ру timetable time {value!r} is not 'YYYY-MM-DDTHH:MM:SS'") from None


def bells(timetables: Sequence[Json]) -> Bells:
    """The PascalCase Timetable[] of a group: `{Name, Start, FirstLessonNumber, Items: [{Start, Finish,
    DaysOfWeek, LessonNumber, …}]}`; items without a lesson number or times are not lessons and are left out."""
    tables = []
    for table in timetables:
        begins = local_date(table.get("Start")) or dt.date.min
        items = []
        for item in table.get("Items") or []:
            start, finish = _time_of(item.get("Start")), _time_of(item.get("Finish"))
            number = item.get("LessonNumber")
            if start is None or finish is None or not isinstance(number, int):
                continue
            items.append(Bell(number, start, finish, frozenset(item.get("DaysOfWeek") or ())))
        tables.append((begins, tuple(items)))
    return Bells(tuple(sorted(tables, key=lambda t: t[0])))


def homework_sent_at(works: Sequence[Json], zone: dt.tzinfo) -> dt.datetime | None:
    """When the lesson's homework first reached the journal: the earliest `sentDate` of its works of type
    Homework (a work not sent yet has none)."""
    sent = [
        when
        for w in works
        if w.get("type") == "Homework" and (when := local_datetime(w.get("sentDate"), zone)) is not None
    ]
    return min(sent, default=None)


def person(obj: Json, *, roles: frozenset[Role], user: Json | None = None) -> Person:
    """A Person object (persons, edu-groups/{g}/persons), completed from its User (birthday, email, phone)."""
    user = user or {}
    try:
        return Person(
            id=ident(obj),
            roles=roles,
            last_name=obj.get("lastName") or user.get("lastName") or "",
            first_name=obj.get("firstName") or user.get("firstName") or "",
            middle_name=obj.get("middleName") or user.get("middleName"),
            birth_date=local_date(user.get("birthday")),
            gender=GENDERS.get(obj.get("sex") or user.get("sex") or ""),
            email=user.get("email") or None,
            phone=user.get("phone") or None,
        )
    except ValueError as exc:
        raise invalid(PLATFORM, "person", obj.get("id_str") or obj.get("id"), exc) from exc


def teacher(obj: Json) -> Person:
    """A SchoolTeacher (PascalCase) of GET schools/{school}/teachers."""
    try:
        return Person(
            id=ident(obj, "Id"),
            roles=frozenset({Role.TEACHER}),
            last_name=obj.get("LastName") or "",
            first_name=obj.get("FirstName") or "",
            middle_name=obj.get("MiddleName"),
            birth_date=local_date(obj.get("DateBirth")),
            gender=GENDERS.get(obj.get("Sex") or ""),
            email=obj.get("Email") or None,
        )
    except ValueError as exc:
        raise invalid(PLATFORM, "teacher", obj.get("IdStr") or obj.get("Id"), exc) from exc


def edu_group(obj: Json, *, subject_id: str | None = None) -> SchoolClass:
    """An EduGroup: a class, or with `parentIds` a subgroup of the first parent."""
    parents = obj.get("parentIds_str") or [str(p) for p in obj.get("parentIds") or []]
    return SchoolClass(
        id=ident(obj),
        name=obj.get("name") or obj.get("fullName") or "",
        grade=int(obj.get("parallel") or 0),
        academic_year=int(obj.get("studyyear") or obj.get("studyYear") or 0),
        parent_id=str(parents[0]) if parents else None,
        subject_id=subject_id if parents else None,
    )


def subject(obj: Json) -> Subject:
    return Subject(id=ident(obj), name=obj.get("name") or "", code=obj.get("knowledgeArea") or None)


def reporting_period(obj: Json) -> ReportingPeriod:
    kind = PERIOD_KINDS.get(obj.get("type") or "")
    if kind is None:
        raise ValidationError(
            f"Дневник.ру reporting period {obj.get('id_str')}: unknown type {obj.get('type')!r}; "
            f"known: {', '.join(PERIOD_KINDS)}"
        )
    start, end = local_date(obj.get("start")), local_date(obj.get("finish"))
    if start is None or end is None:
        raise ValidationError(f"Дневник.ру reporting period {obj.get('id_str')} has no start or finish")
    return ReportingPeriod(
        id=ident(obj),
        name=obj.get("name") or f"{obj.get('number', 0) + 1} {kind.value}",
        kind=kind,
        academic_year=int(obj.get("year") or (start.year if start.month >= 8 else start.year - 1)),
        start_date=start,
        end_date=end,
    )


def lesson(
    obj: Json, *, homework: str | None = None, zone: dt.tzinfo | None = None, timetable: Bells | None = None
) -> Lesson:
    """A Lesson; its topic is `title`, its teacher the first of `teachers`, its subject embedded. With the school's
    `zone`, its bell times come from the group's `timetable` (by `number`) and the homework's sent time from its
    works; without it they stay unknown."""
    day = local_date(obj.get("date"))
    if day is None:
        raise ValidationError(f"Дневник.ру lesson {obj.get('id_str')} has no date")
    teachers = obj.get("teachers_str") or [str(t) for t in obj.get("teachers") or []]
    embedded = obj.get("subject") or {}
    number = int(obj.get("number") or 0)
    times = timetable.times(day, number) if timetable is not None and zone is not None else None
    works = [w for w in obj.get("works") or [] if isinstance(w, Mapping)]
    return Lesson(
        id=ident(obj),
        date=day,
        number=number,
        class_id=ident(obj, "group"),
        subject_id=ident(embedded) if embedded else ident(obj, "subjectId"),
        teacher_id=str(teachers[0]) if teachers else None,
        topic=obj.get("title") or None,
        homework=homework,
        starts_at=dt.datetime.combine(day, times[0], zone) if times and zone else None,
        ends_at=dt.datetime.combine(day, times[1], zone) if times and zone else None,
        homework_sent_at=homework_sent_at(works, zone) if homework and zone else None,
    )


def mark(obj: Json, *, work: Json | None = None, subject_id: str | None = None) -> Mark:
    """A lesson or work Mark. A work other than the lesson's default ("LessonTestWork") makes it a work mark."""
    work = work or {}
    is_work = bool(work) and work.get("type") not in (None, "DefaultNewLessonWork", "LessonTestWork")
    try:
        return Mark(
            id=ident(obj),
            person_id=ident(obj, "person"),
            value=mark_value(obj),
            kind=MarkKind.WORK if is_work else MarkKind.LESSON,
            lesson_id=opt_ident(obj, "lesson") or opt_ident(work, "lesson"),
            subject_id=subject_id or (str(work["subjectId"]) if work.get("subjectId") else None),
            work_type=str(work.get("workType")) if is_work and work.get("workType") else None,
            date=local_date(obj.get("date")),
        )
    except ValueError as exc:
        raise invalid(PLATFORM, "mark", obj.get("id_str") or obj.get("id"), exc) from exc


def work_type(obj: Json) -> WorkType:
    """One row of `work-types/{school}`: `{id, schoolId, kindId, kind, title, abbr, weight}`."""
    try:
        return WorkType(id=ident(obj), title=str(obj.get("title") or "").strip(), kind=obj.get("kind") or None)
    except ValueError as exc:
        raise invalid(PLATFORM, "work type", obj.get("id_str") or obj.get("id"), exc) from exc


# The codes a special mark is written with (the platform serves its label back as textValue).
MARK_CODES = {"Н/А": "НА", "зачёт": "ЗЧ", "незачёт": "НЗ", "ОСВ": "ОСВ"}


def mark_code(value: str) -> str:
    """What a canonical mark value is written as: 1–5 as they are, a special mark as its code."""
    return MARK_CODES.get(value, value)


def mark_value(obj: Json) -> str:
    """The canonical value of a Mark object. Special marks carry a code in `value` (НА, ЗЧ, НЗ, ОСВ) and their
    label in `textValue` (Н/А, зачёт, незачёт, ОСВ); the label is read when the code is not a known spelling."""
    value = str(obj.get("value") or "")
    try:
        return parse_mark(value)
    except ValueError:
        if obj.get("textValue"):
            return parse_mark(str(obj["textValue"]))
        raise


def final_marks(obj: Json) -> list[Mark]:
    """One PersonFinalMark (GET edu-groups/{g}/final-marks) -> its per-subject period final marks."""
    person_id = ident(obj, "person")
    period_id = opt_ident(obj, "reportingPeriod")
    out: list[Mark] = []
    for entry in obj.get("per-subject-final-marks") or []:
        final = entry.get("final-mark") or {}
        if not final.get("value"):
            continue
        mark_id = opt_ident(final, "id") or f"{person_id}:{period_id}:{ident(entry, 'subject')}"
        try:
            out.append(
                Mark(
                    id=mark_id,
                    person_id=person_id,
                    value=mark_value(final),
                    kind=MarkKind.PERIOD_FINAL if period_id else MarkKind.YEAR_FINAL,
                    subject_id=ident(entry, "subject"),
                    period_id=period_id or YEAR_PERIOD,
                    date=local_date(final.get("date")),
                )
            )
        except ValueError as exc:
            raise invalid(PLATFORM, "final mark", mark_id, exc) from exc
    return out


def attendance(obj: Json, *, zone: dt.tzinfo | None = None) -> Attendance | None:
    """A LessonLogEntry; None for "Attend" (present), which has no canonical record. With the school's `zone`,
    `createdDate` says when it was entered."""
    status = obj.get("status") or ""
    if status not in ATTENDANCE_FROM_DNEVNIK:
        raise ValidationError(
            f"Дневник.ру lesson-log-entry for person {obj.get('person_str')}: unknown status {status!r}; "
            f"known: {', '.join(ATTENDANCE_FROM_DNEVNIK)}"
        )
    code = ATTENDANCE_FROM_DNEVNIK[status]
    if code is None:
        return None
    return Attendance(
        person_id=ident(obj, "person"),
        lesson_id=ident(obj, "lesson"),
        code=code,
        entered_at=local_datetime(obj.get("createdDate"), zone) if zone else None,
    )
