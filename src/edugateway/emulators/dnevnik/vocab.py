"""The platform's closed vocabularies in one place: mark systems, attendance statuses, work and period types.

Special marks (Н/А, ОСВ, зачёт) were not found in any source (docs/platforms/dnevnik.md, Marks); they are
modelled as extra values of the `mark5` system with `textValue` holding the label. Attendance mapping:
docs/platforms/dnevnik.md.
"""

from __future__ import annotations

from edugateway.domain.models import AttendanceCode, ReportingPeriodKind

MARK5 = [f"{n}{s}" for n in range(1, 6) for s in ("-", "", "+")]
# canonical value (edugateway.domain.marks) -> (Дневник value, textValue)
SPECIAL_MARKS = {"Н/А": ("НА", "Н/А"), "ОСВ": ("ОСВ", "ОСВ"), "зачёт": ("ЗЧ", "зачёт"), "незачёт": ("НЗ", "незачёт")}
MARK_VALUES: dict[str, list[str]] = {"mark5": MARK5 + [v for v, _ in SPECIAL_MARKS.values()]}
TEXT_VALUES = dict(SPECIAL_MARKS.values())

LOG_STATUSES = ["Attend", "Absent", "Ill", "Late", "Pass"]
ATTENDANCE_STATUS = {
    AttendanceCode.ABSENT: "Absent",
    AttendanceCode.EXCUSED: "Pass",
    AttendanceCode.ILL: "Ill",
    AttendanceCode.LATE: "Late",
}
MOODS = ("Good", "Average", "Bad", "NotSet")

# Work.type strings; only "Homework" is confirmed (SR checks it), the others are [I].
LESSON_WORK = "DefaultNewLessonWork"
WORK_TYPES = ("Homework", LESSON_WORK, "CommonWork", "PeriodMark", "YearMark")

PERIOD_TYPES = {
    ReportingPeriodKind.QUARTER: "Quarter",
    ReportingPeriodKind.HALF: "Semester",
    ReportingPeriodKind.TRIMESTER: "Trimester",
}


def mood_of(value: str) -> str:
    """What the journal shows beside a mark: good for 4–5, average for 3, bad for 1–2, none for specials."""
    if value and value[0] in "45":
        return "Good"
    if value and value[0] == "3":
        return "Average"
    if value and value[0] in "12":
        return "Bad"
    return "NotSet"


def counts_in_average(value: str) -> bool:
    return value in MARK5
