"""The school's own journal pushed to the Дневник.ру emulator through `edugateway sync` (issue 18): every mark,
absence and homework lands exactly once on the matched platform lesson, a second sync writes nothing, a changed
local mark is updated, a mark a teacher changed on the platform is a conflict (reported, not overwritten), the
dry run writes nothing, and a local lesson the platform's timetable lacks is reported, never invented."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydnevnikruapi.dnevnik.dnevnik import DiaryAPI
from sqlalchemy import func, select, update

from edugateway.domain.entities import Entity
from edugateway.domain.models import MarkKind
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.server import BackgroundServer
from edugateway.mapping.dnevnik import mark_value
from edugateway.store.db import Database
from edugateway.store.tables import AttendanceRow, IdentityLinkRow, LessonRow, MarkRow, PersonRow, SyncRunRow
from edugateway.sync.engine import SyncOutcome, SyncRequest, run_sync
from edugateway.sync.run_summary import run_summary
from support.local_journal import empty_journal_world, local_school, plant_local_journal, push_settings

UNTIL = dt.date(2026, 9, 25)
ENTITIES = (
    Entity.PERSONS,
    Entity.CLASSES,
    Entity.SUBJECTS,
    Entity.PERIODS,
    Entity.MARKS,
    Entity.ATTENDANCE,
    Entity.HOMEWORK,
)
TOKEN_ENV = "TEST_PUSH_DNEVNIK_TOKEN"


@pytest.fixture(scope="module")
def snapshot() -> SchoolSnapshot:
    return local_school(UNTIL)


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


async def sync(
    db: Database, snapshot: SchoolSnapshot, base_url: str, *, dry_run: bool = False, **platform: object
) -> SyncOutcome:
    settings = push_settings(base_url, snapshot.school.code, TOKEN_ENV, **platform)
    request = SyncRequest(snapshot.school.code, "dnevnik", ENTITIES, dry_run=dry_run, until=UNTIL)
    return await run_sync(db, settings, request)


def pid(snapshot: SchoolSnapshot, kind: str, local: str) -> int:
    return platform_id(kind, snapshot.school.code, local)


def platform_marks(world: dnevnik.DnevnikWorld) -> Counter[tuple[int, int, str]]:
    """(person, lesson, value) of every mark on a lesson's work, counted."""
    return Counter((int(m["person"]), int(m["lesson"]), str(m["value"])) for m in world.marks.values())


def wanted_marks(snapshot: SchoolSnapshot) -> Counter[tuple[int, int, str]]:
    code = {"Н/А": "НА"}
    return Counter(
        (pid(snapshot, "person", m.person_id), pid(snapshot, "lesson", m.lesson_id or ""), code.get(m.value, m.value))
        for m in snapshot.marks
        if m.kind in (MarkKind.LESSON, MarkKind.WORK)
    )


async def test_the_local_journal_lands_exactly_once_and_a_second_sync_writes_nothing(
    school: Database, snapshot: SchoolSnapshot, emulator: tuple[dnevnik.DnevnikEmulator, str]
) -> None:
    served, base_url = emulator
    world = served.world
    outcome = await sync(school, snapshot, base_url)
    assert outcome.status == "done", outcome.error

    assert platform_marks(world) == wanted_marks(snapshot)
    work_marks = [m for m in snapshot.marks if m.kind is MarkKind.WORK]
    control = {(int(w["lesson"]), int(w["workType"])) for w in world.works.values() if w["type"] == "CommonWork"}
    titles = {int(t["id"]): t["title"] for t in world.work_types.values()}
    assert {(pid(snapshot, "lesson", m.lesson_id or ""), m.work_type) for m in work_marks} == {
        (lesson, titles[t]) for lesson, t in control
    }
    entries = {(int(e["lesson"]), int(e["person"])): e["status"] for e in world.log_entries.values()}
    status = {"Н": "Absent", "У": "Pass", "Б": "Ill", "ОП": "Late"}
    assert entries == {
        (pid(snapshot, "lesson", a.lesson_id), pid(snapshot, "person", a.person_id)): status[a.code.value]
        for a in snapshot.attendance
    }
    homework = Counter((int(w["lesson"]), w["text"]) for w in world.works.values() if w["type"] == "Homework")
    assert homework == Counter(
        (pid(snapshot, "lesson", les.id), les.homework) for les in snapshot.lessons if les.homework
    )
    assert outcome.counts["marks"].created == sum(wanted_marks(snapshot).values())

    before = (len(world.marks), len(world.works), len(world.log_entries))
    again = await sync(school, snapshot, base_url)
    assert again.status == "done"
    assert (len(world.marks), len(world.works), len(world.log_entries)) == before
    assert all(not again.plan.entity(e).push for e in (Entity.MARKS, Entity.ATTENDANCE, Entity.HOMEWORK))
    with school.session() as session:  # the pull left the school's lessons alone: none stored from the platform
        assert session.scalar(select(func.count()).select_from(LessonRow).where(LessonRow.origin.is_(None))) == 0
        links = session.scalar(
            select(func.count()).select_from(IdentityLinkRow).where(IdentityLinkRow.entity == "lessons")
        )
    assert links == len(snapshot.lessons)


