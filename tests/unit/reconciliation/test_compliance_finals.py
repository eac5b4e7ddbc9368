"""Period finals on a planted journal (SQLite and PostgreSQL): a missing final stays until it is set, a final
entered late is not a change, and both name the subject's teacher. The span is the nightly report's own."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any

from compliance_rows import Q1, Journal, school_days

from edugateway.config.settings import DnevnikSettings
from edugateway.reconciliation.compliance import compliance_sections
from edugateway.reconciliation.service import _span
from edugateway.store.db import Database

JOURNAL_DAYS = 35  # reconcile.journal_days' default
Q2 = (dt.date(2026, 11, 5), dt.date(2026, 12, 28))


def report(db: Database, school_id: int, as_of: dt.date, settings: DnevnikSettings | None = None) -> dict[str, Any]:
    """The compliance sections by key, as the night of `as_of` checks them."""
    span = _span(db, school_id, as_of, JOURNAL_DAYS)
    with db.session() as session:
        found, _ = compliance_sections(
            session,
            school_id=school_id,
            platform="dnevnik",
            settings=settings or DnevnikSettings(base_url="http://x/"),
            as_of=as_of,
            span=span,
        )
    return {s.key: s for s in found}


def plant(db: Database, fill: Any) -> int:
    with db.session() as session:
        journal = Journal.start(session)
        journal.period("2 четверть", "quarter", *Q2)
        fill(journal)
        return journal.school_id


def _class_with_math(j: Journal, *pupils: tuple[str, str]) -> tuple[int, int, list[int]]:
    cls, math = j.klass("7Б", 7), j.subject("Алгебра")
    teacher = j.person("Смирнова", "Ольга", "Петровна", roles="teacher")
    ids = [j.person(last, first) for last, first in pupils]
    for pupil in ids:
        j.enroll(pupil, cls)
    for n, day in enumerate(school_days(Q1[0], 3)):
        j.lesson(day, cls, math, teacher, number=n + 1)
    return cls, math, ids


def test_a_missing_final_stays_in_every_report_until_it_is_set(database: Database) -> None:
    """001 §2.7: «Итоговую оценку или отметку … учитель-предметник выставляет каждому обучающемуся в конце каждого
    отчётного периода». A 1st-quarter gap is a finding on 2 and 29 November, 15 December and 20 May, not only while
    the quarter is among the report's 35 journal days; once set, it is gone."""
    planted: dict[str, Any] = {}

    def fill(j: Journal) -> None:
        _, planted["math"], (planted["pupil"],) = _class_with_math(j, ("Орлов", "Олег"))
        planted["q1"] = j.period_id

    school_id = plant(database, fill)
    for as_of in (dt.date(2026, 11, 2), dt.date(2026, 11, 29), dt.date(2026, 12, 15), dt.date(2027, 5, 20)):
        rows = report(database, school_id, as_of)["compliance.final_missing"].rows
        assert [(r["student"], r["subject"], r["period"], r["teacher"]) for r in rows] == [
            ("Орлов О.", "Алгебра", "1 четверть", "Смирнова О. П.")
        ], as_of

    with database.session() as session:
        j = Journal(session, school_id, count(1000), period_id=planted["q1"])
        j.final(planted["pupil"], planted["math"], dt.date(2026, 12, 10), value="4")
    found = report(database, school_id, dt.date(2026, 12, 15))
    assert found["compliance.final_missing"].rows == []
    # Set on 10 December, six weeks after the quarter: a late entry now, not a change.
    assert [(r["student"], r["given"], r["days_late"]) for r in found["compliance.final_entered_late"].rows] == [
        ("Орлов О.", "2026-12-10", 45)
    ]
    assert found["compliance.final_changed_after_close"].rows == []


def test_a_final_entered_late_is_not_a_change(database: Database) -> None:
    """001 §2.7 (003 §2.8): finals are given «в течение последней недели каждого учебного периода до начала
    каникулярного периода»; 000 §3.3.9: «запрещается … выставление отметок задним числом»; 000 §3.3.11: «замена
    ошибочно поставленной отметки за четверть … производится только заместителем директора». A final first given
    after the period's last day is a late entry; a value replaced after it is a change: two sections."""
    pupils = (("Аксёнов", "Антон"), ("Белкин", "Борис"), ("Волков", "Вадим"), ("Гусев", "Глеб"), ("Дьяков", "Денис"))
    seen = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)

    def fill(j: Journal) -> None:
        _, math, (on_time, at_limit, late, changed, late_and_changed) = _class_with_math(j, *pupils)
        j.final(on_time, math, Q1[1] - dt.timedelta(days=2))
        j.final(at_limit, math, Q1[1])  # the last day of the quarter: on time exactly
        j.final(late, math, Q1[1] + dt.timedelta(days=1), value="4")
        j.changed(j.final(changed, math, Q1[1], value="3"), "4", "3", seen)
        j.changed(j.final(late_and_changed, math, Q1[1] + dt.timedelta(days=3), value="5"), "4", "5", seen)

    school_id = plant(database, fill)
    found = report(database, school_id, dt.date(2026, 11, 5))
    late = found["compliance.final_entered_late"].rows
    assert [(r["student"], r["value"], r["given"], r["days_late"], r["teacher"]) for r in late] == [
        ("Волков В.", "4", "2026-10-27", 1, "Смирнова О. П.")
    ]
    changes = found["compliance.final_changed_after_close"].rows
    assert [(r["student"], r["old_value"], r["value"], r["teacher"], r["reason"]) for r in changes] == [
        ("Гусев Г.", "4", "3", "Смирнова О. П.", "без зафиксированного основания"),
        ("Дьяков Д.", "4", "5", "Смирнова О. П.", "без зафиксированного основания"),
    ]
    assert all(r["old_value"] for r in changes)  # never a change «from nothing»
    assert {c.key for c in found["compliance.final_entered_late"].columns} >= {"teacher", "given", "days_late"}
    assert "teacher" in {c.key for c in found["compliance.final_changed_after_close"].columns}


def test_the_deadline_for_a_final_is_a_setting(database: Database) -> None:
    """compliance.final_deadline_days: a school whose regulation allows a few days after the period (e.g. the
    holidays' first days) sets them; exactly at the limit is on time, a day after is late."""
    planted: dict[str, str] = {}

    def fill(j: Journal) -> None:
        _, math, (at_limit, late) = _class_with_math(j, ("Ершов", "Егор"), ("Жаров", "Жан"))
        planted["at_limit"] = j.final(at_limit, math, Q1[1] + dt.timedelta(days=3))
        planted["late"] = j.final(late, math, Q1[1] + dt.timedelta(days=4))

    school_id = plant(database, fill)
    settings = DnevnikSettings(base_url="http://x/", compliance={"final_deadline_days": 3})
    rows = report(database, school_id, dt.date(2026, 11, 5), settings)["compliance.final_entered_late"].rows
    assert [(r["mark"], r["days_late"]) for r in rows] == [(planted["late"], 4)]
