"""ГИС ЕЦП JSON objects -> canonical records, and canonical records -> edu-upload CSV rows, as pure functions.

Read side, the diary's family API (docs/platforms/ecp.md; a captured reply in tests/fixtures/ecp/):
ids are GUIDs; dates are local midnight with the school's offset (`2025-04-07T00:00:00.000+05:00`), of which
the date part is the local date; `surName` is the patronymic, `lastName` the family name. The API sends no
subject ids with lessons or marks, only the subject's name, so subjects are found by name; it names no
subgroup ids either, only a `groupName`, so a subgroup lesson's class is `<homeroom id>#<groupName>`.

Write side, the edu-upload CSV service: the tables and columns of `emulators/ecp/upload_tables.py` (our
reading of the contract, which names none): dates DD.MM.YYYY, gender M/F, SNILS `XXX-XXX-XXX YY`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from edugateway.domain.marks import parse_mark
from edugateway.domain.models import (
    Attendance,
    AttendanceCode,
    Gender,
    Lesson,
    Mark,
    MarkKind,
    ParentLink,
    Person,
    ReportingPeriod,
    ReportingPeriodKind,
    Role,
    SchoolClass,
    Subject,
)
from edugateway.domain.snils import format_snils
from edugateway.errors import ValidationError
from edugateway.mapping.errors import invalid

Json = Mapping[str, Any]
PLATFORM = "ГИС ЕЦП"

WEEK_PERIOD = "Текущая неделя"  # a selector of the marks page, not a reporting period
FINAL_PERIOD = "Итоговые оценки"  # the year: its table holds the period and year finals
SUBGROUP_SEPARATOR = "#"
ALL_SUBJECTS = "00000000-0000-0000-0000-000000000000"  # the «Все предметы» item of the subjects selector
_PERIOD_KINDS: tuple[tuple[re.Pattern[str], ReportingPeriodKind], ...] = (
    (re.compile(r"четверть", re.IGNORECASE), ReportingPeriodKind.QUARTER),
    (re.compile(r"полугоди", re.IGNORECASE), ReportingPeriodKind.HALF),
    (re.compile(r"триместр", re.IGNORECASE), ReportingPeriodKind.TRIMESTER),
)
_GRADE = re.compile(r"^\s*(\d{1,2})")
_RELATIONS = {
    "mother": "mother",
    "мать": "mother",
    "father": "father",
    "отец": "father",
    "guardian": "guardian",
    "опекун": "guardian",
    "trustee": "trustee",
    "попечитель": "trustee",
}
_PARENT_WORDS = frozenset({"parent", "родитель", ""})
_PHONE_DIGITS = re.compile(r"\D")

# The edu-upload tables' columns, in the order files are written (emulators/ecp/upload_tables.py).
STUDENT_COLUMNS = (
    "student_id",
    "org_ogrn",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "gender",
    "snils",
    "class_name",
    "admission_date",
)
STUDENT_KEY = ("student_id",)
REPRESENTATIVE_COLUMNS = (
    "representative_id",
    "student_id",
    "relation",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "gender",
    "snils",
    "phone",
    "email",
)
REPRESENTATIVE_KEY = ("representative_id", "student_id")


# --- read side --------------------------------------------------------------------------------------------


def guid(obj: Json, key: str = "id", *, what: str = "object") -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{PLATFORM} {what} has no {key!r}; fields: {', '.join(sorted(obj)[:12])}")
    return value.strip().lower()


def local_date(value: object, *, what: str) -> dt.date:
    """The local date of `2025-04-07T00:00:00.000+05:00` (or a bare `2025-04-07`)."""
    if not isinstance(value, str) or len(value) < 10:
        raise ValidationError(f"{PLATFORM} {what}: date {value!r} is not 'YYYY-MM-DDTHH:MM:SS.fff+HH:MM'")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise ValidationError(f"{PLATFORM} {what}: date {value!r} is not 'YYYY-MM-DD…'") from None


def student(obj: Json) -> Person:
    """A `/api/students` item: `{id, firstName, lastName, surName, className, orgName, avatarId}`."""
    student_id = guid(obj, what="student")
    try:
        return Person(
            id=student_id,
            roles=frozenset({Role.STUDENT}),
            last_name=obj.get("lastName") or "",
            first_name=obj.get("firstName") or "",
            middle_name=obj.get("surName"),
        )
    except ValueError as exc:
        raise invalid(PLATFORM, "student", student_id, exc) from exc


def grade_of(class_name: str) -> int:
    """The parallel of a class name such as `5А` or `11-Б`; 0 when the name starts with no number."""
    match = _GRADE.match(class_name)
    return int(match.group(1)) if match else 0


def school_class(obj: Json, *, academic_year: int) -> SchoolClass:
    """A `/api/classes` item `{value, text}`: the homeroom's id and name."""
    class_id = guid(obj, "value", what="class")
    name = str(obj.get("text") or "")
    try:
        return SchoolClass(id=class_id, name=name, grade=grade_of(name), academic_year=academic_year)
    except ValueError as exc:
        raise invalid(PLATFORM, "class", class_id, exc) from exc


