"""The entry-time rules (homework_late, attendance_late) on hand-built journal rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from compliance_rows import PLATFORM, Journal

from edugateway.config.settings import DnevnikSettings, EcpSettings
from edugateway.reconciliation.compliance import compliance_sections
from edugateway.store.db import Database
from edugateway.store.tables import SchoolRow

AS_OF = dt.date(2026, 11, 2)
DAY = dt.date(2026, 10, 5)  # a Monday
MSK = ZoneInfo("Europe/Moscow")
YEKT = ZoneInfo("Asia/Yekaterinburg")


def at(zone: ZoneInfo, hour: int, minute: int, second: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), zone)


def rows_of(db: Database, school_id: int, key: str, settings: DnevnikSettings | EcpSettings) -> list[dict[str, Any]]:
    with db.session() as session:
        found, _ = compliance_sections(
            session, school_id=school_id, platform=PLATFORM, settings=settings, as_of=AS_OF, span=None
        )
    (section,) = [s for s in found if s.key == key]
    if isinstance(settings, EcpSettings):
        assert (section.not_checked or "").startswith("не проверяется: ЕЦП")
    return section.rows


def build(db: Database, fill: Any) -> int:
    with db.session() as session:
        journal = Journal.start(session)
        fill(journal)
        return journal.school_id


def homework_journal(j: Journal) -> None:
    """5А ends its day with a subgroup's 5th lesson at 12:35 (Moscow); 6Б's lessons have no bell times."""
    cls, subj, eng = j.klass("5А", 5), j.subject("Математика"), j.subject("Английский язык")
    sub = j.klass("5А англ 1", 5, parent_id=cls)
    teacher = j.person("Иванова", "Мария", "Петровна", roles="teacher")
    first = j.lesson(DAY, cls, subj, teacher, number=1)
    j.timed(first, ends_at=at(MSK, 8, 45), homework_sent_at=at(MSK, 14, 5))  # exactly 90 min after 12:35
    second = j.lesson(DAY, cls, subj, teacher, number=2)
    j.timed(second, ends_at=at(MSK, 9, 40), homework_sent_at=at(MSK, 14, 5, 1))
    last = j.lesson(DAY, sub, eng, teacher, number=5)
    j.timed(last, ends_at=at(MSK, 12, 35), homework_sent_at=at(MSK, 15, 0))
    other = j.lesson(DAY, cls, subj, teacher, number=3, platform="ecp")  # not this platform's lesson
    j.timed(other, ends_at=at(MSK, 10, 40), homework_sent_at=at(MSK, 23, 0))
    untimed = j.lesson(DAY, j.klass("6Б", 6), subj, teacher, number=1)
    j.timed(untimed, homework_sent_at=at(MSK, 23, 0))  # no bells known: the class's day end is unknown


def test_homework_late_counts_from_the_end_of_the_class_day_and_exactly_90_minutes_is_in_time(
    database: Database,
) -> None:
    """001 §2.6: «Внесение в ЭЖ информации о домашнем задании должно производиться во время проведения урока или в
    течение 1.5 часа после окончания занятий в данном конкретном классе.» (003 §2.7 says the same.)"""
    school_id = build(database, homework_journal)
    rows = rows_of(database, school_id, "compliance.homework_late", DnevnikSettings(base_url="http://x/"))
    assert [(r["subject"], r["lesson_number"], r["sent"], r["minutes_late"]) for r in rows] == [
        ("Математика", 2, "2026-10-05 14:05", 1),
        ("Английский язык", 5, "2026-10-05 15:00", 55),
    ]
    assert {(r["class"], r["lessons_end"], r["teacher"]) for r in rows} == {
        ("5А англ 1", "2026-10-05 12:35", "Иванова М. П."),
        ("5А", "2026-10-05 12:35", "Иванова М. П."),
    }


def test_homework_deadline_is_configurable_and_ecp_is_not_checked(database: Database) -> None:
    """000 §3.3.7: «Задание должно вноситься в электронный журнал не позднее 2 часов после окончания занятий в этот
    день» — a school on that rule sets homework_deadline_minutes = 120; ЕЦП itself sends no times."""
    school_id = build(database, homework_journal)
    two_hours = DnevnikSettings.model_validate(
        {"base_url": "http://x/", "compliance": {"homework_deadline_minutes": 120}}
    )
    rows = rows_of(database, school_id, "compliance.homework_late", two_hours)
    assert [(r["lesson_number"], r["minutes_late"]) for r in rows] == [(5, 25)]
    assert rows_of(database, school_id, "compliance.homework_late", EcpSettings(base_url="http://x/")) == []
    assert EcpSettings(base_url="http://x/").compliance.homework_deadline_minutes == 120


def attendance_journal(j: Journal) -> None:
    """A Yekaterinburg school (UTC+5): the lesson day ends at 19:00 UTC."""
    school = j.session.get(SchoolRow, j.school_id)
    assert school is not None
    school.timezone = "Asia/Yekaterinburg"
    cls, subj = j.klass("7В", 7), j.subject("История")
    teacher = j.person("Петров", "Олег", "Ильич", roles="teacher")
    pupils = [j.person("Сидорова", name, "Андреевна") for name in ("Анна", "Вера", "Галина", "Дарья")]
    lesson = j.lesson(DAY, cls, subj, teacher, number=3)
    j.absent_entered(pupils[0], lesson, at(YEKT, 23, 59, 59))  # the last second of the lesson day: in time
    j.absent_entered(pupils[1], lesson, at(YEKT, 0, 0, 0, day=DAY + dt.timedelta(days=1)), code="Б")
    j.absent_entered(pupils[2], lesson, at(YEKT, 10, 0, day=DAY + dt.timedelta(days=3)))
    j.absent(pupils[3], lesson)  # no entry time delivered: not judged
    other = j.lesson(DAY, cls, subj, teacher, number=4, platform="ecp")
    j.absent_entered(pupils[0], other, at(YEKT, 12, 0, day=DAY + dt.timedelta(days=2)))


def test_attendance_late_is_an_entry_after_the_lesson_day_in_the_school_time_zone(database: Database) -> None:
    """003, приказ §4.7 (2.3.1): «Внесение информации о проведенных уроках и об отсутствующих обучающихся должны
    производиться по факту в день проведения»; 001 §2.5: «Учитель-предметник ежедневно отмечает посещаемость»."""
    school_id = build(database, attendance_journal)
    rows = rows_of(database, school_id, "compliance.attendance_late", DnevnikSettings(base_url="http://x/"))
    # Вера's entry is 19:00 UTC on the lesson day, but midnight in Yekaterinburg: the next school day.
    assert [(r["student"], r["code"], r["entered"], r["days_late"]) for r in rows] == [
        ("Сидорова В. А.", "Б", "2026-10-06 00:00", 1),
        ("Сидорова Г. А.", "Н", "2026-10-08 10:00", 3),
    ]
    assert {(r["class"], r["subject"], r["teacher"], r["lesson_date"]) for r in rows} == {
        ("7В", "История", "Петров О. И.", "2026-10-05")
    }
    assert rows_of(database, school_id, "compliance.attendance_late", EcpSettings(base_url="http://x/")) == []


@pytest.mark.parametrize("rule", ["compliance.homework_late", "compliance.attendance_late"])
def test_a_span_limits_the_timing_rules_to_its_lesson_days(database: Database, rule: str) -> None:
    school_id = build(database, lambda j: (homework_journal(j), attendance_journal(j)))
    with database.session() as session:
        found, _ = compliance_sections(
            session,
            school_id=school_id,
            platform=PLATFORM,
            settings=DnevnikSettings(base_url="http://x/"),
            as_of=AS_OF,
            span=(DAY + dt.timedelta(days=1), AS_OF),
        )
    assert next(s for s in found if s.key == rule).rows == []
