"""A whole school as canonical records: what an import produces, an export writes, and the synthetic
generator and emulator worlds start from."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from edugateway.domain.models import (
    Attendance,
    Enrollment,
    Lesson,
    Mark,
    ParentLink,
    Person,
    ReportingPeriod,
    School,
    SchoolClass,
    Subject,
)


class SchoolSnapshot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school: School
    persons: list[Person] = Field(default_factory=list)
    classes: list[SchoolClass] = Field(default_factory=list)  # subgroups too (parent_id set)
    subjects: list[Subject] = Field(default_factory=list)
    enrollments: list[Enrollment] = Field(default_factory=list)
    parent_links: list[ParentLink] = Field(default_factory=list)
    periods: list[ReportingPeriod] = Field(default_factory=list)
    lessons: list[Lesson] = Field(default_factory=list)
    marks: list[Mark] = Field(default_factory=list)
    attendance: list[Attendance] = Field(default_factory=list)