def subgroup_id(homeroom_id: str, group_name: str) -> str:
    """The id of a subgroup the API names but does not identify: stable as long as its name is."""
    return f"{homeroom_id}{SUBGROUP_SEPARATOR}{group_name.strip()}"


def split_subgroup_id(class_id: str) -> tuple[str, str] | None:
    """(homeroom id, group name) of a `subgroup_id`; None for a homeroom's id."""
    homeroom, separator, group = class_id.partition(SUBGROUP_SEPARATOR)
    return (homeroom, group) if separator and homeroom and group else None


def subject(obj: Json) -> Subject:
    """A `/api/estimate/subjects` item `{id, name}`."""
    subject_id = guid(obj, what="subject")
    try:
        return Subject(id=subject_id, name=obj.get("name") or "")
    except ValueError as exc:
        raise invalid(PLATFORM, "subject", subject_id, exc) from exc


def period_kind(name: str) -> ReportingPeriodKind | None:
    """The kind of a period by its name (`1 четверть`, `2 Полугодие`, `Итоговые оценки`); None for the week."""
    if name.strip() == FINAL_PERIOD:
        return ReportingPeriodKind.YEAR
    return next((kind for pattern, kind in _PERIOD_KINDS if pattern.search(name)), None)


def reporting_period(obj: Json, *, days: Iterable[dt.date]) -> ReportingPeriod:
    """A `/api/estimate/periods` item `{id, name}`. The API gives no dates: they are the first and last day
    the platform shows lessons on in the period (`days`), an approximation said so in the connector."""
    period_id = guid(obj, what="period")
    name = str(obj.get("name") or "")
    kind = period_kind(name)
    if kind is None:
        raise ValidationError(
            f"unknown period name; known: «N четверть», «N полугодие», «N триместр», «{FINAL_PERIOD}»",
            record=f"{PLATFORM} period {period_id}",
        )
    known = sorted(days)
    if not known:
        raise ValidationError(
            "the platform gives no dates for periods and this one has no lessons yet, so it cannot be dated; "
            "it is read once its first lesson is on the platform",
            record=f"{PLATFORM} period {period_id}",
        )
    start = known[0]
    try:
        return ReportingPeriod(
            id=period_id,
            name=name,
            kind=kind,
            academic_year=start.year if start.month >= 8 else start.year - 1,
            start_date=start,
            end_date=known[-1],
        )
    except ValueError as exc:
        raise invalid(PLATFORM, "period", period_id, exc) from exc


def lesson(obj: Json, *, day: dt.date, homeroom_id: str, subject_id: str, homework: str | None = None) -> Lesson:
    """A `scheduleDayLessonModels` item; a lesson with a `groupName` belongs to that subgroup of the homeroom."""
    lesson_id = guid(obj, what="lesson")
    group = obj.get("groupName")
    try:
        return Lesson(
            id=lesson_id,
            date=day,
            number=int(obj.get("number") or 0),
            class_id=subgroup_id(homeroom_id, group) if isinstance(group, str) and group.strip() else homeroom_id,
            subject_id=subject_id,
            homework=homework or None,
        )
    except ValueError as exc:
        raise invalid(PLATFORM, "lesson", lesson_id, exc) from exc


def grade_values(grades: object, *, what: str) -> list[str]:
    """`grades` as the marks tables send them, arrays of arrays of strings: one inner array a mark."""
    if grades is None:
        return []
    if not isinstance(grades, list) or not all(isinstance(g, list) for g in grades):
        raise ValidationError(f"{PLATFORM} {what}: grades are not an array of arrays")
    return [str(v) for inner in grades for v in inner if v not in (None, "")]


def lesson_marks(obj: Json, *, student_id: str, day: dt.date, subject_id: str | None) -> list[Mark]:
    """A week table's `lessonGrades` item -> its marks. The API gives marks no ids: a mark is
    `<student>:<lesson>:<n>`, the n-th mark of the student on that lesson in the platform's order."""
    lesson_id = guid(obj, "lessonId", what="lesson grade")
    out: list[Mark] = []
    for n, value in enumerate(grade_values(obj.get("grades"), what=f"lesson {lesson_id}"), 1):
        mark_id = f"{student_id}:{lesson_id}:{n}"
        try:
            out.append(
                Mark(
                    id=mark_id,
                    person_id=student_id,
                    value=parse_mark(value),
                    kind=MarkKind.LESSON,
                    lesson_id=lesson_id,
                    subject_id=subject_id,
                    date=day,
                )
            )
        except ValueError as exc:
            raise invalid(PLATFORM, "mark", mark_id, exc) from exc
    return out


def presence(obj: Json, *, student_id: str) -> Attendance | None:
    """A week table's `lessonGrades` item -> the absence it records; None when the pupil was there."""
    code = obj.get("presence")
    if code in (None, ""):
        return None
    lesson_id = guid(obj, "lessonId", what="lesson grade")
    try:
        return Attendance(person_id=student_id, lesson_id=lesson_id, code=AttendanceCode(str(code).strip()))
    except ValueError:
        known = ", ".join(c.value for c in AttendanceCode)
        raise ValidationError(
            f"unknown presence code; known: {known}", record=f"{PLATFORM} presence {student_id}:{lesson_id}"
        ) from None


