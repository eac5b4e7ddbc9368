"""The school's own journal as pushed entities (issue 18): lesson and work marks, period and year finals,
attendance and homework, each the outbox's records keyed by the local id.

What each record wants on the platform is named by local ids only (person, lesson, subject, period source ids):
the platform's ids are found when the record is sent (sync/journal_send.py), so a digest changes only when the
school's journal does. `where` says in words where the write lands, for `sync --dry-run` and the run log. The
engine fills the snapshot's lessons, marks and attendance with the local journal of the lessons matched on the
platform (sync/lesson_match.py) before planning; a record of an unmatched lesson is not wanted, it is reported.

None of these upserts: a create sent twice makes two marks on Дневник.ру, so an unknown result is resolved by
asking the platform (sync/journal_send.py), never by sending again blindly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from edugateway.domain.entities import Entity
from edugateway.domain.models import Attendance, AttendanceCode, EnrollmentRole, Lesson, Mark, MarkKind
from edugateway.domain.snapshot import SchoolSnapshot

FINAL_KINDS = (MarkKind.PERIOD_FINAL, MarkKind.YEAR_FINAL)


def _names(snapshot: SchoolSnapshot) -> tuple[dict[str, str], dict[str, str]]:
    return {c.id: c.name for c in snapshot.classes}, {s.id: s.name for s in snapshot.subjects}


def lesson_where(lesson: Lesson, classes: dict[str, str], subjects: dict[str, str]) -> str:
    """«2026-09-03 №2 5А Математика»: a lesson as a person finds it in the journal."""
    return (
        f"{lesson.date.isoformat()} №{lesson.number} {classes.get(lesson.class_id, lesson.class_id)} "
        f"{subjects.get(lesson.subject_id, lesson.subject_id)}"
    )


def homerooms(snapshot: SchoolSnapshot) -> dict[str, str]:
    """pupil -> their class (not a subgroup): a final is given on the work of the pupil's class."""
    top = {c.id for c in snapshot.classes if c.parent_id is None}
    return {
        e.person_id: e.class_id for e in snapshot.enrollments if e.class_id in top and e.role is EnrollmentRole.STUDENT
    }


class JournalMarks:
    """Lesson marks go on the lesson's own work, work marks on a control work of their type on that lesson."""

    entity = Entity.MARKS
    track = "journal_marks"
    upserts = False

    def wanted(self, snapshot: SchoolSnapshot) -> dict[str, dict[str, Any]]:
        classes, subjects = _names(snapshot)
        lessons = {lesson.id: lesson for lesson in snapshot.lessons}
        out: dict[str, dict[str, Any]] = {}
        for mark in snapshot.marks:
            lesson = lessons.get(mark.lesson_id or "")
            if mark.kind in FINAL_KINDS or lesson is None:
                continue
            out[mark.id] = {
                "mark": mark.id,
                "person": mark.person_id,
                "value": mark.value,
                "kind": mark.kind.value,
                "lesson": lesson.id,
                "class": lesson.class_id,
                "subject": lesson.subject_id,
                "work_type": mark.work_type if mark.kind is MarkKind.WORK else None,
                "date": mark.date.isoformat() if mark.date else None,
                "where": lesson_where(lesson, classes, subjects),
            }
        return out

    def records(self, payloads: Sequence[dict[str, Any]]) -> list[Any]:
        return [_mark(p) for p in payloads]


