"""Progress of 004 §5.3 for one reporting period (or the year), from the period's final marks, per class and
per class × subject, with the formulas of the archive's summary sheet (archive/summary_sheet.py), so the report
and the сводная ведомость never disagree:

- успевающий: has a final mark and none of «2» (or «1»), «Н/А», «незачёт»;
- успеваемость, % = успевающие / pupils on the class list × 100;
- качество, % = успевающие whose numeric marks are all «4» or «5» / pupils on the list × 100.

The marks counted are the period's finals (четвертные, полугодовые; годовые for the year), as 004 §4.2.4 has
them set «в конце каждого отчётного периода», not the current marks: a pupil without a final is «без отметки»
and lowers both percentages instead of being left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from edugateway.archive.summary_sheet import (
    PeriodColumn,
    PeriodResults,
    StudentLine,
    SubjectColumn,
    period_results,
)
from edugateway.store.school_year import FinalMark, Student

KEY = "report"


@dataclass(frozen=True)
class ClassProgress:
    results: PeriodResults  # over all the class's subjects
    by_subject: list[tuple[SubjectColumn, PeriodResults]]
    finals: int  # how many finals the class's pupils have in the period


def class_progress(
    title: str, pupils: Sequence[Student], subjects: Sequence[SubjectColumn], finals: Iterable[FinalMark]
) -> ClassProgress:
    """The class's results from its pupils' `finals` of the period (oldest first: a later correction wins)."""
    marks: dict[int, dict[tuple[str, int], str]] = {p.id: {} for p in pupils}
    counted = 0
    for m in finals:
        if m.person_id in marks and m.subject_id is not None:
            marks[m.person_id][(KEY, m.subject_id)] = m.value
            counted += 1
    lines = [StudentLine(n, "", marks[p.id]) for n, p in enumerate(pupils, start=1)]
    column = PeriodColumn(KEY, title)
    return ClassProgress(
        period_results(column, lines, subjects),
        [(s, period_results(column, lines, [s])) for s in subjects],
        counted,
    )