def _final(student_id: str, value: object, *, kind: MarkKind, period_id: str, subject_id: str) -> Mark | None:
    if value in (None, ""):
        return None
    mark_id = f"{student_id}:{period_id}:{subject_id}"
    try:
        return Mark(
            id=mark_id,
            person_id=student_id,
            value=parse_mark(value),
            kind=kind,
            subject_id=subject_id,
            period_id=period_id,
        )
    except ValueError as exc:
        raise invalid(PLATFORM, "final mark", mark_id, exc) from exc


def year_table_finals(obj: Json, *, student_id: str, year_period_id: str) -> list[Mark]:
    """One `yearGradesTable.lessonGrades` row (a subject) -> its period finals (`grades[].finallygrade`) and
    its year final (`yearGrade`, filed under the «Итоговые оценки» period). Ids: `<student>:<period>:<subject>`."""
    subject_id = guid(obj.get("lesson") or {}, what="year table subject")
    out: list[Mark] = []
    for term in obj.get("grades") or []:
        period_id = guid(term, "periodId", what=f"year table term of subject {subject_id}")
        mark = _final(
            student_id, term.get("finallygrade"), kind=MarkKind.PERIOD_FINAL, period_id=period_id, subject_id=subject_id
        )
        if mark is not None:
            out.append(mark)
    year = _final(
        student_id, obj.get("yearGrade"), kind=MarkKind.YEAR_FINAL, period_id=year_period_id, subject_id=subject_id
    )
    return [*out, year] if year is not None else out


def homework_texts(reply: Json) -> dict[str, str]:
    """A `/api/homework` day -> lesson id -> the homework set at it (several assignments on separate lines)."""
    out: dict[str, str] = {}
    for item in reply.get("homeworks") or []:
        text = str(item.get("description") or "").strip()
        if not text or not isinstance(item.get("lessonId"), str):
            continue
        lesson_id = item["lessonId"].lower()
        out[lesson_id] = f"{out[lesson_id]}\n{text}" if lesson_id in out else text
    return out


# --- write side: edu-upload CSV rows ----------------------------------------------------------------------


def _upload_date(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _upload_snils(value: str | None) -> str:
    return format_snils(value) if value else ""


def upload_phone(value: str | None) -> str:
    """`+7XXXXXXXXXX` from the forms Russian phone numbers are typed in; anything else is sent as typed, for
    the service to refuse with its reason rather than the gateway dropping it silently."""
    if not value:
        return ""
    digits = _PHONE_DIGITS.sub("", value)
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10 and digits[0] == "9":
        return "+7" + digits
    return value.strip()


def upload_relation(link: ParentLink, gender: Gender | None) -> str:
    """ЕЦП's relation (mother, father, guardian, trustee, other) from the link's free-text relation; a plain
    "parent" becomes mother or father by the representative's gender, and anything unknown "other"."""
    relation = link.relation.strip().lower()
    if relation in _RELATIONS:
        return _RELATIONS[relation]
    if relation in _PARENT_WORDS and gender is not None:
        return "mother" if gender is Gender.FEMALE else "father"
    return "other"


def pupil_row(
    person: Person, *, class_name: str, org_ogrn: str, admission_date: dt.date | None = None
) -> dict[str, str]:
    """A row of the `students` table. Required by the table and checked here: birth date, class, ОГРН."""
    missing = [
        name
        for name, value in (("birth_date", person.birth_date), ("class_name", class_name), ("org_ogrn", org_ogrn))
        if not value
    ]
    if missing:
        raise ValidationError(
            f"the ЕЦП students table requires {', '.join(missing)}; fill it in the local record and push again",
            record=f"pupil {person.id}",
        )
    return {
        "student_id": person.id,
        "org_ogrn": org_ogrn,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "middle_name": person.middle_name or "",
        "birth_date": _upload_date(person.birth_date),
        "gender": person.gender.value if person.gender else "",
        "snils": _upload_snils(person.snils),
        "class_name": class_name.strip(),
        "admission_date": _upload_date(admission_date),
    }


def representative_row(person: Person, link: ParentLink) -> dict[str, str]:
    """A row of the `representatives` table: one per (representative, pupil) pair."""
    if link.parent_id != person.id:
        raise ValidationError(
            f"the link is for parent {link.parent_id}, not this person", record=f"representative {person.id}"
        )
    return {
        "representative_id": person.id,
        "student_id": link.child_id,
        "relation": upload_relation(link, person.gender),
        "last_name": person.last_name,
        "first_name": person.first_name,
        "middle_name": person.middle_name or "",
        "birth_date": _upload_date(person.birth_date),
        "gender": person.gender.value if person.gender else "",
        "snils": _upload_snils(person.snils),
        "phone": upload_phone(person.phone),
        "email": person.email or "",
    }
