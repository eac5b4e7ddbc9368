"""What every rendering of a report shares: the Russian titles, the SNILS-free copy of the report, the section
totals with their change since the previous night, findings per class, and how a cell value is written.

The HTML page, the XLSX workbook and the JSON file all start from `scrubbed(report)`, so a SNILS that a
comparison put into a finding row never reaches a file a director may forward by e-mail.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from edugateway.domain.snils import mask_snils
from edugateway.reconciliation.report import Report, Section, SectionGroup, trend

GROUP_TITLES: dict[SectionGroup, str] = {
    SectionGroup.RECONCILIATION: "Сверка с платформой",
    SectionGroup.IDENTITY: "Учётные записи ЕСИА",
    SectionGroup.COMPLIANCE: "Ведение журнала",
}
EMPTY_TEXT: dict[SectionGroup, str] = {
    SectionGroup.RECONCILIATION: "Расхождений нет",
    SectionGroup.IDENTITY: "Открытых случаев нет",
    SectionGroup.COMPLIANCE: "Нарушений нет",
}
PLATFORM_TITLES = {"dnevnik": "Дневник.ру", "ecp": "ГИС ЕЦП", "isuod": "ИСУОД «Школьный портал»", "esia": "ЕСИА"}
ENTITY_TITLES = {
    "persons": "Участники",
    "classes": "Классы",
    "subjects": "Предметы",
    "enrollments": "Зачисления",
    "lessons": "Уроки",
    "marks": "Отметки",
    "final_marks": "Итоговые отметки",
    "attendance": "Посещаемость",
    "homework": "Домашние задания",
    "parents": "Законные представители",
    "periods": "Учебные периоды",
}
# Control figures are shares (0…1) named by the compliance rules (compliance.py); an unknown one is shown as named.
# Named as 000 §3.4.8 and 004 §3.5 name them.
FIGURE_TITLES = {
    "compliance.no_marks_share": "Процент обучающихся, не имеющих отметок",
    "compliance.one_mark_share": "Процент обучающихся, имеющих одну отметку",
    "compliance.teacher_participation_share": "Процент участия в работе (учителя, выставившие отметки или темы)",
    "compliance.homework_share": "Запись домашнего задания (уроки с заданием)",
    "compliance.topic_share": "Учёт пройденного учебного материала (уроки с темой)",
}
COUNT_COLUMNS = (
    ("local", "в школе"),
    ("remote", "на платформе"),
    ("equal", "совпадает"),
    ("different", "различается"),
    ("only_local", "только в школе"),
    ("only_remote", "только на платформе"),
    ("duplicated", "дубли"),
)
CLASS_KEYS = frozenset({"class", "class_name", "klass"})

_SNILS_VALUE = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{3}[\s-]?\d{2}(?!\d)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _is_snils_column(key: str, title: str) -> bool:
    return "snils" in key.lower() or "снилс" in title.lower()


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return _SNILS_VALUE.sub(lambda m: mask_snils(m.group(0)), value)
    if isinstance(value, int) and not isinstance(value, bool) and 10**9 <= value < 10**11:
        return mask_snils(f"{value:011d}")  # an 11-digit number with its leading zeros lost
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    return value


def scrubbed(report: Report) -> Report:
    """A copy without SNILS columns, and with every SNILS-shaped value in a cell or note masked."""
    sections = []
    for section in report.sections:
        columns = [c for c in section.columns if not _is_snils_column(c.key, c.title)]
        keys = [c.key for c in columns]
        rows = [{k: _mask(row.get(k)) for k in keys} for row in section.rows]
        sections.append(section.model_copy(update={"columns": columns, "rows": rows}))
    return report.model_copy(update={"sections": sections, "notes": [_mask(n) for n in report.notes]})


@dataclass(frozen=True, slots=True)
class SummaryLine:
    key: str
    group: SectionGroup
    title: str
    total: int
    change: int | None  # None: no previous report to compare with, or the section was not checked
    not_checked: str | None = None  # why the section has no figure at all («не применяется (…)», «не проверяется: …»)
    rollup: bool = False  # counts other sections' findings again: not part of the report's total

    @property
    def shown_total(self) -> str:
        """The count, or why there is none (never a 0 for what was not looked at)."""
        return self.not_checked or str(self.total)


def capitalised(text: str) -> str:
    """A phrase standing alone (a section's «Не проверяется: …»), from its form inside a line."""
    return text[:1].upper() + text[1:]


def summary_lines(report: Report, previous_summary: dict[str, int] | None) -> list[SummaryLine]:
    changes = trend(report.summary(), previous_summary)
    return [
        SummaryLine(s.key, s.group, s.title, s.total, changes.get(s.key), s.not_checked, s.rollup)
        for s in report.sections
    ]


@dataclass(frozen=True, slots=True)
class TeacherLine:
    teacher: str
    total: int
    worst: str  # the sections with most of their findings: «Уроки без темы — 5; Отметки … — 2»


def top_teachers(report: Report, limit: int = 10) -> list[TeacherLine]:
    """Who must fix the journal: the teachers with most findings, from the per-teacher rollup section (a
    self-contained block of the first screen)."""
    rollup = next((s for s in report.sections if s.rollup), None)
    if rollup is None:
        return []
    titles = {c.key: c.title for c in rollup.columns if c.key not in ("teacher", "total")}
    lines = []
    for row in rollup.rows[:limit]:
        counts = sorted(((int(row.get(k) or 0), t) for k, t in titles.items() if row.get(k)), key=lambda c: -c[0])
        worst = "; ".join(f"{title} — {n}" for n, title in counts[:3])
        lines.append(TeacherLine(str(row.get("teacher") or ""), int(row.get("total") or 0), worst))
    return lines


def change_text(change: int | None) -> str:
    """«▲ +3» more findings than last night, «▼ −2» fewer, «0» the same, «—» nothing to compare with."""
    if change is None:
        return "—"
    if change > 0:
        return f"▲ +{change}"
    if change < 0:
        return f"▼ −{-change}"
    return "0"


def change_kind(change: int | None) -> str:
    """A CSS class: more findings is worse."""
    if change is None or change == 0:
        return "same"
    return "worse" if change > 0 else "better"


def class_column(section: Section) -> str | None:
    return next((c.key for c in section.columns if c.key in CLASS_KEYS or c.title.strip() == "Класс"), None)


def findings_per_class(report: Report) -> dict[str, dict[str, int]]:
    """Class -> compliance section key -> findings, over the compliance sections whose rows name a class;
    classes in school order («2А» before «10Б»)."""
    found: dict[str, Counter[str]] = {}
    for section in report.sections:
        key = class_column(section)
        if section.group is not SectionGroup.COMPLIANCE or key is None:
            continue
        for row in section.rows:
            name = str(row.get(key) or "без класса")
            found.setdefault(name, Counter())[section.key] += 1
    return {name: dict(found[name]) for name in sorted(found, key=class_order)}


def class_order(name: str) -> tuple[int, str]:
    digits = "".join(c for c in name if c.isdigit())
    return (int(digits) if digits else 99, name)


def platform_title(platform: str) -> str:
    return PLATFORM_TITLES.get(platform, platform)


def percent(share: float) -> str:
    """A share 0…1 as Russian writes a percentage: «12,5 %»."""
    return f"{share * 100:.1f}".replace(".", ",") + " %"


def show_date(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


def show_time(value: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    """In `zone` when given; else in the value's own offset, which is then written out."""
    if zone is not None:
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(zone).strftime("%d.%m.%Y %H:%M")
    if value.tzinfo is None:
        return value.strftime("%d.%m.%Y %H:%M")
    offset = value.strftime("%z")
    suffix = " UTC" if offset == "+0000" else f" UTC{offset[:3]}:{offset[3:]}"
    return value.strftime("%d.%m.%Y %H:%M") + suffix


def cell_text(value: Any) -> str:
    """A finding's value as the HTML page shows it: dates the Russian way, yes/no in words."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, list):
        return ", ".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {cell_text(v)}" for k, v in value.items())
    if isinstance(value, str):
        typed = typed_value(value)
        return value if typed is value else cell_text(typed)
    return str(value)


def typed_value(value: Any) -> Any:
    """ISO dates and times (as a report read back from JSON holds them) as date and datetime; else as given."""
    if not isinstance(value, str):
        return value
    try:
        if _DATE.match(value):
            return dt.date.fromisoformat(value)
        if _DATETIME.match(value):
            return dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return value
