"""Done-when of issue 7: a generated school and its platform worlds with planted drift, synced with the Дневник.ру
emulator, verified against ЕСИА and reconciled over real sockets. Every planted difference is in the report, in
its section, and nothing else is in any section.

Three kinds of drift are planted: the roster drift of the world generator (persons missing, extra, misspelt,
with other birth dates), the journal drift (compliance), and, after the pull, changes a teacher makes on the
platform (a mark's value, a mark deleted and one added, a lesson's topic, attendance entries) that the local
copy has not seen yet."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_compliance_world import KINDS_TO_SECTIONS  # the same directory: the rule each journal drift breaks

from edugateway.emulators import dnevnik
from edugateway.emulators.drift import DriftKind, PlantedDrift
from edugateway.emulators.loopback import emulated_platforms
from edugateway.emulators.synthetic import generate_school
from edugateway.emulators.worldgen import build_world, read_planted
from edugateway.identity.verify import Verifier
from edugateway.reconciliation.report import Report
from edugateway.reconciliation.sections import FIELD_TITLES
from edugateway.reconciliation.service import ReconcileRequest, reconcile
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.snapshots import load_snapshot
from edugateway.sync.engine import DEFAULT_ENTITIES, SyncRequest, run_sync
from support.dnevnik_entry_times import late_entries

CODE = "sch70"
UNTIL = dt.date(2026, 11, 20)
NAME_OR_DATE = {
    DriftKind.NAME_YO,
    DriftKind.NAME_TYPO,
    DriftKind.NAME_LATIN,
    DriftKind.BIRTH_DATE_SWAPPED,
    DriftKind.BIRTH_DATE_CHANGED,
}


@dataclass
class TeacherChanges:
    """What was changed on the platform after the pull, by the platform's ids."""

    mark_value: str
    mark_deleted: str
    mark_added: str
    topic: str
    attendance_deleted: tuple[str, str]  # (lesson, person)
    attendance_changed: tuple[str, str]


def _change_on_the_platform(world_dir: Path) -> TeacherChanges:
    world = dnevnik.load_world(world_dir)
    lesson_marks = sorted(mid for mid, m in world.marks.items() if m.get("lesson"))
    changed, deleted, template = lesson_marks[10], lesson_marks[20], lesson_marks[30]
    world.marks[changed]["value"] = "2" if world.marks[changed]["value"] != "2" else "5"
    world.remove_mark(deleted)
    added = world.new_id("mark")
    world.add_mark({**world.marks[template], "id": added, "id_str": str(added), "value": "3"})
    lesson = sorted(world.lessons)[40]
    world.lessons[lesson]["title"] = "Повторение пройденного"
    entries = sorted(world.log_entries)
    gone, other = entries[5], entries[15]
    world.delete_log_entry(*gone)
    entry = world.log_entries[other]
    entry["status"] = "Absent" if entry["status"] != "Absent" else "Ill"
    world.save(world_dir)
    return TeacherChanges(
        str(changed),
        str(deleted),
        str(added),
        str(lesson),
        (str(gone[0]), str(gone[1])),
        (str(other[0]), str(other[1])),
    )


@dataclass
class Outcome:
    report: Report
    planted: list[PlantedDrift]
    changes: TeacherChanges
    remote_person: dict[str, str]  # the world's local person id -> the platform's id
    open_cases: int
    late_entries: dict[str, Counter[tuple[str, ...]]]  # the emulator's late homework and attendance, as pulled


