"""The Russian wording the XLSX and the HTML share, so the two copies of an archived sheet read the same."""

from __future__ import annotations

from edugateway.archive.summary_sheet import CATEGORIES, MISSING, ClassSheet, PeriodResults, SummarySheet

STUDENT_HEADERS = ("№", "Фамилия, инициалы обучающегося")
RESULT_HEADERS = (
    "Период",
    "Обучающихся",
    *(f"«{c}»" if c.isdigit() else c.capitalize() if c.islower() else c for c in CATEGORIES),
    "Нет отметки",
    "Без отметок",
    "Успевающих",
    "Успеваемость, %",
    "Качественно",
    "Качество, %",
)
RESULTS_TITLE = "Итоги успеваемости класса"
SUMMARY_SHEET_TITLE = "Итоги"
NO_SUBJECTS = "В классе нет предметов: ни уроков, ни итоговых отметок за этот год"
SIGNATURES = (
    "Классный руководитель ______________ / ____________________________ /",
    "Директор ______________ / ____________________________ /",
)
SIGNATURE_DATE = "«____» ______________ 20___ г.            М. П."


def class_title(sheet: SummarySheet, cls: ClassSheet) -> str:
    return f"Сводная ведомость учёта успеваемости обучающихся {cls.name} класса, {sheet.year_title} учебный год"


def summary_title(sheet: SummarySheet) -> str:
    return f"Итоги успеваемости, {sheet.school_name}, {sheet.year_title} учебный год"


def result_values(r: PeriodResults) -> list[str | int | float | None]:
    """One row under RESULT_HEADERS; a percentage is None when the class has no students."""
    return [
        r.period.title,
        r.students,
        *(r.counts[c] for c in CATEGORIES),
        r.counts[MISSING],
        r.not_assessed,
        r.successful,
        r.success_percent,
        r.quality,
        r.quality_percent,
    ]


def show(value: str | int | float | None) -> str:
    """A value as printed: a percentage with a decimal comma, nothing as a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)
