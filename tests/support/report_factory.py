"""Reports for tests, with realistic Russian content: a night of МАОУ СОШ № 7 against Дневник.ру with a few
findings per section, an empty section of each kind, and helpers to store reports as the nightly job does.
Shared by the unit, integration and browser tests (and free for other parts of the reconciliation to use)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from edugateway.reconciliation.report import Column, EntityCounts, Report, Section, SectionGroup
from edugateway.store.db import Database
from edugateway.store.tables import ReconciliationReportRow

AS_OF = dt.date(2026, 11, 22)
GENERATED_AT = dt.datetime(2026, 11, 23, 0, 40, tzinfo=dt.UTC)

PERSON_COLUMNS = [
    Column(key="name", title="ФИО"),
    Column(key="class", title="Класс"),
    Column(key="role", title="Роль"),
    Column(key="birth_date", title="Дата рождения"),
]


def person_sections() -> list[Section]:
    return [
        Section(
            key="persons.only_local",
            group=SectionGroup.RECONCILIATION,
            title="Есть в школе, нет на платформе",
            description="Участники из базы школы, которых нет в Дневник.ру: их надо добавить на платформу.",
            entity="persons",
            columns=PERSON_COLUMNS,
            rows=[
                {"name": "Сидорова Анна Петровна", "class": "5А", "role": "ученик", "birth_date": "2014-04-12"},
                {"name": "Ким Тимур Русланович", "class": "7Б", "role": "ученик", "birth_date": "2012-08-30"},
            ],
        ),
        Section(
            key="persons.different",
            group=SectionGroup.RECONCILIATION,
            title="Данные участника различаются",
            entity="persons",
            columns=[
                Column(key="name", title="ФИО"),
                Column(key="field", title="Поле"),
                Column(key="local", title="В школе"),
                Column(key="remote", title="На платформе"),
                Column(key="snils", title="СНИЛС"),  # must never reach a rendered report
            ],
            rows=[
                {
                    "name": "Смирнова Алёна Игоревна",
                    "field": "Фамилия",
                    "local": "Сминова",
                    "remote": "Смирнова",
                    "snils": "112-233-445 95",
                },
                {
                    "name": "Петров Иван Сергеевич",
                    "field": "СНИЛС",
                    "local": "223-344-556 16",
                    "remote": "22334455616",
                    "snils": "22334455616",
                },
            ],
        ),
        Section(
            key="persons.only_remote",
            group=SectionGroup.RECONCILIATION,
            title="Есть на платформе, нет в школе",
            entity="persons",
            columns=PERSON_COLUMNS,
        ),
    ]


def _lesson(date: str, class_name: str, period: int, subject: str, teacher: str) -> dict[str, Any]:
    return {"date": date, "class": class_name, "period": period, "subject": subject, "teacher": teacher}


def journal_sections() -> list[Section]:
    return [
        Section(
            key="marks.only_remote",
            group=SectionGroup.RECONCILIATION,
            title="Отметки, которых нет в базе школы",
            entity="marks",
            columns=[
                Column(key="date", title="Дата"),
                Column(key="class", title="Класс"),
                Column(key="subject", title="Предмет"),
                Column(key="student", title="Ученик"),
                Column(key="value", title="Отметка"),
            ],
            rows=[
                {"date": "2026-11-18", "class": "5А", "subject": "Математика", "student": "Орлов Денис", "value": "5"},
                {"date": "2026-11-19", "class": "7Б", "subject": "Физика", "student": "Волкова Мария", "value": "Н/А"},
                {"date": "2026-11-20", "class": "7Б", "subject": "История", "student": "Кузнецов Пётр", "value": "4"},
            ],
        ),
        Section(
            key="identity.open_cases",
            group=SectionGroup.IDENTITY,
            title="Открытые случаи ЕСИА",
            description="Учётные записи Госуслуг, которые не сошлись с данными школы; их разбирает делопроизводитель.",
            columns=[
                Column(key="name", title="ФИО"),
                Column(key="class", title="Класс"),
                Column(key="case", title="Замечание"),
                Column(key="opened_at", title="Открыт"),
            ],
            rows=[
                {
                    "name": "Волкова Мария Дмитриевна",
                    "class": "7Б",
                    "case": "СНИЛС не указан",
                    "opened_at": "2026-11-02T06:15:00+00:00",
                },
            ],
        ),
        Section(
            key="compliance.lesson_without_topic",
            group=SectionGroup.COMPLIANCE,
            title="Уроки без темы",
            description="Тема урока записывается в день урока (положение о ведении журнала, п. 3.3.2).",
            columns=[
                Column(key="date", title="Дата"),
                Column(key="class", title="Класс"),
                Column(key="period", title="Урок"),
                Column(key="subject", title="Предмет"),
                Column(key="teacher", title="Учитель"),
            ],
            rows=[
                _lesson("2026-11-16", "5А", 2, "Русский язык", "Лебедева О. В."),
                _lesson("2026-11-17", "5А", 3, "Литература", "Лебедева О. В."),
                _lesson("2026-11-17", "10Б", 1, "Химия", "Зайцев К. Н."),
                _lesson("2026-11-20", "7Б", 4, "География", "Морозова Е. А."),
            ],
        ),
        Section(
            key="compliance.homework_late",
            group=SectionGroup.COMPLIANCE,
            title="Домашнее задание записано позже срока",
            columns=[
                Column(key="date", title="Дата"),
                Column(key="class", title="Класс"),
                Column(key="subject", title="Предмет"),
                Column(key="late_hours", title="Опоздание, ч"),
            ],
            rows=[{"date": "2026-11-19", "class": "10Б", "subject": "Алгебра", "late_hours": 3.5}],
        ),
        Section(
            key="compliance.final_mark_changed",
            group=SectionGroup.COMPLIANCE,
            title="Итоговая отметка изменена без заместителя директора",
            columns=[Column(key="class", title="Класс"), Column(key="student", title="Ученик")],
        ),
    ]


def make_report(**changes: Any) -> Report:
    """The night of 22.11.2026: 11 findings in 8 sections, two of them empty."""
    report = Report(
        school="sch7",
        school_name="МАОУ СОШ № 7",
        platform="dnevnik",
        generated_at=GENERATED_AT,
        as_of=AS_OF,
        span_start=AS_OF - dt.timedelta(days=34),
        span_end=AS_OF,
        counts=[
            EntityCounts(entity="persons", local=412, remote=411, equal=407, different=2, only_local=2, only_remote=0),
            EntityCounts(entity="marks", local=5120, remote=5123, equal=5120, only_remote=3, duplicated=1),
        ],
        figures={
            "compliance.no_marks_share": 0.034,
            "compliance.one_mark_share": 0.125,
            "compliance.homework_share": 0.91,
        },
        sections=[*person_sections(), *journal_sections()],
        notes=["Посещаемость не сверялась: Дневник.ру не отдал журнал 7Б за 20.11 (ошибка 503)."],
    )
    return report.model_copy(update=changes)


def store_report(
    db: Database,
    school_id: int,
    report: Report,
    *,
    status: str = "done",
    error: str | None = None,
) -> int:
    """A row as the nightly job leaves it; a failed run keeps no report."""
    with db.session() as session:
        row = ReconciliationReportRow(
            school_id=school_id,
            platform=report.platform,
            as_of=report.as_of,
            started_at=report.generated_at - dt.timedelta(minutes=10),
            finished_at=report.generated_at,
            status=status,
            summary=report.summary() if status == "done" else None,
            report=report.model_dump(mode="json") if status == "done" else None,
            error=error,
        )
        session.add(row)
        session.flush()
        return row.id


def night(report: Report, days_before: int, totals: dict[str, int] | None = None) -> Report:
    """The same report `days_before` nights earlier, with the named sections cut to the given totals."""
    cut = totals or {}
    sections = [s.model_copy(update={"rows": s.rows[: cut.get(s.key, s.total)]}) for s in report.sections]
    return report.model_copy(
        update={
            "as_of": report.as_of - dt.timedelta(days=days_before),
            "generated_at": report.generated_at - dt.timedelta(days=days_before),
            "sections": sections,
        }
    )
