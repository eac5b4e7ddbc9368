"""The figures of the monthly report (004 §5.2, with the control figures of 000 §3.4.8 and 004 §3.5) for one
teacher × class × subject, from the lessons, the marks and the class lists of a span of days.

- lessons held: the journal's lessons dated in the span; with a topic («учёт пройденного учебного материала»)
  and with homework («запись домашнего задания»): how many of them have a non-blank one;
- marks: lesson and work marks given at those lessons (period finals are not current marks);
- pupils: those enrolled in the class during the span; without a mark / with one mark: how many of them got
  none / exactly one at this teacher's lessons of the subject;
- накопляемость: lessons per mark of a pupil, lessons × pupils / marks, set against 004 §4.2.4 «1 раз в 3–4
  урока» (at most 4: within the norm).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from edugateway.school_reports.model import percent
from edugateway.store.school_report_reads import LessonFill, PupilMarks

ACCUMULATION_NORM = 4  # 004 §4.2.4: a mark «1 раз в 3–4 урока»

Key = tuple[int | None, int, int]  # teacher, class, subject


@dataclass(frozen=True)
class FillRow:
    teacher_id: int | None
    class_id: int
    subject_id: int
    lessons: int
    with_topic: int
    with_homework: int
    marks: int
    pupils: int
    unmarked: int  # pupils without a mark
    one_mark: int  # pupils with exactly one
    marked: bool = True  # False: a class taught without marks (the first grade): no mark figure applies

    @property
    def marked_pupils(self) -> int:
        """The pupils the mark figures are shares of: none in a class taught without marks."""
        return self.pupils if self.marked else 0

    @property
    def topic_percent(self) -> float | None:
        return percent(self.with_topic, self.lessons)

    @property
    def homework_percent(self) -> float | None:
        return percent(self.with_homework, self.lessons)

    @property
    def unmarked_percent(self) -> float | None:
        return percent(self.unmarked, self.marked_pupils)

    @property
    def one_mark_percent(self) -> float | None:
        return percent(self.one_mark, self.marked_pupils)

    @property
    def lessons_per_mark(self) -> float | None:
        """How many lessons a pupil has, on average, per mark; None without a mark or a pupil."""
        if not self.marks or not self.pupils or not self.marked:
            return None
        return round(self.lessons * self.pupils / self.marks, 1)

    @property
    def within_norm(self) -> bool:
        per_mark = self.lessons_per_mark
        return per_mark is not None and per_mark <= ACCUMULATION_NORM


def fill_rows(
    fills: Iterable[LessonFill],
    marks: Iterable[PupilMarks],
    pupils: Mapping[int, set[int]],
    unmarked_classes: Collection[int] = (),
) -> list[FillRow]:
    """One row per teacher × class × subject that held lessons in the span; `unmarked_classes` are taught without
    marks (their pupils without a mark are no finding)."""
    given: dict[Key, dict[int, int]] = defaultdict(dict)
    for m in marks:
        given[(m.teacher_id, m.class_id, m.subject_id)][m.person_id] = m.marks
    rows: list[FillRow] = []
    for f in fills:
        key = (f.teacher_id, f.class_id, f.subject_id)
        on_list = pupils.get(f.class_id, set())
        per_pupil = given.get(key, {})
        marked = f.class_id not in unmarked_classes
        rows.append(
            FillRow(
                f.teacher_id,
                f.class_id,
                f.subject_id,
                f.lessons,
                f.with_topic,
                f.with_homework,
                sum(per_pupil.values()),
                len(on_list),
                sum(1 for p in on_list if not per_pupil.get(p)) if marked else 0,
                sum(1 for p in on_list if per_pupil.get(p) == 1) if marked else 0,
                marked,
            )
        )
    return rows


@dataclass(frozen=True)
class FillTotals:
    """The control figures over many rows: sums, then shares of the sums."""

    lessons: int
    with_topic: int
    with_homework: int
    marks: int
    pupils: int  # pupil × subject pairs of classes taught with marks
    unmarked: int
    one_mark: int
    teachers: int  # teachers who held lessons
    teachers_working: int  # of them, those who recorded a topic, homework or a mark

    @classmethod
    def of(cls, rows: Iterable[FillRow]) -> FillTotals:
        rows = list(rows)
        by_teacher: dict[int, bool] = {}
        for r in rows:
            if r.teacher_id is not None:
                worked = bool(r.with_topic or r.with_homework or r.marks)
                by_teacher[r.teacher_id] = by_teacher.get(r.teacher_id, False) or worked
        return cls(
            sum(r.lessons for r in rows),
            sum(r.with_topic for r in rows),
            sum(r.with_homework for r in rows),
            sum(r.marks for r in rows),
            sum(r.marked_pupils for r in rows),
            sum(r.unmarked for r in rows),
            sum(r.one_mark for r in rows),
            len(by_teacher),
            sum(by_teacher.values()),
        )
