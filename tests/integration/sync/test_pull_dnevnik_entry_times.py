"""The pull stores the times Дневник.ру delivers (bells, homework `sentDate`, attendance `createdDate`) in UTC, and
a later change of another field is recorded as that change alone, never as a change of a stored time (SQLite
reads times back without their zone)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.tables import AttendanceRow, JournalChangeRow, LessonRow
from edugateway.store.times import as_utc
from support.dnevnik_pull import SECRET, UNTIL, link_roster, pull

NAIVE = "%Y-%m-%dT%H:%M:%S"


@pytest.fixture(scope="module")
def snapshot() -> SchoolSnapshot:
    return generate_journal(generate_school(students=40, classes=3, seed=4).snapshot, until=UNTIL, seed=4)


@pytest.fixture
def emulator(snapshot: SchoolSnapshot) -> Iterator[tuple[dnevnik.DnevnikEmulator, str]]:
    served = dnevnik.create_app(dnevnik.world_from_snapshot(snapshot, admin_password="pw", client_secret=SECRET))
    with BackgroundServer(served.app) as server:
        yield served, server.base_url


@pytest.fixture
def school(
    database: Database, snapshot: SchoolSnapshot, emulator: tuple[dnevnik.DnevnikEmulator, str], tmp_path: Path
) -> Database:
    write_oneroster(snapshot, tmp_path / "oneroster")
    apply_roster(database, read_oneroster(tmp_path / "oneroster"), snapshot.school.code)
    link_roster(database, snapshot.school.code, emulator[0].world)
    return database


async def test_times_are_stored_in_utc_and_a_later_topic_change_is_only_that(
    school: Database,
    snapshot: SchoolSnapshot,
    emulator: tuple[dnevnik.DnevnikEmulator, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world, code = emulator[0].world, snapshot.school.code
    zone = ZoneInfo(snapshot.school.timezone)
    entities = ("lessons", "attendance")
    await pull(school, emulator, code, monkeypatch, entities=entities)

    # The last day's: a rerun reads only its look-back days.
    homework = max((w for w in world.works.values() if w["type"] == "Homework"), key=lambda w: w["targetDate"])
    lesson = world.lessons[homework["lesson"]]
    (person, entry) = next((p, e) for (les, p), e in world.log_entries.items() if e["status"] != "Attend")
    with school.session() as session:
        row = session.scalars(select(LessonRow).where(LessonRow.source_id == f"dnevnik:{lesson['id']}")).one()
        local = dt.datetime.strptime(lesson["date"], NAIVE).replace(tzinfo=zone)
        assert as_utc(row.starts_at) == local  # type: ignore[arg-type]
        assert as_utc(row.ends_at) == local + dt.timedelta(minutes=45)  # type: ignore[arg-type]
        sent = dt.datetime.strptime(homework["sentDate"], NAIVE).replace(tzinfo=zone)
        assert as_utc(row.homework_sent_at) == sent  # type: ignore[arg-type]
        entered = session.scalars(
            select(AttendanceRow.entered_at)
            .join(LessonRow, LessonRow.id == AttendanceRow.lesson_id)
            .where(LessonRow.source_id == f"dnevnik:{entry['lesson']}", AttendanceRow.person_id.is_not(None))
        ).all()
        created = dt.datetime.strptime(entry["createdDate"], NAIVE + ".%f").replace(tzinfo=zone)
        assert created in {as_utc(e) for e in entered if e is not None}
        assert session.scalar(select(LessonRow.id).where(LessonRow.ends_at.is_(None))) is None

    lesson["title"] = "Повторение"
    again = await pull(school, emulator, code, monkeypatch, entities=entities)
    assert again.of("lessons").updated == 1
    with school.session() as session:
        change = session.scalars(select(JournalChangeRow)).one()
    assert set(change.changes) == {"topic"}
    assert person  # the entry's pupil was pulled with it
