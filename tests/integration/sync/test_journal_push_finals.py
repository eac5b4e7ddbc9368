"""Period finals of the school's own journal pushed to the Дневник.ру emulator (issue 18): each lands once on
its class's PeriodMark work of the subject and period (made by the first push, found by the next), and the
platform's final-marks serve them back equal to the local ones; a changed local final is updated in place."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from edugateway.domain.entities import Entity
from edugateway.domain.models import MarkKind
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.faults import FaultConfig
from edugateway.emulators.server import BackgroundServer
from edugateway.errors import ConnectorError
from edugateway.store.db import Database
from edugateway.store.tables import MarkRow
from edugateway.sync.engine import SyncOutcome, SyncRequest, run_sync
from support.local_journal import empty_journal_world, local_school, plant_local_journal, push_settings

UNTIL = dt.date(2026, 10, 27)  # the first quarter's finals are given on its last day, 26 October
ENTITIES = (Entity.PERSONS, Entity.CLASSES, Entity.SUBJECTS, Entity.PERIODS, Entity.FINAL_MARKS)
TOKEN_ENV = "TEST_PUSH_FINALS_TOKEN"


@pytest.fixture(scope="module")
def snapshot() -> SchoolSnapshot:
    return local_school(UNTIL, students=24, classes=3)


@pytest.fixture
def emulator(snapshot: SchoolSnapshot) -> Iterator[tuple[dnevnik.DnevnikEmulator, str]]:
    served = dnevnik.create_app(empty_journal_world(snapshot))
    with BackgroundServer(served.app) as server:
        yield served, server.base_url


@pytest.fixture
def school(
    database: Database,
    snapshot: SchoolSnapshot,
    emulator: tuple[dnevnik.DnevnikEmulator, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Database:
    plant_local_journal(database, snapshot, tmp_path, emulator[0].world)
    monkeypatch.setenv(TOKEN_ENV, emulator[0].admin_token)
    return database


async def sync(db: Database, snapshot: SchoolSnapshot, base_url: str) -> SyncOutcome:
    settings = push_settings(base_url, snapshot.school.code, TOKEN_ENV, directions={Entity.FINAL_MARKS.value: "push"})
    return await run_sync(db, settings, SyncRequest(snapshot.school.code, "dnevnik", ENTITIES, until=UNTIL))


def on_platform(world: dnevnik.DnevnikWorld) -> Counter[tuple[int, int, int, str]]:
    return Counter(
        (int(f["person"]), int(f["subject"]), int(f["reportingPeriod"]), str(f["final-mark"]["value"]))
        for f in world.final_marks
    )


def local(snapshot: SchoolSnapshot) -> Counter[tuple[int, int, int, str]]:
    code = snapshot.school.code
    return Counter(
        (
            platform_id("person", code, m.person_id),
            platform_id("subject", code, m.subject_id or ""),
            platform_id("period", code, m.period_id or ""),
            {"Н/А": "НА"}.get(m.value, m.value),
        )
        for m in snapshot.marks
        if m.kind is MarkKind.PERIOD_FINAL
    )


async def test_finals_land_once_on_the_class_final_work_and_a_change_is_updated(
    school: Database, snapshot: SchoolSnapshot, emulator: tuple[dnevnik.DnevnikEmulator, str]
) -> None:
    served, base_url = emulator
    world = served.world
    outcome = await sync(school, snapshot, base_url)

    assert outcome.status == "done", outcome.error
    assert local(snapshot)
    assert on_platform(world) == local(snapshot)
    final_works = Counter((w["eduGroup"], w["subjectId"]) for w in world.works.values() if w["type"] == "PeriodMark")
    assert set(final_works.values()) == {1}  # one work per class and subject, made once

    works = len(world.works)
    again = await sync(school, snapshot, base_url)
    assert again.status == "done"
    assert not again.plan.entity(Entity.FINAL_MARKS).push
    assert on_platform(world) == local(snapshot)

    final = next(m for m in snapshot.marks if m.kind is MarkKind.PERIOD_FINAL and m.value != "2")
    with school.session() as session:
        session.execute(update(MarkRow).where(MarkRow.source_id == final.id).values(value="2"))
    changed = await sync(school, snapshot, base_url)

    assert changed.status == "done", changed.error
    assert changed.counts["final_marks"].updated == 1
    want = local(snapshot)
    key = next(
        k
        for k in want
        if k[0] == platform_id("person", snapshot.school.code, final.person_id)
        and k[1] == platform_id("subject", snapshot.school.code, final.subject_id or "")
    )
    want[key] -= 1
    want[(*key[:3], "2")] += 1
    assert on_platform(world) == +want
    assert len(world.works) == works


async def test_a_final_work_made_by_a_run_that_failed_before_any_final_landed_is_found_not_made_again(
    school: Database, snapshot: SchoolSnapshot, emulator: tuple[dnevnik.DnevnikEmulator, str]
) -> None:
    """The platform lists a class's final works only through the finals on them: the work made by a run whose
    first final failed is remembered, or the next run would ask for a second one, which the platform refuses."""
    served, base_url = emulator
    served.set_faults(FaultConfig(down_paths=("/v2.0/persons/",)))  # a mark on a work: 503, every time
    with pytest.raises(ConnectorError, match="pushing final_marks to dnevnik failed"):
        await sync(school, snapshot, base_url)
    made = [w for w in served.world.works.values() if w["type"] == "PeriodMark"]
    assert len(made) == 1
    assert served.world.final_marks == []

    served.set_faults(FaultConfig())
    outcome = await sync(school, snapshot, base_url)

    assert outcome.status == "done", outcome.error
    assert on_platform(served.world) == local(snapshot)
    final_works = Counter(
        (w["eduGroup"], w["subjectId"]) for w in served.world.works.values() if w["type"] == "PeriodMark"
    )
    assert set(final_works.values()) == {1}
    assert made[0]["id"] in {w["id"] for w in served.world.works.values()}