@pytest.fixture
def reconciled(database: Database, tmp_path: Path) -> Outcome:
    generated = generate_school(students=70, classes=4, seed=23, code=CODE)
    write_oneroster(generated.snapshot, tmp_path / "roster")
    apply_roster(database, read_oneroster(tmp_path / "roster"), CODE)
    world_dir = tmp_path / "world"
    build_world(load_snapshot(database, CODE), world_dir, profile="heavy", seed=23, until=UNTIL)
    with emulated_platforms(world_dir, CODE) as (settings, _stats):
        request = SyncRequest(CODE, "dnevnik", DEFAULT_ENTITIES, until=UNTIL)
        assert asyncio.run(run_sync(database, settings, request)).status == "done"
        verified = Verifier.from_settings(settings).verify_school(database, CODE, actor="test", force=True)
    pupils = {p.id for p in generated.snapshot.persons}
    late = late_entries(dnevnik.load_world(world_dir), persons=pupils)
    changes = _change_on_the_platform(world_dir)
    with emulated_platforms(world_dir, CODE) as (settings, _stats):
        # As an ИСУОД school, where written works are marked within a week (003 приказ §2.3.3).
        platform = settings.platforms["dnevnik"]
        works = platform.model_copy(
            update={"compliance": platform.compliance.model_copy(update={"work_mark_deadline_days": 7})}
        )
        settings = settings.model_copy(
            update={
                "data_dir": tmp_path,
                "reconcile": settings.reconcile.model_copy(update={"journal_days": 120}),
                "platforms": {**settings.platforms, "dnevnik": works},
            }
        )
        outcome = asyncio.run(reconcile(database, settings, ReconcileRequest(CODE, "dnevnik", as_of=UNTIL)))
    remote_person = {str(p["localId"]): str(p["id"]) for p in dnevnik.load_world(world_dir).persons.values()}
    open_cases = verified.cases.opened
    assert outcome.files
    assert all(path.is_file() for path in outcome.files.values())
    return Outcome(outcome.report, read_planted(world_dir), changes, remote_person, open_cases, late)


def _rows(report: Report, key: str) -> list[dict[str, object]]:
    section = report.section(key)
    assert section is not None, f"the report has no section {key}"
    return section.rows


def test_every_planted_difference_is_in_its_section_and_nothing_else(reconciled: Outcome) -> None:
    report, planted, changes = reconciled.report, reconciled.planted, reconciled.changes
    on_dnevnik = [d for d in planted if d.platform == "dnevnik"]
    missing = {d.person_id for d in on_dnevnik if d.kind is DriftKind.MISSING_ON_PLATFORM}
    checked: set[str] = set()

    def section(key: str) -> list[dict[str, object]]:
        checked.add(key)
        return _rows(report, key)

    # The roster: persons missing, extra, misspelt or with another birth date on Дневник.ру.
    assert missing
    assert {r["local_key"] for r in section("persons.only_local")} == missing
    extra = {reconciled.remote_person[d.person_id] for d in on_dnevnik if d.kind is DriftKind.EXTRA_ON_PLATFORM}
    assert {r["remote_id"] for r in section("persons.only_remote")} == extra
    expected_fields = Counter((d.person_id, FIELD_TITLES[d.field or ""]) for d in on_dnevnik if d.kind in NAME_OR_DATE)
    assert expected_fields
    assert Counter((r["local_key"], r["field"]) for r in section("persons.different")) == expected_fields

    # The teacher's changes on the platform since the pull.
    marks = section("marks.different")
    assert [(r["remote_id"], r["field"]) for r in marks] == [(changes.mark_value, "Отметка")]
    assert [r["remote_id"] for r in section("marks.only_local")] == [changes.mark_deleted]
    assert [r["remote_id"] for r in section("marks.only_remote")] == [changes.mark_added]
    assert [(r["remote_id"], r["platform_value"]) for r in section("lessons.different")] == [
        (changes.topic, "Повторение пройденного")
    ]
    assert len(section("attendance.only_local")) == 1
    assert [r["field"] for r in section("attendance.different")] == ["Отметка о посещении"]

    # ЕСИА: the open cases of the clerk's queue, all of them.
    identity = section("identity.open_cases")
    assert len(identity) == reconciled.open_cases > 0

    # The journal's compliance: each planted violation of a pupil Дневник.ру has, in its section.
    journal = Counter(
        KINDS_TO_SECTIONS[d.kind] for d in planted if d.kind in KINDS_TO_SECTIONS and d.person_id not in missing
    )
    assert set(journal) == set(KINDS_TO_SECTIONS.values())  # the heavy profile plants every kind
    for key in KINDS_TO_SECTIONS.values():
        assert len(section(key)) == journal[key], key
    for key, late in reconciled.late_entries.items():
        assert late, key
        assert len(section(key)) == late.total(), key

    # The per-teacher rollup counts those findings again, and nothing else is found anywhere.
    rollup = next(s for s in report.sections if s.rollup)
    late_total = sum(late.total() for late in reconciled.late_entries.values())
    assert sum(r["total"] for r in rollup.rows) == sum(journal.values()) + late_total
    assert {s.key: s.total for s in report.sections if s.key not in checked and s.total and not s.rollup} == {}
    assert {c.entity for c in report.counts} == {
        "persons",
        "classes",
        "subjects",
        "lessons",
        "marks",
        "final_marks",
        "attendance",
    }
