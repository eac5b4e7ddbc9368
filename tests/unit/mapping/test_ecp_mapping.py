"""ГИС ЕЦП JSON -> canonical and canonical -> edu-upload rows, on the captured schedule reply in
tests/fixtures/ecp/ and payloads in the shapes of the public clients."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from edugateway.domain.models import AttendanceCode, Gender, MarkKind, ParentLink, Person, ReportingPeriodKind, Role
from edugateway.errors import ValidationError
from edugateway.mapping import ecp as m
from support.fixture_files import fixture_json

HOMEROOM = "0194aaaa-0000-7000-8000-000000000001"
STUDENT = "0194aaaa-0000-7000-8000-0000000000a1"


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    return fixture_json("ecp/schedule-response-sample.json")  # type: ignore[no-any-return]


def test_the_captured_week_maps_to_lessons_with_subgroups_by_name(sample: dict[str, Any]) -> None:
    monday = sample["scheduleModel"]["days"][0]
    day = m.local_date(monday["date"], what="day")
    assert day == dt.date(2025, 4, 7)  # the local date, not the UTC one (2025-04-06T19:00Z)
    lessons = [
        m.lesson(obj, day=day, homeroom_id=HOMEROOM, subject_id="s") for obj in monday["scheduleDayLessonModels"]
    ]
    assert [(les.number, les.class_id) for les in lessons[:2]] == [
        (1, HOMEROOM),
        (2, f"{HOMEROOM}#Группа 2_Анг"),
    ]
    assert lessons[0].id == "0195d6d0-8dfe-7170-819e-37ece5f4fc63"
    assert lessons[0].topic is None  # the schedule carries no topic


def test_a_lesson_without_times_or_id_is_mapped_or_named(sample: dict[str, Any]) -> None:
    untimed = next(
        les for d in sample["scheduleModel"]["days"] for les in d["scheduleDayLessonModels"] if les["beginHour"] is None
    )
    assert m.lesson(untimed, day=dt.date(2025, 4, 8), homeroom_id=HOMEROOM, subject_id="s").number == 5
    with pytest.raises(ValidationError, match="ГИС ЕЦП lesson has no 'id'"):
        m.lesson({"lessonName": "Алгебра"}, day=dt.date(2025, 4, 8), homeroom_id=HOMEROOM, subject_id="s")


def test_a_student_takes_the_patronymic_from_surname() -> None:
    person = m.student({"id": STUDENT.upper(), "firstName": "Пётр", "lastName": "Иванов", "surName": "Сергеевич"})
    assert (person.id, person.last_name, person.middle_name, person.roles) == (
        STUDENT,
        "Иванов",
        "Сергеевич",
        frozenset({Role.STUDENT}),
    )


def test_a_student_without_a_name_is_an_error_naming_the_record_not_the_values() -> None:
    with pytest.raises(ValidationError, match=f"student {STUDENT}.*last_name") as caught:
        m.student({"id": STUDENT, "firstName": "Пётр", "lastName": "", "surName": None})
    assert "Пётр" not in str(caught.value)


def test_classes_take_their_grade_from_the_name() -> None:
    cls = m.school_class({"value": HOMEROOM, "text": "11Б"}, academic_year=2026)
    assert (cls.grade, cls.academic_year, cls.parent_id) == (11, 2026, None)


def test_period_kinds_by_name_and_dates_by_lessons() -> None:
    assert m.period_kind("2 Полугодие") is ReportingPeriodKind.HALF
    assert m.period_kind("1 четверть") is ReportingPeriodKind.QUARTER
    assert m.period_kind("Итоговые оценки") is ReportingPeriodKind.YEAR
    assert m.period_kind("Текущая неделя") is None
    period = m.reporting_period(
        {"id": HOMEROOM, "name": "1 четверть"}, days=[dt.date(2026, 10, 24), dt.date(2026, 9, 1)]
    )
    assert (period.start_date, period.end_date, period.academic_year) == (
        dt.date(2026, 9, 1),
        dt.date(2026, 10, 24),
        2026,
    )
    with pytest.raises(ValidationError, match="no lessons yet"):
        m.reporting_period({"id": HOMEROOM, "name": "3 четверть"}, days=[])


def test_week_table_marks_get_positional_ids_and_presence_codes() -> None:
    row = {"lessonId": "L1", "name": "Алгебра", "presence": "Б", "grades": [["5"], ["4-"]]}
    marks = m.lesson_marks(row, student_id=STUDENT, day=dt.date(2026, 9, 7), subject_id="subj")
    assert [(x.id, x.value, x.kind, x.lesson_id) for x in marks] == [
        (f"{STUDENT}:l1:1", "5", MarkKind.LESSON, "l1"),
        (f"{STUDENT}:l1:2", "4-", MarkKind.LESSON, "l1"),
    ]
    absence = m.presence(row, student_id=STUDENT)
    assert absence is not None
    assert absence.code is AttendanceCode.ILL
    assert m.presence({**row, "presence": None}, student_id=STUDENT) is None
    with pytest.raises(ValidationError, match="unknown presence code"):
        m.presence({**row, "presence": "?"}, student_id=STUDENT)
    with pytest.raises(ValidationError, match=f"mark {STUDENT}:l1:1"):
        m.lesson_marks({**row, "grades": [["7"]]}, student_id=STUDENT, day=dt.date(2026, 9, 7), subject_id="subj")


def test_the_year_table_gives_period_and_year_finals() -> None:
    row = {
        "lesson": {"id": "SUBJ", "name": "Алгебра"},
        "yearGrade": "5",
        "finalyGrade": None,
        "grades": [{"periodId": "Q1", "finallygrade": "4"}, {"periodId": "Q2", "finallygrade": None}],
    }
    finals = m.year_table_finals(row, student_id=STUDENT, year_period_id="year")
    assert [(x.id, x.kind, x.value, x.period_id) for x in finals] == [
        (f"{STUDENT}:q1:subj", MarkKind.PERIOD_FINAL, "4", "q1"),
        (f"{STUDENT}:year:subj", MarkKind.YEAR_FINAL, "5", "year"),
    ]


def test_homework_of_a_day_joins_assignments_per_lesson() -> None:
    reply = {
        "homeworks": [
            {"lessonId": "A", "description": "§ 3"},
            {"lessonId": "A", "description": "№ 5"},
            {"lessonId": "B", "description": "  "},
        ]
    }
    assert m.homework_texts(reply) == {"a": "§ 3\n№ 5"}


PUPIL = Person(
    id="s1",
    roles=frozenset({Role.STUDENT}),
    last_name="Иванов",
    first_name="Пётр",
    middle_name="Сергеевич",
    birth_date=dt.date(2015, 9, 1),
    gender=Gender.MALE,
    snils="11223344595",
)
MOTHER = Person(
    id="p1",
    roles=frozenset({Role.PARENT}),
    last_name="Иванова",
    first_name="Анна",
    gender=Gender.FEMALE,
    phone="8 (912) 345-67-89",
)


def test_a_pupil_row_is_in_the_upload_table_formats() -> None:
    row = m.pupil_row(PUPIL, class_name="5А", org_ogrn="1026600000001")
    assert list(row) == list(m.STUDENT_COLUMNS)
    assert (row["birth_date"], row["snils"], row["gender"], row["admission_date"]) == (
        "01.09.2015",
        "112-233-445 95",
        "M",
        "",
    )
    with pytest.raises(ValidationError, match="birth_date, org_ogrn") as caught:
        m.pupil_row(PUPIL.model_copy(update={"birth_date": None}), class_name="5А", org_ogrn="")
    assert caught.value.record == "pupil s1"


def test_a_representative_row_takes_relation_from_the_link_and_gender() -> None:
    row = m.representative_row(MOTHER, ParentLink(parent_id="p1", child_id="s1"))
    assert (row["relation"], row["student_id"], row["phone"]) == ("mother", "s1", "+79123456789")
    assert m.upload_relation(ParentLink(parent_id="p1", child_id="s1", relation="опекун"), None) == "guardian"
    assert m.upload_relation(ParentLink(parent_id="p1", child_id="s1", relation="бабушка"), Gender.FEMALE) == "other"
    assert m.upload_phone("12-34") == "12-34"  # sent as typed: the service says why it is refused
    with pytest.raises(ValidationError, match="link is for parent p2"):
        m.representative_row(MOTHER, ParentLink(parent_id="p2", child_id="s1"))