def _a_lesson_mark(snapshot: SchoolSnapshot) -> tuple[str, int, int]:
    """A local lesson mark that is not 2: its key, and its pupil's and lesson's platform ids."""
    mark = next(m for m in snapshot.marks if m.kind is MarkKind.LESSON and m.value not in ("2", "Н/А"))
    return mark.id, pid(snapshot, "person", mark.person_id), pid(snapshot, "lesson", mark.lesson_id or "")


def _platform_mark(world: dnevnik.DnevnikWorld, person: int, lesson: int) -> dict[str, object]:
    (row,) = [m for m in world.marks.values() if int(m["person"]) == person and int(m["lesson"]) == lesson]
    return row


def _set_local_mark(db: Database, key: str, value: str) -> None:
    with db.session() as session:
        session.execute(update(MarkRow).where(MarkRow.source_id == key).values(value=value))


async def test_a_changed_local_mark_is_updated_in_place(
    school: Database, snapshot: SchoolSnapshot, emulator: tuple[dnevnik.DnevnikEmulator, str]
) -> None:
    served, base_url = emulator
    assert (await sync(school, snapshot, base_url)).status == "done"
    key, person, lesson = _a_lesson_mark(snapshot)
    mark_id = _platform_mark(served.world, person, lesson)["id"]
    count = len(served.world.marks)
    _set_local_mark(school, key, "2")
    lesson_key = next(les.id for les in snapshot.lessons if les.homework)
    with school.session() as session:
        session.execute(update(LessonRow).where(LessonRow.source_id == lesson_key).values(homework="§ 12, № 3–5"))

    outcome = await sync(school, snapshot, base_url)

    assert outcome.status == "done", outcome.error
    assert outcome.counts["marks"].updated == 1
    assert outcome.counts["homework"].updated == 1
    (homework,) = [
        w
        for w in served.world.works.values()
        if w["type"] == "Homework" and int(w["lesson"]) == pid(snapshot, "lesson", lesson_key)
    ]
    assert homework["text"] == "§ 12, № 3–5"
    now = _platform_mark(served.world, person, lesson)
    assert (now["id"], now["value"]) == (mark_id, "2")
    assert len(served.world.marks) == count


async def test_a_mark_a_teacher_changed_on_the_platform_is_a_conflict_reported_not_overwritten(
    school: Database, snapshot: SchoolSnapshot, emulator: tuple[dnevnik.DnevnikEmulator, str]
) -> None:
    served, base_url = emulator
    assert (await sync(school, snapshot, base_url)).status == "done"
    key, person, lesson = _a_lesson_mark(snapshot)
    _platform_mark(served.world, person, lesson)["value"] = "3"  # the teacher's correction on the platform
    _set_local_mark(school, key, "2")  # and the school's own change
    absence = next(a for a in snapshot.attendance if a.code.value == "Б")
    entry = served.world.log_entries[
        (pid(snapshot, "lesson", absence.lesson_id), pid(snapshot, "person", absence.person_id))
    ]
    entry["status"] = "Pass"  # the teacher: excused, not ill
    with school.session() as session:  # the school: absent without a reason
        session.execute(
            update(AttendanceRow)
            .where(
                AttendanceRow.lesson_id
                == select(LessonRow.id).where(LessonRow.source_id == absence.lesson_id).scalar_subquery()
            )
            .where(
                AttendanceRow.person_id
                == select(PersonRow.id).where(PersonRow.source_id == absence.person_id).scalar_subquery()
            )
            .values(code="Н")
        )

    outcome = await sync(school, snapshot, base_url)

    assert outcome.status == "partial"
    assert "2 conflicts with changes made on the platform" in (outcome.error or "")
    assert (_platform_mark(served.world, person, lesson)["value"], entry["status"]) == ("3", "Pass")
    assert run_summary(school, outcome.run_id)[0].startswith("2 journal records were changed on the platform")
    again = await sync(school, snapshot, base_url)  # still reported while nobody decided
    assert again.status == "partial"
    assert (_platform_mark(served.world, person, lesson)["value"], entry["status"]) == ("3", "Pass")

    decided = await sync(school, snapshot, base_url, journal_conflicts="overwrite")

    assert decided.status == "done", decided.error
    assert _platform_mark(served.world, person, lesson)["value"] == "2"
    assert entry["status"] == "Absent"


