"""The canonical model every connector maps to and every store table mirrors."""

from edugateway.domain.marks import MarkValue, parse_mark
from edugateway.domain.models import (
    Attendance,
    AttendanceCode,
    Enrollment,
    EnrollmentRole,
    Gender,
    Lesson,
    Mark,
    MarkKind,
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

__all__ = [
    "Attendance",
    "AttendanceCode",
    "Enrollment",
    "EnrollmentRole",
    "Gender",
    "Lesson",
    "Mark",
    "MarkKind",
    "MarkValue",
    "ParentLink",
    "Person",
    "ReportingPeriod",
    "ReportingPeriodKind",
    "Role",
    "School",
    "SchoolClass",
    "SchoolSnapshot",
    "Subject",
    "parse_mark",
]
