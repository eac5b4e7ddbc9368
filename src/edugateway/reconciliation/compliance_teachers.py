"""The per-teacher rollup of the compliance sections: who must fix what.

Made once from the sections' rows (every compliance row carries "teacher", "" when the platform names none), as
a section of its own: per teacher, the findings of each rule and their total, most findings first. The deputy
director supervises teachers (000 §3.4, 004 §4.2.2), so this is the first compliance section.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from edugateway.reconciliation.report import TEACHER_ROLLUP_KEY, Column, Section, SectionGroup

ROLLUP_KEY = TEACHER_ROLLUP_KEY
NO_TEACHER = "учитель не указан"


def teacher_rollup(sections: list[Section]) -> Section:
    """Per teacher, the rows of each of `sections` that name them, and the total; most findings first."""
    judged = [s for s in sections if not s.rollup and not s.not_checked]
    per_teacher: dict[str, Counter[str]] = {}
    for section in judged:
        for row in section.rows:
            teacher = str(row.get("teacher") or "") or NO_TEACHER
            per_teacher.setdefault(teacher, Counter())[section.key] += 1
    ranked = sorted(per_teacher.items(), key=lambda tc: (-tc[1].total(), tc[0] == NO_TEACHER, tc[0]))
    rows: list[dict[str, Any]] = [
        {"teacher": teacher, "total": counts.total(), **{s.key: counts.get(s.key, 0) for s in judged}}
        for teacher, counts in ranked
    ]
    return Section(
        key=ROLLUP_KEY,
        group=SectionGroup.COMPLIANCE,
        title="Нарушения по учителям",
        description="Число нарушений каждого учителя по каждому разделу ведения журнала и всего; больше — выше. "
        "Строки разделов, где учитель не указан, собраны в строке «учитель не указан».",
        columns=[
            Column(key="teacher", title="Учитель"),
            Column(key="total", title="Всего"),
            *(Column(key=s.key, title=s.title) for s in judged),
        ],
        rows=rows,
        rollup=True,
    )
