"""What a director reads first: what is wrong (the sections with findings, largest first, with their change since
the previous night), who must fix it (by teacher, from the per-teacher rollup, and by class), and, in one line
each, the sections without findings and those not checked. Shared by the report's page, its one-page printable
summary and the nightly e-mail, so the three say the same."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from edugateway.reconciliation.report import Report
from edugateway.reconciliation.report_view import (
    SummaryLine,
    TeacherLine,
    class_column,
    class_order,
    summary_lines,
    top_teachers,
)


@dataclass(frozen=True, slots=True)
class ClassLine:
    name: str
    total: int
    worst: str  # «Уроки без темы — 5; Отметки … — 2»


@dataclass(frozen=True, slots=True)
class FirstScreen:
    wrong: list[SummaryLine]  # sections with findings, the largest first (the rollup left out: it counts them again)
    clean: list[SummaryLine]  # «Без замечаний: …»
    not_checked: list[SummaryLine]  # «Не проверялось: …», each with its reason
    teachers: list[TeacherLine]
    classes: list[ClassLine]
    total: int
    total_change: int | None

    @property
    def clean_text(self) -> str:
        """«Классы и подгруппы, Предметы — всё сходится; Ученики и учителя: дубликаты; Уроки без темы»: an entity
        whose every reconciliation section is clean is named once."""
        by_entity: dict[str, list[str]] = {}
        alone: list[str] = []
        for line in self.clean:
            entity, sep, what = line.title.partition(": ")
            (by_entity.setdefault(entity, []).append(what) if sep else alone.append(line.title))
        dirty = {line.title.partition(": ")[0] for line in (*self.wrong, *self.not_checked) if ": " in line.title}
        whole = [entity for entity in by_entity if entity not in dirty]
        parts = [f"{', '.join(whole)} — всё сходится"] if whole else []
        parts += [f"{entity}: {', '.join(what)}" for entity, what in by_entity.items() if entity in dirty]
        return "; ".join(parts + alone)


def first_screen(report: Report, previous_summary: dict[str, int] | None, class_limit: int = 10) -> FirstScreen:
    lines = [line for line in summary_lines(report, previous_summary) if not line.rollup]
    checked = [line for line in lines if line.not_checked is None]
    wrong = sorted((line for line in checked if line.total), key=lambda line: -line.total)
    changes = [line.change for line in checked]
    return FirstScreen(
        wrong=wrong,
        clean=[line for line in checked if not line.total],
        not_checked=[line for line in lines if line.not_checked is not None],
        teachers=top_teachers(report),
        classes=top_classes(report, class_limit),
        total=report.findings(),
        total_change=None if previous_summary is None else sum(c or 0 for c in changes),
    )


def top_classes(report: Report, limit: int) -> list[ClassLine]:
    """The classes with most findings over every section whose rows name a class (journal rules, reconciliation
    and ЕСИА cases alike: a class teacher can chase each), the most first; justified rows are not findings."""
    found: dict[str, Counter[str]] = {}
    for section in report.sections:
        key = class_column(section)
        if section.rollup or section.not_checked or key is None:
            continue
        for row in section.rows:
            if row.get("justified") is True or not row.get(key):
                continue
            found.setdefault(str(row[key]), Counter())[section.title] += 1
    ranked = sorted(found.items(), key=lambda item: (-sum(item[1].values()), class_order(item[0])))
    return [
        ClassLine(name, sum(counts.values()), "; ".join(f"{title} — {n}" for title, n in counts.most_common(3)))
        for name, counts in ranked[:limit]
    ]
