"""The compliance sections of the night's report: how the journal on one platform is kept (DOMAIN.md rules).

`compliance_sections` returns one section per rule, always, in a fixed order with stable keys
(`compliance.<rule>`), and the control figures. Everything is judged on the journal rows the platform delivered
to the local database (the pull), never on the gateway's own first-seen times.

What a platform's data cannot show is said instead of a figure («не проверяется: …»), and a rule the platform's
regulation does not set (configuration: an unset deadline) is «не применяется», with no rows and no figure. The
per-teacher rollup of the sections comes first (compliance_teachers.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from edugateway.config.settings import ComplianceSettings, PlatformKind, SchoolPlatformSettings
from edugateway.domain.models import MarkKind
from edugateway.reconciliation.compliance_coverage import (
    DEFAULT_NEEDS,
    FIGURE_NEEDS,
    missing_reason,
    pulled_entities,
    rule_needs,
)
from edugateway.reconciliation.compliance_finals import (
    finals_changed_after_close,
    finals_entered_late,
    finals_missing,
)
from edugateway.reconciliation.compliance_lessons import lessons_without_topic, marks_entered_late
from edugateway.reconciliation.compliance_mark_history import lesson_marks_changed_late
from edugateway.reconciliation.compliance_names import Names
from edugateway.reconciliation.compliance_progress import progress_findings
from edugateway.reconciliation.compliance_teachers import teacher_rollup
from edugateway.reconciliation.compliance_timing import attendance_entered_late, homework_sent_late
from edugateway.reconciliation.report import Column, Section, SectionGroup
from edugateway.store.compliance_reads import JournalScope, lesson_counts, teacher_participation

_CLASS, _SUBJECT, _TEACHER, _STUDENT = (
    Column(key="class", title="Класс"),
    Column(key="subject", title="Предмет"),
    Column(key="teacher", title="Учитель"),
    Column(key="student", title="Ученик"),
)
_PERIOD = Column(key="period", title="Учебный период")
# Who a finding is about: every rule's rows start with these (the per-teacher rollup reads "teacher").
_LESSON_WHO = (_CLASS, _SUBJECT, _TEACHER)
_PUPIL_WHO = (*_LESSON_WHO, _STUDENT)
_LATE_MARK_COLUMNS = [
    *_PUPIL_WHO,
    Column(key="lesson_date", title="Дата урока"),
    Column(key="mark_date", title="Дата выставления"),
    Column(key="days_late", title="Просрочка, дней"),
    Column(key="value", title="Отметка"),
    Column(key="work_type", title="Вид работы"),
    Column(key="mark", title="Код отметки"),
]
_PROGRESS_COLUMNS = [
    *_PUPIL_WHO,
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
            *_LESSON_WHO,
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
        "Отметки за контрольные, самостоятельные, диктанты и другие работы, выставленные позже срока после "
        "работы (ИСУОД: «не позднее одной недели со дня их проведения», регламент 003, приказ §4.7 (2.3.3)).",
        _LATE_MARK_COLUMNS,
    ),
    Rule(
        "student_no_marks",
        "Ученики без отметок по предмету",
        "Ученики, не получившие ни одной отметки по предмету в учебном периоде, хотя посетили уроков "
        "не меньше, чем интервал накопляемости (по умолчанию 4). Регламенты 000 §3.4.8, 004 §3.5, §4.2.4.",
        _PROGRESS_COLUMNS,
    ),
    Rule(
        "student_one_mark",
        "Ученики с одной отметкой по предмету",
        "Ученики с единственной отметкой по предмету в учебном периоде при числе посещённых уроков не меньше "
        "двух интервалов накопляемости (по умолчанию 8). Регламенты 000 §3.4.8, 004 §3.5, §4.2.4.",
        _PROGRESS_COLUMNS,
    ),
    Rule(
        "mark_accumulation",
        "Накопляемость отметок нарушена",
        "Самый длинный в учебном периоде ряд посещённых учеником уроков предмета без отметки, если в нём "
        "уроков не меньше интервала накопляемости (по умолчанию 4): «не реже 1 раза в 3–4 урока» — "
        "отметка стоит не позже чем на 4-м уроке. Регламент 004 §4.2.4.",
        [*_PROGRESS_COLUMNS[:7], Column(key="gap", title="Уроков подряд без отметки"), *_PROGRESS_COLUMNS[7:]],
    ),
    Rule(
        "final_missing",
        "Не выставлены итоговые отметки",
        "Ученики без четвертной (полугодовой) или годовой отметки по предмету, который у них был в закончившемся "
        "периоде; «Н/А» и «ОСВ» считаются выставленными. Регламенты 001 §2.7, 003 §2.8.",
        [
            *_PUPIL_WHO,
            _PERIOD,
            Column(key="period_end", title="Окончание периода"),
            Column(key="lessons", title="Уроков в периоде"),
        ],
    ),
    Rule(
        "final_changed_after_close",
        "Итоговые отметки изменены после закрытия периода",
        "Четвертные и годовые отметки, прежнее значение которых заменено после окончания периода. Замену "
        "производит только заместитель директора по объяснительной (регламент 000 §3.3.11); изменение с "
        "записанным в шлюзе разрешением («edugateway finals justify» или страница отчёта) указано с основанием "
        "и замечанием не считается.",
        [
            *_PUPIL_WHO,
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
        "lesson_mark_changed_late",
        "Отметки за урок изменены или выставлены задним числом",
        "Отметки за урок, изменённые после срока выставления, и отметки, появившиеся после срока у урока, который "
        "синхронизация уже видела без них. Платформа не сообщает время изменения: учтено только то, что "
        "доказывают наблюдения синхронизации. Регламент 000 §3.3.9–3.3.10 («запрещается исправление отметок … и "
        "выставление отметок задним числом»), 004 §4.2.4.",
        [
            *_PUPIL_WHO,
            Column(key="lesson_date", title="Дата урока"),
            Column(key="old_value", title="Было"),
            Column(key="value", title="Стало"),
            Column(key="seen", title="Замечено"),
            Column(key="how", title="Что произошло"),
            Column(key="mark", title="Код отметки"),
        ],
    ),
    Rule(
        "final_entered_late",
        "Итоговые отметки выставлены после окончания периода",
        "Четвертные (полугодовые) и годовые отметки, впервые выставленные позже последнего дня периода (без "
        "прежнего значения): итоговая выставляется «в течение последней недели каждого учебного периода до "
        "начала каникулярного периода» (регламенты 001 §2.7, 003 §2.8; 000 §3.3.8), выставление отметок задним "
        "числом запрещено (000 §3.3.9).",
        [
            *_PUPIL_WHO,
            _PERIOD,
            Column(key="period_end", title="Окончание периода"),
            Column(key="given", title="Дата выставления"),
            Column(key="days_late", title="Просрочка, дней"),
            Column(key="value", title="Отметка"),
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
            *_LESSON_WHO,
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
            *_PUPIL_WHO,
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
        "homework_late": "ЕЦП не передаёт ни время внесения домашнего задания, ни время уроков",
        "attendance_late": "ЕЦП не передаёт время внесения отметки о посещаемости",
    },
}


def not_applied(rules: ComplianceSettings) -> dict[str, str]:
    """Rules the platform's regulation does not set, as configured: rule name -> why (shown as «не применяется»)."""
    off = {}
    if rules.work_mark_deadline_days is None:
        off["work_mark_late"] = "регламент платформы не устанавливает срок; задаётся work_mark_deadline_days"
    return off


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
            session, scope, names, kinds=(MarkKind.WORK,), deadline_days=rules.work_mark_deadline_days or 0
        ),
        "student_no_marks": lambda: progress.no_marks,
        "student_one_mark": lambda: progress.one_mark,
        "mark_accumulation": lambda: progress.gaps,
        "final_missing": lambda: finals_missing(session, scope, names, rules),
        "final_changed_after_close": lambda: finals_changed_after_close(session, scope, names),
        "lesson_mark_changed_late": lambda: lesson_marks_changed_late(session, scope, names, rules.mark_deadline_days),
        "final_entered_late": lambda: finals_entered_late(session, scope, names, rules),
        "homework_late": lambda: homework_sent_late(session, scope, names, rules.homework_deadline_minutes),
        "attendance_late": lambda: attendance_entered_late(session, scope, names),
    }
    pulled = pulled_entities(session, school_id, platform)
    unchecked = NOT_DELIVERED.get(settings.kind, {})
    off = not_applied(rules)
    sections = []
    for rule in RULES:
        # What the platform can never show, then what the regulation does not set here, then what was not pulled.
        status = f"не проверяется: {unchecked[rule.name]}" if rule.name in unchecked else None
        status = status or (f"не применяется ({off[rule.name]})" if rule.name in off else None)
        why_not = missing_reason(rule_needs(rule.name), pulled)
        status = status or (f"не проверяется: {why_not}" if why_not else None)
        sections.append(
            Section(
                key=rule.key,
                group=SectionGroup.COMPLIANCE,
                title=rule.title,
                description=rule.description,
                columns=rule.columns,
                rows=[] if status else finders[rule.name](),
                not_checked=status,
            )
        )
    topics = "lesson_without_topic" not in unchecked
    work = teacher_participation(
        session, scope, scope.as_of - dt.timedelta(days=rules.mark_deadline_days), topics=topics
    )
    figures = {
        # 000 §3.4.8, 004 §3.5: «процент обучающихся, не имеющих отметок / имеющих одну отметку» of all pupils'
        # subjects in the periods, not of the findings above; «процент участия в работе» of the teachers.
        "compliance.no_marks_share": progress.share(progress.without_marks),
        "compliance.one_mark_share": progress.share(progress.with_one_mark),
        "compliance.teacher_participation_share": round(work.working / work.teachers, 4) if work.teachers else 0.0,
        **_lesson_shares(session, scope, topics=topics),
    }
    # A figure whose data was not looked at is absent, not 0.
    looked = {k: v for k, v in figures.items() if missing_reason(FIGURE_NEEDS.get(k, DEFAULT_NEEDS), pulled) is None}
    return [teacher_rollup(sections), *sections], looked


def _lesson_shares(session: Session, scope: JournalScope, *, topics: bool) -> dict[str, float]:
    """Shares of the span's lessons with homework recorded and (where the platform shows topics) with a topic."""
    counts = lesson_counts(session, scope)
    total = counts.lessons
    shares = {"compliance.homework_share": round(counts.with_homework / total, 4) if total else 0.0}
    if topics:
        shares["compliance.topic_share"] = round(counts.with_topic / total, 4) if total else 0.0
    return shares
