"""Done-when of the deputy's reports (issue 16): on a generated school pulled from the Дневник.ру emulator over a
real socket, the monthly and period reports add up. The attendance counts equal the pulled attendance rows, and
успеваемость/качество equal a recomputation from the platform's own final marks.

004 §5.2-5.3: «Отчет о заполнении электронного журнала и накопляемости отметок создается ежемесячно и по итогам
учебного года. Отчеты по успеваемости и посещаемости создаются в конце учебного периода и года.»
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from edugateway.domain.models import MarkKind
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.school_reports import month_report, period_report
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.tables import AttendanceRow, LessonRow
from support.dnevnik_pull import SECRET, UNTIL, link_roster, pull

OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
CODES = {"Н": "absent", "У": "excused", "Б": "ill", "ОП": "late"}


@pytest.fixture(scope="module")
def world() -> SchoolSnapshot:
    return generate_journal(generate_school(students=60, classes=4, seed=16).snapshot, until=UNTIL, seed=16)


@pytest.fixture
def pulled(database: Database, world: SchoolSnapshot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Database:
    served = dnevnik.create_app(dnevnik.world_from_snapshot(world, admin_password="pw", client_secret=SECRET))
    code = world.school.code
    write_oneroster(world.model_copy(update={"lessons": [], "marks": [], "attendance": []}), tmp_path / "roster")
    apply_roster(database, read_oneroster(tmp_path / "roster"), code)
    link_roster(database, code, served.world)
    with BackgroundServer(served.app) as server:
        import asyncio

        journal = asyncio.run(pull(database, (served, server.base_url), code, monkeypatch))
    assert journal.skips == []
    return database


def _quarter(world: SchoolSnapshot) -> tuple[str, dt.date, dt.date]:
    q1 = next(p for p in world.periods if p.name == "1 четверть")
    return q1.id, q1.start_date, q1.end_date


def test_the_reports_of_a_generated_school_add_up(pulled: Database, world: SchoolSnapshot) -> None:
    """One pull per backend (the costly part), three checks on it."""
    attendance_counts_equal_the_pulled_attendance_rows(pulled, world)
    progress_equals_a_recomputation_from_the_final_marks(pulled, world)
    the_month_counts_every_pulled_lesson_and_mark(pulled, world)


def attendance_counts_equal_the_pulled_attendance_rows(pulled: Database, world: SchoolSnapshot) -> None:
    _, start, end = _quarter(world)
    report = period_report(pulled, world.school.code, "1 четверть", academic_year=2026)
    with pulled.session() as session:
        stored = dict(
            session.execute(
                select(AttendanceRow.code, func.count())
                .join(LessonRow, LessonRow.id == AttendanceRow.lesson_id)
                .where(LessonRow.date.between(start, end))
                .group_by(AttendanceRow.code)
            )
            .tuples()
            .all()
        )
    lesson_day = {les.id: les.date for les in world.lessons}
    on_platform = Counter(a.code.value for a in world.attendance if start <= lesson_day[a.lesson_id] <= end)
    total = next(r for r in report.table("attendance_classes").rows if r["class"] == "Итого")
    by_pupil = Counter[str]()
    for row in report.table("attendance_pupils").rows:
        by_pupil.update({code: int(row[key] or 0) for code, key in CODES.items()})
    assert sum(on_platform.values()) > 50  # the world has attendance to count
    assert stored == dict(on_platform)
    assert {code: total[key] for code, key in CODES.items()} == {c: on_platform[c] for c in CODES}
    assert dict(by_pupil) == {c: on_platform[c] for c in CODES}
    assert total["missed"] == on_platform["Н"] + on_platform["У"] + on_platform["Б"]


def progress_equals_a_recomputation_from_the_final_marks(pulled: Database, world: SchoolSnapshot) -> None:
    """Успеваемость: the share of pupils on the list with a final and no «2»/«Н/А»; качество: with «4» or «5»."""
    period_id, _, end = _quarter(world)
    report = period_report(pulled, world.school.code, "1 четверть", academic_year=2026)
    homerooms = {c.id: c for c in world.classes if c.parent_id is None}
    homeroom_of = {c.id: c.parent_id or c.id for c in world.classes}
    subject_name = {s.id: s.name for s in world.subjects}
    pupils = {
        cid: {e.person_id for e in world.enrollments if e.class_id == cid and e.role.value == "student"}
        for cid in homerooms
    }
    finals = {
        (m.person_id, m.subject_id): m.value
        for m in world.marks
        if m.kind is MarkKind.PERIOD_FINAL and m.period_id == period_id
    }
    taught = {(homeroom_of[les.class_id], les.subject_id) for les in world.lessons if les.date <= end}
    expected = {}
    for cid, subject in taught:
        if homerooms[cid].grade < 2:  # the first grade is taught without marks: no успеваемость to compute
            continue
        on_list = pupils[cid]
        values = [finals.get((p, subject)) for p in on_list]
        successful = sum(1 for v in values if v and v[0] not in "12" and v != "Н/А")
        quality = sum(1 for v in values if v and v[0] in "45")
        expected[(homerooms[cid].name, subject_name[subject])] = (
            len(on_list),
            successful,
            round(100 * successful / len(on_list), 1),
            quality,
            round(100 * quality / len(on_list), 1),
        )
    found = {
        (r["class"], r["subject"]): tuple(
            r[k] for k in ("pupils", "successful", "success_percent", "quality", "quality_percent")
        )
        for r in report.table("progress_subjects").rows
    }
    assert len(finals) > 100
    assert found == expected


def the_month_counts_every_pulled_lesson_and_mark(pulled: Database, world: SchoolSnapshot) -> None:
    report = month_report(pulled, world.school.code, "2026-10")
    rows = report.table("fill_month").rows
    lesson_day = {les.id: les.date for les in world.lessons}
    lessons = sum(1 for les in world.lessons if OCTOBER[0] <= les.date <= OCTOBER[1])
    marks = sum(
        1
        for m in world.marks
        if m.kind in (MarkKind.LESSON, MarkKind.WORK) and OCTOBER[0] <= lesson_day[m.lesson_id or ""] <= OCTOBER[1]
    )
    homework = sum(1 for les in world.lessons if OCTOBER[0] <= les.date <= OCTOBER[1] and (les.homework or "").strip())
    assert sum(int(r["lessons"] or 0) for r in rows) == lessons
    assert sum(int(r["marks"] or 0) for r in rows) == marks
    assert sum(int(r["with_homework"] or 0) for r in rows) == homework
    assert all(r["teacher"] for r in rows)  # every pulled lesson's teacher is linked and named
