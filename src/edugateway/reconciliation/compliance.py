"""The compliance sections of the night's report: how the journal on one platform is kept (DOMAIN.md rules).

`compliance_sections` returns one section per rule, always, in a fixed order with stable keys
(`compliance.<rule>`), and the control figures. Everything is judged on the journal rows the platform delivered
to the local database (the pull), never on the gateway's own first-seen times.

What a platform's data cannot show is said in the section's description instead of reporting nothing silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from edugateway.config.settings import PlatformKind, SchoolPlatformSettings
from edugateway.domain.models import MarkKind
from edugateway.reconciliation.compliance_finals import finals_changed_after_close, finals_missing
from edugateway.reconciliation.compliance_lessons import lessons_without_topic, marks_entered_late
from edugateway.reconciliation.compliance_names import Names
from edugateway.reconciliation.compliance_progress import progress_findings
from edugateway.reconciliation.compliance_timing import attendance_entered_late, homework_sent_late
from edugateway.reconciliation.report import Column, Section, SectionGroup
from edugateway.store.compliance_reads import JournalScope, lesson_counts

_CLASS, _SUBJECT, _TEACHER, _STUDENT = (
    Column(key="class", title="Класс"),
    Column(key="subject", title="Предмет"),
    Column(key="teacher", title="Учитель"),
    Column(key="student", title="Ученик"),
)
_PERIOD = Column(key="period", title="Учебный период")
_LATE_MARK_COLUMNS = [
    _CLASS,
    _SUBJECT,
    _TEACHER,
    _STUDENT,
    Column(key="lesson_date", title="Дата урока"),
    Column(key="mark_date", title="Дата выставления"),
    Column(key="days_late", title="Просрочка, дней"),
    Column(key="value", title="Отметка"),
    Column(key="work_type", title="Вид работы"),
    Column(key="mark", title="Код отметки"),
]
_PROGRESS_COLUMNS = [
    _CLASS,
    _SUBJECT,
    _TEACHER,
    _STUDENT,
    _PERIOD,
    Column(key="lessons", title="Уроков посещено"),
    Column(key="marks", title="Отметок"),
    Column(key="from", title="С"),
    Column(key="to", title="По"),
]


@dataclass(frozen=True)
class Rule:
    name: str
    title: str
    description: str
    columns: list[Column]

    @property
    def key(self) -> str:
        return f"compliance.{self.name}"


RULES = [
    Rule(
        "lesson_without_topic",
        "Уроки без темы",
        "Уроки, тема которых не записана к сроку (в день урока; в ЕЦП — не позднее 7 дней). Регламенты 000 §3.3.2, "
        "004 §4.2.4.",
        [
            _CLASS,
            _SUBJECT,
            _TEACHER,
            Column(key="lesson_date", title="Дата урока"),
            Column(key="lesson_number", title="№ урока"),
            Column(key="lesson", title="Код урока"),
        ],
    ),
    Rule(
        "mark_late",
        "Отметки за урок выставлены с опозданием",
        "Отметки за урок, дата выставления которых позже срока (в день урока; в ЕЦП — не позднее 7 дней). "
        "Регламенты 000 §3.3.2, §3.3.9; 004 §4.2.4.",
        _LATE_MARK_COLUMNS,
    ),
    Rule(
        "work_mark_late",
        "Отметки за письменные работы выставлены позже недели",
        "Отметки за контрольные, самостоятельные, диктанты и другие работы, выставленные позже 7 дней после "
        "работы. Регламент 003, приказ §4.7 (2.3.3).",
        _LATE_MARK_COLUMNS,
    ),
    Rule(
        "student_no_marks",
        "Ученики без отметок по предмету",
        "Ученики, не получившие ни одной отметки по предмету в учебном периоде, хотя посетили больше уроков, "
        "чем допускает накопляемость. Контрольный показатель: регламенты 000 §3.4.8, 004 §3.5.",
        _PROGRESS_COLUMNS,
    ),
    Rule(
        "student_one_mark",
        "Ученики с одной отметкой по предмету",
        "Ученики с единственной отметкой по предмету в учебном периоде при числе посещённых уроков больше "
        "двух интервалов накопляемости. Контрольный показатель: регламенты 000 §3.4.8, 004 §3.5.",
        _PROGRESS_COLUMNS,
    ),
    Rule(
        "mark_accumulation",
        "Накопляемость отметок нарушена",
        "Самый длинный в учебном периоде ряд посещённых учеником уроков предмета без отметки, если он длиннее "
        "допустимого (отметка не реже чем раз в 3–4 урока). Регламент 004 §4.2.4.",
        [*_PROGRESS_COLUMNS[:7], Column(key="gap", title="Уроков подряд без отметки"), *_PROGRESS_COLUMNS[7:]],
    ),
    Rule(
        "final_missing",
        "Не выставлены итоговые отметки",
        "Ученики без четвертной (полугодовой) или годовой отметки по предмету, который у них был в закончившемся "
        "периоде; «Н/А» и «ОСВ» считаются выставленными. Регламенты 001 §2.7, 003 §2.8.",
        [
            _CLASS,
            _SUBJECT,
            _TEACHER,
            _STUDENT,
            _PERIOD,
            Column(key="period_end", title="Окончание периода"),
            Column(key="lessons", title="Уроков в периоде"),
        ],
    ),
    Rule(
        "final_changed_after_close",
        "Итоговые отметки изменены после закрытия периода",
        "Четвертные и годовые отметки, изменённые после окончания периода. Изменение требует заместителя "
        "директора и письменного основания (регламент 000 §3.3.9–3.3.11); ни платформа, ни шлюз основание не "
        "хранят, поэтому все найденные изменения указаны «без зафиксированного основания».",
        [
            _CLASS,
            _SUBJECT,
            _STUDENT,
            _PERIOD,
            Column(key="old_value", title="Было"),
            Column(key="value", title="Стало"),
            Column(key="changed", title="Дата изменения"),
            Column(key="how", title="Как обнаружено"),
            Column(key="reason", title="Основание"),
            Column(key="mark", title="Код отметки"),
        ],
    ),
    Rule(
        "homework_late",
        "Домашнее задание внесено позже срока",
        "Домашние задания, отправленные позже установленного срока после окончания последнего урока класса в "
        "этот день (Дневник.ру, ИСУОД — 1,5 часа; ЕЦП — 2 часа). Регламенты 001 §2.6; 003 §2.7 и приказ §4.7 "
        "(2.3.2); 000 §3.3.7.",
        [
            _CLASS,
            _SUBJECT,
            _TEACHER,
            Column(key="lesson_date", title="Дата урока"),
            Column(key="lesson_number", title="№ урока"),
            Column(key="lessons_end", title="Уроки класса окончены"),
            Column(key="sent", title="ДЗ отправлено"),
            Column(key="minutes_late", title="Просрочка, мин"),
            Column(key="lesson", title="Код урока"),
        ],
    ),
    Rule(
        "attendance_late",
        "Посещаемость отмечена не в день урока",
        "Отметки об отсутствии, внесённые после дня урока (по времени школы). Регламенты 001 §2.5; 003, приказ "
        "§4.7 (2.3.1).",
        [
            _CLASS,
            _SUBJECT,
            _TEACHER,
            _STUDENT,
            Column(key="lesson_date", title="Дата урока"),
            Column(key="lesson_number", title="№ урока"),
            Column(key="code", title="Отметка"),
            Column(key="entered", title="Внесена"),
            Column(key="days_late", title="Просрочка, дней"),
            Column(key="lesson", title="Код урока"),
        ],
    ),
]

# What a platform's data cannot show (connectors/ecp/connector.py): the rule is not judged there.
NOT_DELIVERED: dict[PlatformKind, dict[str, str]] = {
    PlatformKind.ECP: {
        "lesson_without_topic": "ЕЦП не передаёт темы уроков",
        "mark_late": "ЕЦП не передаёт дату выставления отметки (отметка датируется днём урока)",
        "work_mark_late": "ЕЦП не различает отметки за урок и за работы",
    },
}
NOT_DELIVERED[PlatformKind.ECP].update(
    {
        "homework_late": "ЕЦП не передаёт ни время внесения домашнего задания, ни время уроков",
        "attendance_late": "ЕЦП не передаёт время внесения отметки о посещаемости",
    }
)


def compliance_sections(
    session: Session,
    *,
    school_id: int,
    platform: str,
    settings: SchoolPlatformSettings,
    as_of: dt.date,
    span: tuple[dt.date, dt.date] | None = None,
) -> tuple[list[Section], dict[str, float]]:
    """One section per rule (possibly empty) and the control figures, from the journal `platform` delivered.

    `as_of` is the day the report is about: what was due by its end is judged. `span` limits the per-record
    rules (topics, late marks, changed finals) to those days; the per-period rules read the periods that have
    started by as_of and end inside or after the span."""
    rules = settings.compliance
    scope = JournalScope(school_id, platform, as_of, span)
    names = Names.empty(session, school_id)
    progress = progress_findings(session, scope, names, rules)
    finders: dict[str, Callable[[], list[dict[str, Any]]]] = {
        "lesson_without_topic": lambda: lessons_without_topic(session, scope, names, rules.topic_deadline_days),
        "mark_late": lambda: marks_entered_late(
            session, scope, names, kinds=(MarkKind.LESSON,), deadline_days=rules.mark_deadline_days
        ),
        "work_mark_late": lambda: marks_entered_late(
            session, scope, names, kinds=(MarkKind.WORK,), deadline_days=rules.work_mark_deadline_days
        ),
        "student_no_marks": lambda: progress.no_marks,
        "student_one_mark": lambda: progress.one_mark,
        "mark_accumulation": lambda: progress.gaps,
        "final_missing": lambda: finals_missing(session, scope, names, rules),
        "final_changed_after_close": lambda: finals_changed_after_close(session, scope, names),
        "homework_late": lambda: homework_sent_late(session, scope, names, rules.homework_deadline_minutes),
        "attendance_late": lambda: attendance_entered_late(session, scope, names),
    }
    unchecked = NOT_DELIVERED.get(settings.kind, {})
    sections = []
    for rule in RULES:
        why_not = unchecked.get(rule.name)
        description = f"Не проверяется: {why_not}. {rule.description}" if why_not else rule.description
        sections.append(
            Section(
                key=rule.key,
                group=SectionGroup.COMPLIANCE,
                title=rule.title,
                description=description,
                columns=rule.columns,
                rows=[] if why_not else finders[rule.name](),
            )
        )
    figures = {
        "compliance.no_marks_share": progress.share(progress.no_marks),
        "compliance.one_mark_share": progress.share(progress.one_mark),
        **_lesson_shares(session, scope, topics="lesson_without_topic" not in unchecked),
    }
    return sections, figures


def _lesson_shares(session: Session, scope: JournalScope, *, topics: bool) -> dict[str, float]:
    """Shares of the span's lessons with homework recorded and (where the platform shows topics) with a topic."""
    counts = lesson_counts(session, scope)
    total = counts.lessons
    shares = {"compliance.homework_share": round(counts.with_homework / total, 4) if total else 0.0}
    if topics:
        shares["compliance.topic_share"] = round(counts.with_topic / total, 4) if total else 0.0
    return shares
