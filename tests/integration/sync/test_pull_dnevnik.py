"""Journal pulls from the Дневник.ру emulator over a real socket into a school imported from OneRoster: the whole
journal lands, a rerun only reads and writes nothing, and a late change of a quarter final is retroactive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute

from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.platform_state import forget_platform
from edugateway.store.roster import apply_roster
from edugateway.store.sync_run_log import SyncRunLog
from edugateway.store.tables import (
    AttendanceRow,
    AuditRow,
    JournalChangeRow,
    LessonRow,
    MarkRow,
    PersonRow,
    RemoteRecordRow,
    SyncCursorRow,
)
from edugateway.sync.pull import pull_journal
from support.dnevnik_pull import ALL, SECRET, START, UNTIL, connect, link_roster, pull


@pytest.fixture(scope="module")
def snapshot() -> SchoolSnapshot:
    return generate_journal(generate_school(students=60, classes=4, seed=8).snapshot, until=UNTIL, seed=8)


@pytest.fixture
def emulator(snapshot: SchoolSnapshot) -> Iterator[tuple[dnevnik.DnevnikEmulator, str]]:
    served = dnevnik.create_app(dnevnik.world_from_snapshot(snapshot, admin_password="pw", client_secret=SECRET))
    with BackgroundServer(served.app) as server:
        yield served, server.base_url


@pytest.fixture
def school(
    database: Database, snapshot: SchoolSnapshot, emulator: tuple[dnevnik.DnevnikEmulator, str], tmp_path: Path
) -> Database:
    """The school imported from OneRoster, its roster linked to the world's ids (what the identity step does)."""
    roster_dir = tmp_path / "oneroster"
    write_oneroster(snapshot, roster_dir)
    apply_roster(database, read_oneroster(roster_dir), snapshot.school.code)
    link_roster(database, snapshot.school.code, emulator[0].world)
    return database


def stored(db: Database, column: InstrumentedAttribute[str]) -> set[str]:
    with db.session() as session:
        return set(session.scalars(select(column)))


def count(db: Database, table: type) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


async def test_the_whole_journal_lands_and_a_rerun_only_reads(
    school: Database,
    snapshot: SchoolSnapshot,
    emulator: tuple[dnevnik.DnevnikEmulator, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = emulator[0].world
    code = snapshot.school.code

    run_log = await pull(school, emulator, code, monkeypatch)

    assert run_log.skips == []
    assert stored(school, LessonRow.source_id) == {f"dnevnik:{lesson_id}" for lesson_id in world.lessons}
    assert stored(school, MarkRow.source_id) == {f"dnevnik:{mark_id}" for mark_id in world.marks}
    absences = {f"{lesson}:{person}" for (lesson, person), e in world.log_entries.items() if e["status"] != "Attend"}
    with school.session() as session:
        pulled_attendance = set(
            session.scalars(select(RemoteRecordRow.remote_id).where(RemoteRecordRow.entity == "attendance"))
        )
    assert pulled_attendance == absences
    assert count(school, AttendanceRow) == len(absences)
    assert run_log.of("lessons").created == len(world.lessons)
    audit = count(school, AuditRow)

    emulator[0].stats.reset()
    again = await pull(school, emulator, code, monkeypatch)

    requests = emulator[0].stats.by_route
    assert requests
    assert all(route.startswith("GET ") for route in requests), requests
    assert count(school, AuditRow) == audit
    for entity in ALL:
        assert (again.of(entity).created, again.of(entity).updated) == (0, 0), entity
        assert again.of(entity).unchanged == again.of(entity).read, entity


async def test_a_quarter_final_changed_after_the_quarter_is_retroactive(
    school: Database,
    snapshot: SchoolSnapshot,
    emulator: tuple[dnevnik.DnevnikEmulator, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = emulator[0].world
    code = snapshot.school.code
    await pull(school, emulator, code, monkeypatch, entities=("final_marks",))
    closed = [
        f
        for f in world.final_marks
        if f["reportingPeriod"] and world.reporting_periods[f["reportingPeriod"]]["finish"][:10] < UNTIL.isoformat()
    ]
    assert closed, "the generated journal has quarter finals of a closed quarter"
    changed = closed[0]["final-mark"]
    old = changed["value"]
    changed["value"] = "2" if old != "2" else "3"

    [quarter] = [p for p in snapshot.periods if platform_id("period", code, p.id) == closed[0]["reportingPeriod"]]

    run_log = await pull(school, emulator, code, monkeypatch, entities=("final_marks",))

    assert run_log.of("final_marks").updated == 1
    with school.session() as session:
        change = session.scalars(select(JournalChangeRow)).one()
    assert change.remote_id == str(changed["id"])
    assert change.changes == {"value": [old, changed["value"]]}
    assert change.retroactive is True
    assert change.period_end == quarter.end_date


async def test_a_pull_asked_to_stop_ends_after_a_whole_window_and_the_next_goes_on(
    school: Database,
    snapshot: SchoolSnapshot,
    emulator: tuple[dnevnik.DnevnikEmulator, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a stopping scheduler asks of a sync: no half-stored window, the cursor at the last whole one."""
    served, base_url = emulator
    code = snapshot.school.code
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 1  # go on into the lessons, then stop before their second window

    connector = connect(monkeypatch, base_url, served.admin_token, code)
    run_log = SyncRunLog.start(school, code, "dnevnik", dict.fromkeys(ALL, "pull"))
    try:
        complete = await pull_journal(school, connector, run_log, entities=ALL, start=START, until=UNTIL, stop=stop)
    finally:
        await connector.aclose()
    run_log.finish("stopped")

    assert complete is False
    first_window_end = START + dt.timedelta(days=29)
    with school.session() as session:
        cursors = {c.entity: c.position for c in session.scalars(select(SyncCursorRow))}
        lesson_days = set(session.scalars(select(LessonRow.date)))
    assert cursors == {"lessons": first_window_end}
    assert lesson_days
    assert max(lesson_days) <= first_window_end
    assert count(school, MarkRow) == 0

    await pull(school, emulator, code, monkeypatch)
    assert stored(school, LessonRow.source_id) == {f"dnevnik:{lesson_id}" for lesson_id in served.world.lessons}
    assert stored(school, MarkRow.source_id) == {f"dnevnik:{mark_id}" for mark_id in served.world.marks}


async def test_forgetting_a_platform_can_drop_the_journal_pulled_from_it(
    school: Database,
    snapshot: SchoolSnapshot,
    emulator: tuple[dnevnik.DnevnikEmulator, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A school starting afresh on a platform keeps its roster; the run_log that platform held goes with it."""
    code = snapshot.school.code
    await pull(school, emulator, code, monkeypatch)
    persons = count(school, PersonRow)
    assert count(school, LessonRow)
    assert count(school, MarkRow)
    assert count(school, AttendanceRow)

    ended = forget_platform(school, code, "dnevnik", actor="test", reason="a new account", drop_pulled=True)

    assert ended > 0
    assert (count(school, LessonRow), count(school, MarkRow), count(school, AttendanceRow)) == (0, 0, 0)
    assert count(school, PersonRow) == persons
    with school.session() as session:
        audit = session.scalars(select(AuditRow).where(AuditRow.action == "forget_platform")).one()
    assert audit.changes is not None
    assert audit.changes["lessons_deleted"][1] == len(emulator[0].world.lessons)