class JournalFinals:
    """Period and year finals go on the pupil's class's PeriodMark / YearMark work of the subject and period."""

    entity = Entity.FINAL_MARKS
    track = "journal_finals"
    upserts = False

    def wanted(self, snapshot: SchoolSnapshot) -> dict[str, dict[str, Any]]:
        classes, subjects = _names(snapshot)
        periods = {p.id: p.name for p in snapshot.periods}
        rooms = homerooms(snapshot)
        out: dict[str, dict[str, Any]] = {}
        for mark in snapshot.marks:
            if mark.kind not in FINAL_KINDS or mark.person_id not in rooms:
                continue
            subject, period, room = mark.subject_id or "", mark.period_id or "", rooms[mark.person_id]
            out[mark.id] = {
                "mark": mark.id,
                "person": mark.person_id,
                "value": mark.value,
                "kind": mark.kind.value,
                "class": room,
                "subject": subject,
                "period": period,
                "date": mark.date.isoformat() if mark.date else None,
                "where": f"{classes.get(room, room)} {subjects.get(subject, subject)}, {periods.get(period, period)}",
            }
        return out

    def records(self, payloads: Sequence[dict[str, Any]]) -> list[Any]:
        return [_mark(p) for p in payloads]


class JournalAttendance:
    """One log entry per pupil and lesson (Н/У/Б/ОП); a pupil present has none."""

    entity = Entity.ATTENDANCE
    track = "journal_attendance"
    upserts = False

    def wanted(self, snapshot: SchoolSnapshot) -> dict[str, dict[str, Any]]:
        classes, subjects = _names(snapshot)
        lessons = {lesson.id: lesson for lesson in snapshot.lessons}
        return {
            f"{entry.lesson_id}:{entry.person_id}": {
                "person": entry.person_id,
                "lesson": entry.lesson_id,
                "code": entry.code.value,
                "where": lesson_where(lessons[entry.lesson_id], classes, subjects),
            }
            for entry in snapshot.attendance
            if entry.lesson_id in lessons
        }

    def records(self, payloads: Sequence[dict[str, Any]]) -> list[Any]:
        return [
            Attendance(person_id=p["person"], lesson_id=p["lesson"], code=AttendanceCode(p["code"])) for p in payloads
        ]


class JournalHomework:
    """A lesson's homework is a work of type Homework on the platform's lesson."""

    entity = Entity.HOMEWORK
    track = "journal_homework"
    upserts = False

    def wanted(self, snapshot: SchoolSnapshot) -> dict[str, dict[str, Any]]:
        classes, subjects = _names(snapshot)
        return {
            lesson.id: {
                "lesson": lesson.id,
                "class": lesson.class_id,
                "subject": lesson.subject_id,
                "text": lesson.homework,
                "date": lesson.date.isoformat(),
                "number": lesson.number,
                "where": lesson_where(lesson, classes, subjects),
            }
            for lesson in snapshot.lessons
            if lesson.homework
        }

    def records(self, payloads: Sequence[dict[str, Any]]) -> list[Any]:
        return [
            Lesson(
                id=p["lesson"],
                date=dt.date.fromisoformat(p["date"]),
                number=p["number"],
                class_id=p["class"],
                subject_id=p["subject"],
                homework=p["text"],
            )
            for p in payloads
        ]


JOURNAL_ADAPTERS = (JournalMarks(), JournalFinals(), JournalAttendance(), JournalHomework())


def _mark(p: dict[str, Any]) -> Mark:
    """The local mark a payload holds (named by local ids)."""
    kind = MarkKind(p["kind"])
    final = kind in FINAL_KINDS
    return Mark(
        id=p["mark"],
        person_id=p["person"],
        value=p["value"],
        kind=kind,
        lesson_id=None if final else p["lesson"],
        subject_id=p["subject"],
        period_id=p["period"] if final else None,
        work_type=None if final else p["work_type"],
        date=dt.date.fromisoformat(p["date"]) if p.get("date") else None,
    )


def described(entity: Entity, op: str, key: str, payload: dict[str, Any]) -> str:
    """One planned journal write as `sync --dry-run` lists it: op, what, where (local ids, no names of persons)."""
    what = payload.get("value") or payload.get("code") or (payload.get("text") or "")[:40]
    pupil = f" pupil {payload['person']}" if payload.get("person") else ""
    return f"{op} {entity.value} {key}:{pupil} {what!r} at {payload.get('where', '?')}"
