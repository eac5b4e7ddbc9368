"""A platform subject the school does not have (issue 13): the Дневник.ру emulator teaches «Математика», the local
roster lacks it. The sync keeps its journal under a subject held for the platform and says it needs mapping; the
nightly report lists it; a bulk roster import leaves it alone and exports do not show it; once the school imports
its own «Математика», the next sync moves the journal to it, once."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from edugateway.config.settings import ReconcileSettings, Settings
from edugateway.domain.entities import RecordKind
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.reconciliation.service import ReconcileRequest, reconcile
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import ImportReport, apply_roster
from edugateway.store.snapshots import load_snapshot
from edugateway.store.sync_run_log import sync_run
from edugateway.store.tables import (
    AttendanceRow,
    AuditRow,
    IdentityLinkRow,
    JournalChangeRow,
    LessonRow,
    MarkRow,
    SubjectRow,
)
from edugateway.store.xlsx_roster import write_template
from edugateway.sync.engine import SyncRequest, run_sync
from edugateway.sync.run_summary import run_summary
from support.dnevnik_pull import gateway_settings

CODE = "sch125"
UNTIL = dt.date(2026, 10, 20)
MATH = "subj-math"  # taught in grades 1–9 and never split into subgroups: the roster holds up without it


@pytest.fixture(scope="module")
def journal() -> SchoolSnapshot:
    return generate_journal(generate_school(students=60, classes=4, seed=8, code=CODE).snapshot, until=UNTIL, seed=2)


def without_math(snapshot: SchoolSnapshot) -> SchoolSnapshot:
    return snapshot.model_copy(update={"subjects": [s for s in snapshot.subjects if s.id != MATH]})


def import_roster(db: Database, snapshot: SchoolSnapshot, directory: Path) -> ImportReport:
    write_oneroster(snapshot, directory)
    report = apply_roster(db, read_oneroster(directory), CODE)
    assert report.complete, report.rejected
    return report


@pytest.fixture
def world(journal: SchoolSnapshot) -> dnevnik.DnevnikWorld:
    return dnevnik.world_from_snapshot(journal)


@pytest.fixture
def settings(world: dnevnik.DnevnikWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Settings]:
    emulator = dnevnik.create_app(world)
    monkeypatch.setenv("HELD_DNEVNIK_TOKEN", emulator.admin_token)
    with BackgroundServer(emulator.app) as server:
        yield gateway_settings(
            server.base_url, CODE, "HELD_DNEVNIK_TOKEN", reconcile=ReconcileSettings(reports_dir=tmp_path / "reports")
        )


@pytest.fixture
def db(database: Database, journal: SchoolSnapshot, tmp_path: Path) -> Database:
    import_roster(database, without_math(journal), tmp_path / "roster-without-math")
    return database


def math_id() -> str:
    return str(platform_id("subject", CODE, MATH))


def expected_under_math(world: dnevnik.DnevnikWorld) -> tuple[int, int, int]:
    """(lessons, marks, absences) the platform files under «Математика»."""
    rid = int(math_id())
    lessons = {lid for lid, lesson in world.lessons.items() if int(lesson["subject"]) == rid}
    marks = sum(1 for m in world.marks.values() if int(world.works[int(m["work"])]["subjectId"]) == rid)
    absences = sum(1 for (lid, _), e in world.log_entries.items() if lid in lessons and e["status"] != "Attend")
    return len(lessons), marks, absences


def count(db: Database, table: type, *where: object) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def subject_row(db: Database, source_id: str) -> SubjectRow:
    with db.session() as session:
        row = session.scalar(select(SubjectRow).where(SubjectRow.source_id == source_id))
        assert row is not None, source_id
        return row


async def test_a_subject_the_school_lacks_is_held_and_its_journal_stored(
    db: Database, settings: Settings, world: dnevnik.DnevnikWorld, tmp_path: Path
) -> None:
    run = await run_sync(db, settings, SyncRequest(CODE, "dnevnik", until=UNTIL))

    assert run.status == "done"
    held = subject_row(db, f"dnevnik:{math_id()}")
    assert (held.name, held.held_for, held.active) == ("Математика", "dnevnik", True)
    lessons, marks, absences = expected_under_math(world)
    assert min(lessons, marks, absences) > 0
    assert count(db, LessonRow, LessonRow.subject_id == held.id) == lessons
    assert count(db, MarkRow, MarkRow.subject_id == held.id) == marks
    with db.session() as session:
        stored_absences = session.scalar(
            select(func.count()).select_from(AttendanceRow).join(LessonRow).where(LessonRow.subject_id == held.id)
        )
    assert stored_absences == absences
    # Nothing read was dropped: the whole journal is stored.
    assert count(db, LessonRow) == len(world.lessons)
    assert count(db, MarkRow) == len(world.marks)
    record = sync_run(db, run.run_id)
    assert record is not None
    assert not [s for s in record.skipped or [] if "subject" in s["reason"]]
    assert record.needs_mapping == {
        "subjects": [
            {"remote_id": math_id(), "name": "Математика", "lessons": lessons, "marks": marks, "attendance": absences}
        ],
        "teachers": [],
    }
    (line,) = [line for line in run_summary(db, run.run_id) if "need" in line]
    assert f"«Математика» ({lessons} lessons, {marks} marks)" in line
    with db.session() as session:
        method = session.scalar(select(IdentityLinkRow.method).where(IdentityLinkRow.remote_id == math_id()))
    assert method == "held"

    # The held subject is the platform's, not the school's: no export shows it.
    snapshot = load_snapshot(db, CODE)
    assert "Математика" not in {s.name for s in snapshot.subjects}
    write_oneroster(snapshot, tmp_path / "export")
    assert not any("Математика" in f.read_text(encoding="utf-8") for f in (tmp_path / "export").iterdir())
    write_template(tmp_path / "export.xlsx", snapshot)
    book = load_workbook(tmp_path / "export.xlsx", read_only=True)
    assert not any(
        "Математика" in str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    )


async def test_the_nightly_report_lists_the_held_subject_in_every_format(db: Database, settings: Settings) -> None:
    await run_sync(db, settings, SyncRequest(CODE, "dnevnik", until=UNTIL))

    outcome = await reconcile(db, settings, ReconcileRequest(CODE, "dnevnik", as_of=UNTIL))

    section = outcome.report.section("subjects.needs_mapping")
    assert section is not None
    (row,) = section.rows
    assert (row["subject"], row["remote_id"]) == ("Математика", math_id())
    assert min(row["lessons"], row["marks"]) > 0
    # The school does not have the subject; the journal kept under it is the platform's, as the platform has it.
    only_remote = outcome.report.section("subjects.only_remote")
    assert only_remote is not None
    assert [r["subject"] for r in only_remote.rows] == ["Математика"]
    for key in ("lessons.only_remote", "lessons.different", "marks.only_remote", "attendance.only_remote"):
        found = outcome.report.section(key)
        assert found is not None
        assert not [r for r in found.rows if r.get("subject") == "Математика"], key
    data = json.loads(outcome.files["json"].read_text(encoding="utf-8"))
    (stored,) = [s for s in data["sections"] if s["key"] == "subjects.needs_mapping"]
    assert stored["rows"] == [row]
    html = outcome.files["html"].read_text(encoding="utf-8")
    assert "Предметы платформы без пары в школе" in html
    assert "Математика" in html
    book = load_workbook(outcome.files["xlsx"], read_only=True)
    (sheet,) = [ws for ws in book.worksheets if ws.title.startswith("Предметы платформы без пары")]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("Математика", math_id())


async def test_importing_the_subject_moves_the_journal_to_it_once(
    db: Database, settings: Settings, journal: SchoolSnapshot, world: dnevnik.DnevnikWorld, tmp_path: Path
) -> None:
    await run_sync(db, settings, SyncRequest(CODE, "dnevnik", until=UNTIL))
    held = subject_row(db, f"dnevnik:{math_id()}")
    lessons, marks, _ = expected_under_math(world)

    # A bulk import of the school's subjects, «Математика» now among them, leaves the held subject alone.
    imported = import_roster(db, journal, tmp_path / "roster-with-math")
    assert imported.mode == "bulk"
    assert imported.counts[RecordKind.SUBJECT].as_dict()["deactivated"] == 0
    assert subject_row(db, held.source_id).active
    assert count(db, LessonRow, LessonRow.subject_id == held.id) == lessons

    run = await run_sync(db, settings, SyncRequest(CODE, "dnevnik", until=UNTIL))

    assert run.status == "done"
    math = subject_row(db, MATH)
    assert not subject_row(db, held.source_id).active
    assert count(db, LessonRow, LessonRow.subject_id == math.id) == lessons
    assert count(db, MarkRow, MarkRow.subject_id == math.id) == marks
    assert count(db, LessonRow, LessonRow.subject_id == held.id) == 0
    assert count(db, LessonRow) == len(world.lessons)  # moved, not pulled again beside
    assert count(db, MarkRow) == len(world.marks)
    assert count(db, JournalChangeRow) == 0  # a move is no change on the platform
    with db.session() as session:
        active = session.execute(
            select(IdentityLinkRow.local_key, IdentityLinkRow.method).where(
                IdentityLinkRow.remote_id == math_id(), IdentityLinkRow.unlinked_at.is_(None)
            )
        ).all()
    assert [tuple(a) for a in active] == [(MATH, "name")]
    record = sync_run(db, run.run_id)
    assert record is not None
    assert record.needs_mapping == {"subjects": [], "teachers": []}
    assert count(db, AuditRow, AuditRow.action == "retire", AuditRow.entity_id == held.source_id) == 1

    audit = count(db, AuditRow)
    again = await run_sync(db, settings, SyncRequest(CODE, "dnevnik", until=UNTIL))
    assert again.status == "done"
    assert count(db, AuditRow) == audit
