"""A tiny school, small enough to read in a test: one class, one subgroup, a family, a teacher."""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.domain.models import (
    Enrollment,
    EnrollmentRole,
    Gender,
    ParentLink,
    Person,
    ReportingPeriod,
    ReportingPeriodKind,
    Role,
    School,
    SchoolClass,
    Subject,
)
from edugateway.domain.snapshot import SchoolSnapshot

SNILS_A, SNILS_B = "67083560110", "27628199823"


@pytest.fixture
def tiny_school() -> SchoolSnapshot:
    start = dt.date(2026, 9, 1)
    return SchoolSnapshot(
        school=School(code="sch1", name="МБОУ СОШ № 1", inn="6664000001", ogrn="1026600000001", timezone="Asia/Omsk"),
        subjects=[
            Subject(id="subj-eng", name="Английский язык", code="eng"),
            Subject(id="subj-math", name="Математика"),
        ],
        classes=[
            SchoolClass(id="cls-5A", name="5А", grade=5, academic_year=2026),
            SchoolClass(
                id="cls-5A-eng-1",
                name="5А Английский язык, группа 1",
                grade=5,
                academic_year=2026,
                parent_id="cls-5A",
                subject_id="subj-eng",
            ),
        ],
        periods=[
            ReportingPeriod(
                id="rp-y",
                name="2026/2027 учебный год",
                kind=ReportingPeriodKind.YEAR,
                academic_year=2026,
                start_date=start,
                end_date=dt.date(2027, 5, 26),
            ),
            ReportingPeriod(
                id="rp-q1",
                name="1 четверть",
                kind=ReportingPeriodKind.QUARTER,
                academic_year=2026,
                start_date=start,
                end_date=dt.date(2026, 10, 26),
            ),
        ],
        persons=[
            Person(
                id="s1",
                roles=frozenset({Role.STUDENT}),
                last_name="Иванова",
                first_name="Мария",
                middle_name="Петровна",
                birth_date=dt.date(2015, 3, 14),
                gender=Gender.FEMALE,
                snils=SNILS_A,
            ),
            Person(
                id="s2",
                roles=frozenset({Role.STUDENT}),
                last_name="Иванов",
                first_name="Пётр",
                middle_name="Петрович",
                gender=Gender.MALE,
                snils_rejected="123-456-789 00",
            ),
            Person(
                id="p1",
                roles=frozenset({Role.PARENT}),
                last_name="Иванова",
                first_name="Анна",
                middle_name="Сергеевна",
                snils=SNILS_B,
                phone="+79001234567",
            ),
            Person(
                id="t1",
                roles=frozenset({Role.TEACHER, Role.PARENT}),
                last_name="Смирнова",
                first_name="Ольга",
                email="smirnova@example.ru",
            ),
        ],
        enrollments=[
            Enrollment(id="e-s1", person_id="s1", class_id="cls-5A", start_date=start),
            Enrollment(id="e-s2", person_id="s2", class_id="cls-5A", start_date=start),
            Enrollment(id="e-s1-eng", person_id="s1", class_id="cls-5A-eng-1", start_date=start),
            Enrollment(id="e-t1", person_id="t1", class_id="cls-5A", role=EnrollmentRole.TEACHER, start_date=start),
        ],
        parent_links=[
            ParentLink(parent_id="p1", child_id="s1", relation="mother"),
            ParentLink(parent_id="p1", child_id="s2", relation="mother"),
        ],
    )
