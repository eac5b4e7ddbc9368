"""Issue 17 («The XLSX has … raw work-type ids»): written works marked late, pulled from the Дневник.ру emulator
over a real socket, are listed by their work type's title («Контрольная работа»), on SQLite and PostgreSQL.

003 приказ ИСУОД, 2.3.3: «Результаты оценивания выполненных обучающимися работ (письменных) должны выставляться
не позднее одной недели со дня их проведения…»
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from edugateway.config.settings import DnevnikSettings
from edugateway.domain.models import MarkKind
from edugateway.domain.person_names import short_name
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.drift import DriftKind, DriftProfile, PlantedDrift, drift_journal
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.reconciliation.compliance import compliance_sections
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.tables import MarkRow, SchoolRow
from support.dnevnik_pull import SECRET, UNTIL, link_roster, pull

ISUOD_WEEK = DnevnikSettings(base_url="http://unused/", compliance={"work_mark_deadline_days": 7})


@pytest.fixture(scope="module")
def world() -> tuple[SchoolSnapshot, SchoolSnapshot, list[PlantedDrift]]:
    school = generate_school(students=30, classes=2, seed=17).snapshot
    clean = generate_journal(school, until=UNTIL, seed=17)
    shares = dict.fromkeys(DriftProfile.model_fields, 0.0) | {"work_mark_late": 0.02}
    drifted, planted = drift_journal(clean, DriftProfile(**shares), random.Random(17))
    return clean, drifted, planted


@pytest.fixture
def emulator(
    world: tuple[SchoolSnapshot, SchoolSnapshot, list[PlantedDrift]],
) -> Iterator[tuple[dnevnik.DnevnikEmulator, str]]:
    served = dnevnik.create_app(dnevnik.world_from_snapshot(world[1], admin_password="pw", client_secret=SECRET))
    with BackgroundServer(served.app) as server:
        yield served, server.base_url


async def test_late_work_marks_name_their_work_type_by_title(
    database: Database,
    world: tuple[SchoolSnapshot, SchoolSnapshot, list[PlantedDrift]],
    emulator: tuple[dnevnik.DnevnikEmulator, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    clean, _drifted, planted = world
    code = clean.school.code
    write_oneroster(clean.model_copy(update={"lessons": [], "marks": [], "attendance": []}), tmp_path / "roster")
    apply_roster(database, read_oneroster(tmp_path / "roster"), code)
    link_roster(database, code, emulator[0].world)
    assert (await pull(database, emulator, code, monkeypatch)).skips == []

    person = {p.id: short_name(p.last_name, p.first_name, p.middle_name) for p in clean.persons}
    lesson = {les.id: les for les in clean.lessons}
    mark = {m.id: m for m in clean.marks}
    expected: Counter[tuple[str, str, str, str]] = Counter()
    for d in planted:
        assert d.kind is DriftKind.WORK_MARK_LATE
        m = mark[d.record_id or ""]
        expected[
            (person[d.person_id], lesson[m.lesson_id or ""].date.isoformat(), str(d.remote), m.work_type or "")
        ] += 1
    assert len(set(expected)) >= 3  # several works …
    assert len({k[3] for k in expected}) >= 2  # … of several types

    with database.session() as session:
        school_id = session.scalar(select(SchoolRow.id).where(SchoolRow.code == code))
        assert school_id is not None
        held = set(session.scalars(select(MarkRow.work_type).where(MarkRow.kind == MarkKind.WORK.value)))
        sections, _ = compliance_sections(
            session, school_id=school_id, platform="dnevnik", settings=ISUOD_WEEK, as_of=UNTIL, span=None
        )
    assert held  # the marks keep the platform's ids …
    assert all(w and w.isdigit() for w in held)
    rows = next(s for s in sections if s.key == "compliance.work_mark_late").rows
    found = Counter((r["student"], r["lesson_date"], r["mark_date"], r["work_type"]) for r in rows)
    assert found == expected  # … and the report names them
