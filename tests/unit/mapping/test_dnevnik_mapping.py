"""Дневник.ру JSON -> canonical, on the real captured payloads in tests/fixtures/dnevnik/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from edugateway.domain.models import AttendanceCode, Gender, MarkKind, ReportingPeriodKind, Role
from edugateway.errors import ValidationError
from edugateway.mapping import dnevnik as m
from support.fixture_files import fixture_json


@pytest.fixture(scope="module")
def real() -> dict[str, Any]:
    return fixture_json("dnevnik/examples_real_kundelik_v2.json")  # type: ignore[no-any-return]


def test_ids_come_from_the_str_twin_because_the_numbers_were_rounded(real: dict[str, Any]) -> None:
    subjects = [m.subject(s) for s in real["GET /v2/schools/{school}/subjects"]]
    # Both numeric ids were rounded to 1343883032131044600 by a float parser; only the twins differ.
    assert [s.id for s in subjects] == ["1343883032131044633", "1343883032131044638"]
    assert subjects[1].name == "Алгебра"


def test_a_subgroup_points_at_its_class_by_the_exact_parent_id(real: dict[str, Any]) -> None:
    (group,) = real["GET /v2/persons/{person}/schools/{school}/edu-groups"]
    (sub,) = real["GET /v2/persons/{person}/edu-groups"]
    cls = m.edu_group(group)
    subgroup = m.edu_group(sub, subject_id="1343883032131044638")
    assert (cls.id, cls.name, cls.grade, cls.academic_year, cls.parent_id) == (
        "2260325488551003872",
        "11-H",
        11,
        2024,
        None,
    )
    assert subgroup.parent_id == cls.id
    assert subgroup.subject_id == "1343883032131044638"


def test_a_person_is_completed_from_the_user(real: dict[str, Any]) -> None:
    user = real["GET /v2/users/me"]
    obj = {"id_str": user["personId_str"], "id": user["personId"], "lastName": "Иванова", "firstName": "Белла"}
    person = m.person(obj, roles=frozenset({Role.PARENT}), user=user)
    assert person.id == "1000010305403"
    assert person.birth_date == dt.date(1971, 2, 4)
    assert person.gender is Gender.FEMALE
    assert person.phone is None  # "" on the platform means unknown


def test_a_person_without_names_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="person 42"):
        m.person({"id": 42, "id_str": "42", "shortName": "И А"}, roles=frozenset({Role.STUDENT}))


def test_teacher_dto_is_pascal_case() -> None:
    t = m.teacher(
        {
            "Id": 5,
            "IdStr": "9007199254740993",
            "LastName": "Ёлкина",
            "FirstName": "Анна",
            "Sex": "Female",
            "DateBirth": "1980-03-01T00:00:00",
        }
    )
    assert t.id == "9007199254740993"
    assert t.birth_date == dt.date(1980, 3, 1)
    assert t.roles == frozenset({Role.TEACHER})


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("Absent", AttendanceCode.ABSENT),
        ("Pass", AttendanceCode.EXCUSED),
        ("Ill", AttendanceCode.ILL),
        ("Late", AttendanceCode.LATE),
        ("Attend", None),
    ],
)
def test_attendance_statuses_follow_the_one_table(status: str, code: AttendanceCode | None) -> None:
    entry = {
        "person": 1,
        "person_str": "1",
        "lesson": 2,
        "lesson_str": "2",
        "status": status,
        "createdDate": "2019-09-15T16:35:53.853",
    }
    got = m.attendance(entry)
    assert (got.code if got else None) == code
    if code is not None:
        assert m.ATTENDANCE_TO_DNEVNIK[code] == status


def test_an_unknown_attendance_status_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown status 'Sick'"):
        m.attendance({"person_str": "1", "lesson_str": "2", "status": "Sick"})


def test_lesson_and_marks() -> None:
    lesson = m.lesson(
        {
            "id": 1,
            "id_str": "11",
            "title": "Дроби",
            "date": "2026-09-14T00:00:00",
            "number": 3,
            "subject": {"id": 7, "id_str": "77", "name": "Математика"},
            "group": 5,
            "group_str": "55",
            "teachers": [9],
            "teachers_str": ["99"],
        },
        homework="№ 12",
    )
    assert (lesson.id, lesson.date, lesson.class_id, lesson.subject_id, lesson.teacher_id) == (
        "11",
        dt.date(2026, 9, 14),
        "55",
        "77",
        "99",
    )
    assert lesson.homework == "№ 12"
    mark = m.mark(
        {"id_str": "1", "value": "4-", "person_str": "3", "lesson_str": "11", "date": "2026-09-20T10:11:12.5"},
        work={"type": "LessonTestWork", "lesson_str": "11"},
        subject_id="77",
    )
    assert (mark.value, mark.kind, mark.date) == ("4-", MarkKind.LESSON, dt.date(2026, 9, 20))
    work_mark = m.mark(
        {"id_str": "2", "value": "5", "person_str": "3", "lesson_str": "11"},
        work={"type": "ControlWork", "workType": 4, "subjectId": 77},
    )
    assert (work_mark.kind, work_mark.work_type, work_mark.subject_id) == (MarkKind.WORK, "4", "77")


def test_final_marks_and_periods() -> None:
    marks = m.final_marks(
        {
            "person_str": "3",
            "group_str": "55",
            "reportingPeriod_str": "8",
            "per-subject-final-marks": [
                {"subject_str": "77", "final-mark": {"id_str": "90", "value": "5"}},
                {"subject_str": "78", "final-mark": {"value": None}},
            ],
        }
    )
    assert [(x.id, x.kind, x.period_id, x.subject_id, x.value) for x in marks] == [
        ("90", MarkKind.PERIOD_FINAL, "8", "77", "5")
    ]
    period = m.reporting_period(
        {
            "id_str": "8",
            "start": "2026-09-01T00:00:00",
            "finish": "2026-10-26T00:00:00",
            "number": 0,
            "type": "Quarter",
            "name": "1 четверть",
            "year": 2026,
        }
    )
    assert (period.kind, period.academic_year, period.end_date) == (
        ReportingPeriodKind.QUARTER,
        2026,
        dt.date(2026, 10, 26),
    )
