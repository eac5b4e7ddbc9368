"""Canonical records. Ids are the local system's string ids (OneRoster sourcedId)."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from edugateway.domain.marks import MarkValue
from edugateway.domain.snils import normalize_snils


class Role(StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    PARENT = "parent"
    STAFF = "staff"


class Gender(StrEnum):
    MALE = "M"
    FEMALE = "F"


class EnrollmentRole(StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"


class ReportingPeriodKind(StrEnum):
    QUARTER = "quarter"  # четверть
    HALF = "half"  # полугодие
    TRIMESTER = "trimester"  # триместр
    YEAR = "year"  # учебный год


class MarkKind(StrEnum):
    LESSON = "lesson"  # за урок
    WORK = "work"  # за работу (контрольная, лабораторная, …)
    PERIOD_FINAL = "period_final"  # четвертная / полугодовая
    YEAR_FINAL = "year_final"  # годовая


class AttendanceCode(StrEnum):
    ABSENT = "Н"  # без уважительной причины
    EXCUSED = "У"  # по уважительной причине
    ILL = "Б"  # по болезни
    LATE = "ОП"  # опоздание


def _snils(value: str | None) -> str | None:
    return None if value is None or not value.strip() else normalize_snils(value)


def _name(value: str) -> str:
    cleaned = re.sub(r"\s+", " ", value).strip()
    if not cleaned:
        raise ValueError("must not be empty")
    return cleaned


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Yekaterinburg") from exc
    return value


Snils = Annotated[str | None, AfterValidator(_snils)]
Name = Annotated[str, AfterValidator(_name)]
Id = Annotated[str, Field(min_length=1, max_length=128)]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class School(_Record):
    code: Id
    name: Name
    inn: str | None = Field(default=None, pattern=r"^\d{10}$")
    ogrn: str | None = Field(default=None, pattern=r"^\d{13}$")
    timezone: Annotated[str, AfterValidator(_timezone)] = "Europe/Moscow"


class Person(_Record):
    id: Id
    roles: frozenset[Role] = Field(min_length=1)
    last_name: Name
    first_name: Name
    middle_name: str | None = None  # отчество is optional by law
    birth_date: dt.date | None = None
    gender: Gender | None = None
    snils: Snils = None  # 11 digits, valid checksum
    # The value as entered when it could not be accepted (bad checksum, wrong shape, held by another
    # person). Kept so the clerk sees what was typed; never used as an identity key.
    snils_rejected: str | None = None
    email: str | None = None
    phone: str | None = None

    @field_validator("middle_name")
    @classmethod
    def _blank_middle_is_none(cls, value: str | None) -> str | None:
        return _name(value) if value and value.strip() else None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


class SchoolClass(_Record):
    """A class («5А») or, with `parent_id`, one of its subgroups (подгруппа)."""

    id: Id
    name: Name
    grade: int = Field(ge=0, le=12)  # parallel; 0 for pre-school groups
    academic_year: int = Field(ge=2000, le=2100)  # the year the school year starts: 2026 = 2026/2027
    parent_id: str | None = None
    subject_id: str | None = None  # a subgroup usually exists for one subject

    @model_validator(mode="after")
    def _subject_only_on_subgroups(self) -> Self:
        if self.subject_id and not self.parent_id:
            raise ValueError("subject_id is for subgroups only; set parent_id to the class it splits")
        return self


class Enrollment(_Record):
    id: Id
    person_id: Id
    class_id: Id
    role: EnrollmentRole = EnrollmentRole.STUDENT
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self


class ParentLink(_Record):
    parent_id: Id
    child_id: Id
    relation: str = "parent"  # mother, father, guardian…


class Subject(_Record):
    id: Id
    name: Name
    code: str | None = None


class ReportingPeriod(_Record):
    id: Id
    name: Name
    kind: ReportingPeriodKind
    academic_year: int = Field(ge=2000, le=2100)
    start_date: dt.date
    end_date: dt.date

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self


class Lesson(_Record):
    id: Id
    date: dt.date
    number: int = Field(ge=0, le=12)  # номер урока in the day
    class_id: Id
    subject_id: Id
    teacher_id: str | None = None
    topic: str | None = None
    homework: str | None = None
    # When the platform says: the lesson's bell times (its timetable) and when the homework was sent. Aware, so a
    # platform's local times and the school's zone cannot be mixed up; None where the platform does not tell.
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    homework_sent_at: AwareDatetime | None = None


class Mark(_Record):
    id: Id
    person_id: Id
    value: MarkValue
    kind: MarkKind = MarkKind.LESSON
    lesson_id: str | None = None
    subject_id: str | None = None
    period_id: str | None = None
    work_type: str | None = None  # контрольная, самостоятельная, …
    weight: int = Field(default=1, ge=1, le=10)
    date: dt.date | None = None

    @model_validator(mode="after")
    def _anchored(self) -> Self:
        if self.kind in (MarkKind.LESSON, MarkKind.WORK) and not self.lesson_id:
            raise ValueError(f"a {self.kind.value} mark needs lesson_id")
        if self.kind in (MarkKind.PERIOD_FINAL, MarkKind.YEAR_FINAL) and not (self.period_id and self.subject_id):
            raise ValueError(f"a {self.kind.value} mark needs period_id and subject_id")
        return self


class WorkType(_Record):
    """A platform's kind of graded work at a school (Дневник.ру: «Контрольная работа», kind CommonWork); a mark's
    `work_type` holds its `id` on such a platform."""

    id: Id
    title: str = Field(min_length=1)
    kind: str | None = None


class Attendance(_Record):
    person_id: Id
    lesson_id: Id
    code: AttendanceCode
    minutes_late: int | None = Field(default=None, ge=0, le=120)
    entered_at: AwareDatetime | None = None  # when the teacher entered it (Дневник.ру `createdDate`)
