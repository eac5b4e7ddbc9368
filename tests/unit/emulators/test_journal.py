import datetime as dt

from edugateway.domain.models import AttendanceCode, MarkKind
from edugateway.emulators.journal import generate_journal, study_days
from edugateway.emulators.synthetic import generate_school


def test_journal_is_consistent_with_the_school() -> None:
    school = generate_school(seed=3, students=120, classes=6).snapshot
    until = dt.date(2026, 11, 20)
    snap = generate_journal(school, until=until, seed=3)
    days = set(study_days(school.periods, until))
    assert dt.date(2026, 10, 30) not in days  # autumn holidays
    lessons = {les.id: les for les in snap.lessons}
    assert lessons
    assert all(les.date in days and les.date.weekday() < 5 for les in lessons.values())
    classes = {c.id: c for c in school.classes}
    absent = {(a.person_id, a.lesson_id) for a in snap.attendance if a.code is not AttendanceCode.LATE}
    for mark in snap.marks:
        if mark.kind in (MarkKind.LESSON, MarkKind.WORK):
            lesson = lessons[mark.lesson_id or ""]
            assert classes[lesson.class_id].grade > 1  # first grade gets no marks
            assert (mark.person_id, lesson.id) not in absent
    finals = [m for m in snap.marks if m.kind is MarkKind.PERIOD_FINAL]
    assert finals
    assert {m.period_id for m in finals} == {"rp-2026-q1"}  # only the quarter that has ended
    assert snap == generate_journal(school, until=until, seed=3)
