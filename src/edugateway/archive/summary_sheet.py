"""The summary sheet (сводная ведомость) of one school year, read from the local database.

Per homeroom class (a subgroup's students and marks belong to its parent class): the students in journal
order, the subjects taught to the class, each student's final mark per subject for every period of the year
(четверти, триместры or полугодия, as the class's finals are filed) and the year final, and per period the
class's counts and percentages.

The formulas are the ones Russian schools report:
- успевающий: has at least one final mark in the period and none of «2» (or «1»), Н/А, незачёт;
- успеваемость, % = успевающие / students on the list × 100;
- качество, % = успевающие whose every numeric mark is «4» or «5» (at least one) / students on the list × 100.
ОСВ and зачёт neither fail nor spoil the quality. A missing mark is not a mark: it is shown empty and counted
under «нет отметки»; a student without any mark in the period is «не аттестован по журналу» and neither
успевающий nor качественный, so a half-filled journal lowers the percentages instead of flattering them.

The students are those actively enrolled in the class who had not left before the year's last period ended:
write the archive before the year-end promotion deactivates the enrollments (the deadline is 30 June).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from edugateway.domain.marks import SPECIAL_MARKS
from edugateway.domain.models import MarkKind, ReportingPeriodKind
from edugateway.domain.person_names import short_name
from edugateway.errors import ValidationError
from edugateway.store.db import Database
from edugateway.store.school_year import FinalMark, SchoolYear, Student, YearClass, YearPeriod
from edugateway.store.schools import school_by_code

YEAR_KEY = "year"
MISSING = "нет отметки"
# The count columns, in the order the sheet shows them; «2» counts «1» too (both are неудовлетворительно).
CATEGORIES = ("5", "4", "3", "2", "Н/А", "ОСВ", "зачёт", "незачёт")
FAILING = frozenset({"2", "Н/А", "незачёт"})
# A class without any period final yet takes the school's periods of the first kind it has, in this order.
_PERIOD_KIND_PREFERENCE = (ReportingPeriodKind.QUARTER, ReportingPeriodKind.TRIMESTER, ReportingPeriodKind.HALF)


def current_academic_year(today: dt.date) -> int:
    """The year the school year containing `today` started; July and August still belong to the year that ended."""
    return today.year if today.month >= 9 else today.year - 1


def category(mark: str) -> str:
    """The count column a final mark falls in: the digit of a numeric mark (5- is «5», 1 is «2»), else itself."""
    if mark in SPECIAL_MARKS:
        return mark
    digit = mark[:1]
    return "2" if digit == "1" else digit


@dataclass(frozen=True)
class PeriodColumn:
    key: str  # the period's row id as text, or YEAR_KEY
    title: str  # «1 четверть», «Год»


@dataclass(frozen=True)
class SubjectColumn:
    id: int
    name: str


@dataclass(frozen=True)
class StudentLine:
    number: int  # № по списку
    short_name: str  # «Иванова М. П.»
    marks: dict[tuple[str, int], str]  # (period key, subject id) -> final mark; a gap has no key

    def mark(self, period_key: str, subject_id: int) -> str:
        return self.marks.get((period_key, subject_id), "")


@dataclass(frozen=True)
class PeriodResults:
    period: PeriodColumn
    students: int
    counts: dict[str, int]  # CATEGORIES and MISSING -> how many marks (cells)
    successful: int
    quality: int
    not_assessed: int  # students without any mark in the period

    @property
    def success_percent(self) -> float | None:
        return _percent(self.successful, self.students)

    @property
    def quality_percent(self) -> float | None:
        return _percent(self.quality, self.students)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class ClassSheet:
    name: str
    grade: int
    periods: list[PeriodColumn]  # the year's periods in order, then the year
    subjects: list[SubjectColumn]
    students: list[StudentLine]
    results: list[PeriodResults]  # one per entry of `periods`


@dataclass(frozen=True)
class SummarySheet:
    school_code: str
    school_name: str
    academic_year: int  # the year the school year starts
    classes: list[ClassSheet] = field(default_factory=list)

    @property
    def year_title(self) -> str:
        return f"{self.academic_year}/{self.academic_year + 1}"

    @property
    def students(self) -> int:
        return sum(len(c.students) for c in self.classes)


def _journal_order(person: Student) -> tuple[str, ...]:
    # Journals list «Ё» with «Е»; casefold keeps «Иванова» and «иванова» together.
    def key(text: str | None) -> str:
        return (text or "").casefold().replace("ё", "е")

    return (key(person.last_name), key(person.first_name), key(person.middle_name), person.source_id)


def build_summary_sheet(db: Database, school_code: str, academic_year: int) -> SummarySheet:
    """The sheet of every active homeroom class of the year; ValidationError when the school is not stored."""
    with db.session() as session:
        school = school_by_code(session, school_code)
        if school is None:
            raise ValidationError(f"school {school_code!r} is not in the database; import it first or check --school")
        loader = _Loader(SchoolYear(session, school.id, academic_year))
        return SummarySheet(school.code, school.name, academic_year, loader.classes())


class _Loader:
    """Reads the year's rows of one school once, then assembles each class from them."""

    def __init__(self, year: SchoolYear) -> None:
        self.year = year
        periods = year.periods()
        self.terms = [p for p in periods if p.kind != ReportingPeriodKind.YEAR]
        self.year_end = max((p.end_date for p in periods), default=None)
        self.all_classes = year.classes()
        self.subjects = year.subject_names()
        self.finals = self._finals({p.id for p in periods})

    def _finals(self, period_ids: set[int]) -> dict[int, list[FinalMark]]:
        """Period and year finals of the year by person, oldest first, so a later correction wins."""
        by_person: dict[int, list[FinalMark]] = defaultdict(list)
        for mark in self.year.finals(period_ids):
            by_person[mark.person_id].append(mark)
        return by_person

    def classes(self) -> list[ClassSheet]:
        homerooms = sorted((c for c in self.all_classes if c.parent_id is None), key=lambda c: (c.grade, c.name, c.id))
        subgroups: dict[int, list[YearClass]] = defaultdict(list)
        for c in self.all_classes:
            if c.parent_id is not None:
                subgroups[c.parent_id].append(c)
        return [self._sheet(c, subgroups[c.id]) for c in homerooms]

    def _students(self, class_id: int) -> list[Student]:
        """The class's students in journal order; one who left before the year's end is not on the sheet."""
        persons = {
            student.id: student
            for student in self.year.students(class_id)
            if student.left_on is None or self.year_end is None or student.left_on >= self.year_end
        }
        return sorted(persons.values(), key=_journal_order)

    def _sheet(self, homeroom: YearClass, subgroups: Sequence[YearClass]) -> ClassSheet:
        students = self._students(homeroom.id)
        finals = [m for s in students for m in self.finals.get(s.id, ())]
        terms = self._terms_of(finals)
        term_ids = {p.id for p in terms}
        periods = [PeriodColumn(str(p.id), p.name) for p in terms] + [PeriodColumn(YEAR_KEY, "Год")]
        subject_ids = self._taught_subjects([homeroom.id, *(g.id for g in subgroups)])
        subject_ids |= {g.subject_id for g in subgroups if g.subject_id is not None}
        subject_ids |= {m.subject_id for m in finals if m.subject_id is not None}
        subjects = sorted(
            (SubjectColumn(i, self.subjects[i]) for i in subject_ids if i in self.subjects),
            key=lambda s: (s.name.casefold().replace("ё", "е"), s.id),
        )
        lines: list[StudentLine] = []
        for number, person in enumerate(students, start=1):
            marks: dict[tuple[str, int], str] = {}
            for m in self.finals.get(person.id, ()):
                if m.subject_id is None:  # the query leaves these out; this tells the type checker
                    continue
                if m.kind == MarkKind.YEAR_FINAL:
                    marks[(YEAR_KEY, m.subject_id)] = m.value
                elif m.period_id in term_ids:
                    marks[(str(m.period_id), m.subject_id)] = m.value
            lines.append(
                StudentLine(number, short_name(person.last_name, person.first_name, person.middle_name), marks)
            )
        results = [period_results(p, lines, subjects) for p in periods]
        return ClassSheet(homeroom.name, homeroom.grade, periods, subjects, lines, results)

    def _terms_of(self, finals: Iterable[FinalMark]) -> list[YearPeriod]:
        """The periods the class's finals are filed under; schools mix quarters (5–9) and halves (10–11)."""
        by_id = {p.id: p for p in self.terms}
        kinds = {by_id[m.period_id].kind for m in finals if m.period_id in by_id}
        if not kinds:
            present = {p.kind for p in self.terms}
            first = next((k.value for k in _PERIOD_KIND_PREFERENCE if k.value in present), None)
            kinds = {first} if first else set()
        return [p for p in self.terms if p.kind in kinds]

    def _taught_subjects(self, class_ids: list[int]) -> set[int]:
        return self.year.taught_subjects(class_ids)


def period_results(
    period: PeriodColumn, lines: Sequence[StudentLine], subjects: Sequence[SubjectColumn]
) -> PeriodResults:
    """The class's counts and percentages for one period (see the module docstring for the formulas)."""
    counts = dict.fromkeys((*CATEGORIES, MISSING), 0)
    successful = quality = not_assessed = 0
    for line in lines:
        marks = [line.mark(period.key, s.id) for s in subjects]
        present = [category(m) for m in marks if m]
        counts[MISSING] += len(marks) - len(present)
        for c in present:
            counts[c] = counts.get(c, 0) + 1
        if not present:
            not_assessed += 1
            continue
        if any(c in FAILING for c in present):
            continue
        successful += 1
        numeric = [c for c in present if c.isdigit()]
        if numeric and all(c in ("4", "5") for c in numeric):
            quality += 1
    return PeriodResults(period, len(lines), counts, successful, quality, not_assessed)
