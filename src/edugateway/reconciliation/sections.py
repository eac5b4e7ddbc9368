"""Report sections from the comparison's findings and from the open identity cases, with Russian headers.

Every compared entity gets its four sections (different, only local, only on the platform, duplicated) even
when empty, so the report's shape, the workbook's sheets and the night-to-night trend are stable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from edugateway.identity.case_types import CASE_TITLES, DETAIL_TITLES, VERIFIED_TYPES, CaseStatus
from edugateway.reconciliation.compare import EntityFindings
from edugateway.reconciliation.labels import Labels
from edugateway.reconciliation.report import Column, Section, SectionGroup
from edugateway.store.case_lists import school_cases
from edugateway.store.needs_mapping import read_needs_mapping

ENTITY_TITLES = {
    "persons": "Ученики и учителя",
    "classes": "Классы и подгруппы",
    "subjects": "Предметы",
    "lessons": "Уроки",
    "marks": "Отметки",
    "final_marks": "Итоговые отметки",
    "attendance": "Посещаемость",
}
FIELD_TITLES = {
    "last_name": "Фамилия",
    "first_name": "Имя",
    "middle_name": "Отчество",
    "birth_date": "Дата рождения",
    "gender": "Пол",
    "class_key": "Класс",
    "name": "Название",
    "grade": "Параллель",
    "parent_key": "Класс подгруппы",
    "date": "Дата",
    "number": "Номер урока",
    "subject_key": "Предмет",
    "teacher_key": "Учитель",
    "topic": "Тема",
    "homework": "Домашнее задание",
    "person_key": "Ученик",
    "lesson_key": "Урок",
    "value": "Отметка",
    "kind": "Вид отметки",
    "work_type": "Вид работы",
    "period_key": "Период",
    "code": "Отметка о посещении",
    "minutes_late": "Опоздание, мин",
}
KIND_TITLES = {"lesson": "за урок", "work": "за работу", "period_final": "за период", "year_final": "за год"}

# What identifies a record of each entity to a reader: (column key, header).
_DESCRIBE: dict[str, list[tuple[str, str]]] = {
    "persons": [("person", "ФИО"), ("class", "Класс"), ("birth_date", "Дата рождения")],
    "classes": [("class", "Класс"), ("grade", "Параллель")],
    "subjects": [("subject", "Предмет")],
    "lessons": [
        ("date", "Дата"),
        ("number", "Урок"),
        ("class", "Класс"),
        ("subject", "Предмет"),
        ("teacher", "Учитель"),
        ("topic", "Тема"),
    ],
    "marks": [
        ("student", "Ученик"),
        ("class", "Класс"),
        ("lesson", "Урок"),
        ("subject", "Предмет"),
        ("value", "Отметка"),
        ("given", "Выставлена"),
        ("kind", "Вид"),
    ],
    "final_marks": [
        ("student", "Ученик"),
        ("class", "Класс"),
        ("subject", "Предмет"),
        ("period", "Период"),
        ("value", "Отметка"),
        ("kind", "Вид"),
    ],
    "attendance": [
        ("student", "Ученик"),
        ("class", "Класс"),
        ("lesson", "Урок"),
        ("subject", "Предмет"),
        ("code", "Отметка о посещении"),
    ],
}


def _describe(entity: str, record: dict[str, Any], labels: Labels, *, remote: bool) -> dict[str, Any]:
    value = labels.value
    lesson = labels.lessons.get(record.get("lesson_key") or "")
    student = record.get("person_key")
    pupil_class = labels.person_class.get(student or "") or (lesson.class_name if lesson else None)
    builders: dict[str, Callable[[], dict[str, Any]]] = {
        "persons": lambda: {
            # A platform-only person has no local name: the platform's own is what there is to show.
            "person": " ".join(p for p in (record["last_name"], record["first_name"], record["middle_name"]) if p)
            if remote or record.get("local_key") is None
            else labels.persons.get(record["local_key"]),
            "class": value("class_key", record["class_key"]),
            "birth_date": record["birth_date"],
        },
        "classes": lambda: {"class": record["name"], "grade": record["grade"]},
        "subjects": lambda: {"subject": record["name"]},
        "lessons": lambda: {
            "date": record["date"],
            "number": record["number"],
            "class": value("class_key", record["class_key"]),
            "subject": value("subject_key", record["subject_key"]),
            "teacher": value("teacher_key", record["teacher_key"]),
            "topic": record["topic"],
        },
        "marks": lambda: {
            "student": value("person_key", student),
            "class": pupil_class,
            "lesson": value("lesson_key", record["lesson_key"]),
            "subject": lesson.subject if lesson else None,
            "value": record["value"],
            "given": record["date"],
            "kind": KIND_TITLES.get(record["kind"], record["kind"]),
        },
        "final_marks": lambda: {
            "student": value("person_key", student),
            "class": pupil_class,
            "subject": value("subject_key", record["subject_key"]),
            "period": value("period_key", record["period_key"]),
            "value": record["value"],
            "kind": KIND_TITLES.get(record["kind"], record["kind"]),
        },
        "attendance": lambda: {
            "student": value("person_key", student),
            "class": pupil_class,
            "lesson": value("lesson_key", record["lesson_key"]),
            "subject": lesson.subject if lesson else None,
            "code": record["code"],
        },
    }
    return builders[entity]()


def _columns(entity: str, *extra: tuple[str, str]) -> list[Column]:
    return [Column(key=k, title=t) for k, t in (*_DESCRIBE[entity], *extra)]


def _readable(column: str, value: Any, labels: Labels) -> Any:
    if column == "kind":
        return KIND_TITLES.get(value, value)
    return labels.value(column, value)


def entity_sections(findings: EntityFindings, labels: Labels, platform: str) -> list[Section]:
    entity = findings.entity
    title = ENTITY_TITLES[entity]
    remote_id = ("remote_id", f"id на платформе {platform}")
    local_key = ("local_key", "id в школе")
    different_rows = [
        {
            **_describe(entity, {"local_key": d["local_key"], **d["local"]}, labels, remote=False),
            "field": FIELD_TITLES.get(name, name),
            "local_value": _readable(name, local, labels),
            "platform_value": _readable(name, remote, labels),
            "local_key": d["local_key"],
            "remote_id": d["remote_id"],
        }
        for d in findings.different
        for name, (local, remote) in d["fields"].items()
    ]
    duplicated_rows = [
        {
            "side": "в школе" if d["side"] == "local" else "на платформе",
            "key": ", ".join(str(_readable(k, v, labels)) for k, v in d["key"].items() if k != "name_key")
            or ", ".join(str(v) for v in d["key"].values()),
            "count": d["count"],
            "ids": ", ".join(str(i) for i in d["ids"]),
        }
        for d in findings.duplicated
    ]
    return [
        Section(
            key=f"{entity}.different",
            group=SectionGroup.RECONCILIATION,
            entity=entity,
            title=f"{title}: различаются",
            description="Записи есть на обеих сторонах, но поля различаются: по строке на каждое поле.",
            columns=_columns(
                entity,
                ("field", "Поле"),
                ("local_value", "В школе"),
                ("platform_value", "На платформе"),
                local_key,
                remote_id,
            ),
            rows=different_rows,
        ),
        Section(
            key=f"{entity}.only_local",
            group=SectionGroup.RECONCILIATION,
            entity=entity,
            title=f"{title}: только в школе",
            description="Есть в базе школы, но нет на платформе (id на платформе — если запись была там раньше).",
            columns=_columns(entity, local_key, remote_id),
            rows=[
                {**_describe(entity, r, labels, remote=False), "local_key": r["local_key"], "remote_id": r["remote_id"]}
                for r in findings.only_local
            ],
        ),
        Section(
            key=f"{entity}.only_remote",
            group=SectionGroup.RECONCILIATION,
            entity=entity,
            title=f"{title}: только на платформе",
            description="Есть на платформе, но не связаны ни с одной записью школы.",
            columns=_columns(entity, remote_id),
            rows=[
                {**_describe(entity, r, labels, remote=True), "remote_id": r["remote_id"]} for r in findings.only_remote
            ],
        ),
        Section(
            key=f"{entity}.duplicated",
            group=SectionGroup.RECONCILIATION,
            entity=entity,
            title=f"{title}: дубликаты",
            description="Несколько записей с одним и тем же ключом на одной стороне.",
            columns=[
                Column(key="side", title="Где"),
                Column(key="key", title="Ключ"),
                Column(key="count", title="Сколько"),
                Column(key="ids", title="Записи"),
            ],
            rows=duplicated_rows,
        ),
    ]


def identity_section(session: Session, school_id: int, labels: Labels, today: dt.date) -> Section:
    """The school's open identity cases (ЕСИА): the same for every platform's report. A sync's link candidates are
    the clerk's questions about a platform's records, not discrepancies with ЕСИА: they stay in the queue only."""
    cases = school_cases(session, school_id, status=CaseStatus.OPEN, case_types=VERIFIED_TYPES)
    return Section(
        key="identity.open_cases",
        group=SectionGroup.IDENTITY,
        title="Открытые расхождения с ЕСИА (Госуслуги)",
        description="Случаи в очереди делопроизводителя: СНИЛС, ФИО или дата рождения не сходятся с ЕСИА.",
        columns=[
            Column(key="case_id", title="№ случая"),
            Column(key="type", title="Что не так"),
            Column(key="detail", title="Уточнение"),
            Column(key="person", title="ФИО"),
            Column(key="class", title="Класс"),
            Column(key="opened", title="Открыт"),
            Column(key="days_open", title="Дней открыт"),
            Column(key="assignee", title="Исполнитель"),
        ],
        rows=[
            {
                "case_id": case.case_id,
                "type": CASE_TITLES.get(case.case_type, case.case_type),
                "detail": DETAIL_TITLES.get(case.detail or "", case.detail),
                "person": labels.persons.get(case.person_key),
                "class": case.class_name,
                "opened": case.opened_at.date(),
                "days_open": (today - case.opened_at.date()).days,
                "assignee": case.assignee,
            }
            for case in cases
        ],
    )


def needs_mapping_section(session: Session, school_id: int, platform: str) -> Section:
    """The platform's subjects the school has none of: the journal pulled under each is kept under the platform's
    subject until the school adds its own (the next sync then moves the journal to it)."""
    subjects = read_needs_mapping(session, school_id, platform).subjects
    return Section(
        key="subjects.needs_mapping",
        group=SectionGroup.RECONCILIATION,
        entity="subjects",
        title="Предметы платформы без пары в школе",
        description=(
            "Предметы, которых нет в базе школы: журнал по ним сохранён под предметом платформы. Добавьте предмет "
            "с тем же названием в базу школы (импорт), и при следующей синхронизации журнал перейдёт к нему."
        ),
        columns=[
            Column(key="subject", title="Предмет на платформе"),
            Column(key="remote_id", title=f"id на платформе {platform}"),
            Column(key="lessons", title="Уроков"),
            Column(key="marks", title="Отметок"),
            Column(key="attendance", title="Записей о посещаемости"),
        ],
        rows=[
            {
                "subject": s.name,
                "remote_id": s.remote_id,
                "lessons": s.lessons,
                "marks": s.marks,
                "attendance": s.attendance,
            }
            for s in subjects
        ],
    )