async def test_a_dry_run_plans_every_write_and_makes_none(
    school: Database, snapshot: SchoolSnapshot, emulator: tuple[dnevnik.DnevnikEmulator, str]
) -> None:
    served, base_url = emulator
    outcome = await sync(school, snapshot, base_url, dry_run=True)

    assert outcome.status == "done"
    creates = {
        e: [c for c in outcome.plan.entity(e).push or [] if c.op == "create"]
        for e in (Entity.MARKS, Entity.ATTENDANCE, Entity.HOMEWORK)
    }
    assert len(creates[Entity.MARKS]) == sum(wanted_marks(snapshot).values())
    assert len(creates[Entity.ATTENDANCE]) == len(snapshot.attendance)
    assert len(creates[Entity.HOMEWORK]) == sum(1 for les in snapshot.lessons if les.homework)
    assert (served.world.marks, served.world.works, served.world.log_entries) == ({}, {}, {})
    with school.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(IdentityLinkRow).where(IdentityLinkRow.entity == "lessons"))
            == 0
        )


async def test_a_local_lesson_the_platform_lacks_is_reported_and_nothing_of_it_is_sent(
    school: Database, snapshot: SchoolSnapshot, emulator: tuple[dnevnik.DnevnikEmulator, str]
) -> None:
    served, base_url = emulator
    lesson = next(
        les for les in snapshot.lessons if les.homework and any(m.lesson_id == les.id for m in snapshot.marks)
    )
    del served.world.lessons[pid(snapshot, "lesson", lesson.id)]  # not in the platform's timetable
    served.world.reindex()

    outcome = await sync(school, snapshot, base_url)

    assert outcome.status == "partial"
    assert "1 local lesson not on the platform" in (outcome.error or "")
    with school.session() as session:
        skipped = session.scalar(select(SyncRunRow.skipped).where(SyncRunRow.id == outcome.run_id)) or []
    reasons = [s for s in skipped if s["entity"] == "lessons"]
    assert len(reasons) == 1
    assert reasons[0]["id"] == lesson.id
    assert "make it in the platform's timetable" in reasons[0]["reason"]
    assert f"on {lesson.date.isoformat()} №{lesson.number} for " in reasons[0]["reason"]
    want = wanted_marks(snapshot)
    sent = platform_marks(served.world)
    assert sum(sent.values()) == sum(v for (_, les, _), v in want.items() if les != pid(snapshot, "lesson", lesson.id))


async def test_the_third_party_client_reads_the_pushed_marks_back_equal_to_the_local_ones(
    school: Database, snapshot: SchoolSnapshot, emulator: tuple[dnevnik.DnevnikEmulator, str]
) -> None:
    served, base_url = emulator
    assert (await sync(school, snapshot, base_url)).status == "done"

    api = DiaryAPI(token=served.admin_token)
    api.host = f"{base_url}/v2/"
    with api:
        read = [m for les in snapshot.lessons for m in api.get_marks_by_lesson(pid(snapshot, "lesson", les.id))]

    assert Counter((m["person"], m["lesson"], mark_value(m)) for m in read) == Counter(
        (pid(snapshot, "person", m.person_id), pid(snapshot, "lesson", m.lesson_id or ""), m.value)
        for m in snapshot.marks
        if m.kind in (MarkKind.LESSON, MarkKind.WORK)
    )


async def test_a_default_sync_pushes_the_journal_and_pulls_nothing_over_the_local_lessons(
    school: Database, snapshot: SchoolSnapshot, emulator: tuple[dnevnik.DnevnikEmulator, str]
) -> None:
    """Lessons are pulled by default; with the journal pushed they are only read to match, never stored."""
    served, base_url = emulator
    settings = push_settings(base_url, snapshot.school.code, TOKEN_ENV)
    outcome = await run_sync(school, settings, SyncRequest(snapshot.school.code, "dnevnik", until=UNTIL))

    assert outcome.status == "done", outcome.error
    assert Entity.LESSONS not in outcome.plan.directions
    assert outcome.plan.directions[Entity.HOMEWORK].value == "push"  # configured, so synced without asking
    assert sum(1 for w in served.world.works.values() if w["type"] == "Homework") == sum(
        1 for les in snapshot.lessons if les.homework
    )
    with school.session() as session:
        stored = {row.source_id: (row.topic, row.homework, row.origin) for row in session.scalars(select(LessonRow))}
    assert stored == {les.id: (les.topic, les.homework, "local") for les in snapshot.lessons}
