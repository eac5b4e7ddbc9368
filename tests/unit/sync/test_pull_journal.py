"""Journal pulls against a fake platform: windows and look-back, a cursor that moves only with its committed
window, idempotent reruns, changes and retroactive final marks, and skips that say why."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from edugateway.connectors.base import DateRange, Remote, Skipped
from edugateway.domain.entities import Entity
from edugateway.domain.models import (
    Attendance,
    AttendanceCode,
    Lesson,
    Mark,
    MarkKind,
    ReportingPeriodKind,
    Subject,
)
from edugateway.errors import ConnectorError
from edugateway.store.cursors import CursorKey, advance_cursor, read_cursor
from edugateway.store.db import Database
from edugateway.store.id_links import IdLinks, Link
from edugateway.store.needs_mapping import NeedsMapping, SubjectToMap, TeacherToMap
from edugateway.store.sync_run_log import SyncRunLog
from edugateway.store.tables import (
    AttendanceRow,
    AuditRow,
    ClassRow,
    IdentityLinkRow,
    JournalChangeRow,
    LessonRow,
    MarkRow,
    PersonRow,
    RemoteRecordRow,
    ReportingPeriodRow,
    SchoolRow,
    SubjectRow,
)
from edugateway.sync import pull as pull_module
from edugateway.sync.linking import LinkOutcome, link_subjects
from edugateway.sync.pull import pull_journal

D = dt.date
R = TypeVar("R")
START, UNTIL = D(2026, 9, 1), D(2026, 10, 20)
WINDOWS = [DateRange(D(2026, 9, 1), D(2026, 9, 20)), DateRange(D(2026, 9, 21), D(2026, 10, 10))]
LAST_WINDOW = DateRange(D(2026, 10, 11), UNTIL)
Q1_END = D(2026, 10, 26)
ALL = ("lessons", "marks", "final_marks", "attendance")


def lesson(rid: str, day: dt.date, *, teacher: str = "rt1", subject: str = "rm1") -> Remote[Lesson]:
    record = Lesson(
        id=rid, date=day, number=2, class_id="rc1", subject_id=subject, teacher_id=teacher, topic=f"Тема {rid}"
    )
    return Remote(rid, record)


def mark(rid: str, person: str, lesson_id: str, value: str, day: dt.date, *, subject: str = "rm1") -> Remote[Mark]:
    return Remote(rid, Mark(id=rid, person_id=person, value=value, lesson_id=lesson_id, subject_id=subject, date=day))


def taught_by(platform: FakePlatform, teacher: str, *, only: int | None = None) -> None:
    """Every lesson of `platform` (or the one at index `only`) taught by `teacher` from now on."""
    for at, remote in enumerate(platform.lessons_):
        if only is None or at == only:
            platform.lessons_[at] = lesson(remote.remote_id, remote.record.date, teacher=teacher)


def final(value: str) -> Remote[Mark]:
    record = Mark(id="F1", person_id="rp1", value=value, kind=MarkKind.PERIOD_FINAL, subject_id="rm1", period_id="rq1")
    return Remote("F1", record)


@dataclass
class FakePlatform:
    """A platform's journal in memory, read by date like the real ones; remembers what it was asked."""

    lessons_: list[Remote[Lesson]] = field(
        default_factory=lambda: [
            lesson("L1", D(2026, 9, 2)),
            lesson("L2", D(2026, 9, 18)),
            lesson("L3", D(2026, 10, 5)),
        ]
    )
    marks_: list[Remote[Mark]] = field(
        default_factory=lambda: [
            mark("M1", "rp1", "L1", "5", D(2026, 9, 2)),
            mark("M2", "rp2", "L2", "4", D(2026, 9, 18)),
            mark("M3", "rp3", "L3", "3", D(2026, 10, 5)),  # rp3 is not linked
        ]
    )
    finals: list[Remote[Mark]] = field(default_factory=lambda: [final("5")])
    attendance_: list[Remote[Attendance]] = field(
        default_factory=lambda: [
            Remote("L3:rp2", Attendance(person_id="rp2", lesson_id="L3", code=AttendanceCode.ABSENT)),
        ]
    )
    skipped: list[Skipped] = field(default_factory=list)
    asked: list[tuple[str, DateRange]] = field(default_factory=list)
    fail_in: DateRange | None = None  # the platform fails half-way through this window

    def _lesson_day(self, lesson_id: str) -> dt.date:
        return next(r.record.date for r in self.lessons_ if r.remote_id == lesson_id)

    async def _dated(self, what: str, span: DateRange, rows: list[tuple[D, Remote[R]]]) -> AsyncIterator[Remote[R]]:
        self.asked.append((what, span))
        for day, row in rows:
            if span.start <= day <= span.end:
                yield row
                if span == self.fail_in:
                    raise ConnectorError("Дневник.ру answered 503", platform="dnevnik")

    def lessons(self, span: DateRange) -> AsyncIterator[Remote[Lesson]]:
        return self._dated("lessons", span, [(r.record.date, r) for r in self.lessons_])

    def marks(self, span: DateRange) -> AsyncIterator[Remote[Mark]]:
        return self._dated("marks", span, [(r.record.date or START, r) for r in self.marks_])

    def attendance(self, span: DateRange) -> AsyncIterator[Remote[Attendance]]:
        rows = [(self._lesson_day(r.record.lesson_id), r) for r in self.attendance_]
        return self._dated("attendance", span, rows)

    async def final_marks(self) -> AsyncIterator[Remote[Mark]]:
        for row in self.finals:
            yield row


@pytest.fixture
def school(database: Database) -> Database:
    """A school with two linked students, a linked teacher, class, subject and quarter; student rp3 is unlinked."""
    with database.session() as session:
        row = SchoolRow(code="s1", name="Школа № 1")
        session.add(row)
        session.flush()
        sid = row.id
        for key, last in (("p1", "Иванов"), ("p2", "Петрова"), ("p3", "Сидоров"), ("t1", "Учителева")):
            session.add(PersonRow(school_id=sid, source_id=key, roles="student", last_name=last, first_name="А"))
        session.add(ClassRow(school_id=sid, source_id="c1", name="5А", grade=5, academic_year=2026))
        session.add(SubjectRow(school_id=sid, source_id="m1", name="Математика"))
        session.add(
            ReportingPeriodRow(
                school_id=sid,
                source_id="q1",
                name="1 четверть",
                kind=ReportingPeriodKind.QUARTER.value,
                academic_year=2026,
                start_date=START,
                end_date=Q1_END,
            )
        )
        links = IdLinks(session, sid, "dnevnik", actor="test")
        for entity, local, remote in (
            ("persons", "p1", "rp1"),
            ("persons", "p2", "rp2"),
            ("persons", "t1", "rt1"),
            ("classes", "c1", "rc1"),
            ("subjects", "m1", "rm1"),
            ("periods", "q1", "rq1"),
        ):
            links.link(entity, Link(local, remote, "test"))
    return database


async def run(
    db: Database,
    platform: FakePlatform,
    *,
    until: dt.date = UNTIL,
    today: dt.date = UNTIL,
    entities: tuple[str, ...] = ALL,
    lookback_days: int = 14,
) -> SyncRunLog:
    run_log = SyncRunLog.start(db, "s1", "dnevnik", dict.fromkeys(entities, "pull"))
    await pull_journal(
        db,
        platform,
        run_log,
        entities=entities,
        until=until,
        start=START,
        window_days=20,
        lookback_days=lookback_days,
        today=today,
    )
    run_log.finish()
    return run_log


def count(db: Database, table: type) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def cursor(db: Database, entity: str) -> dt.date | None:
    with db.session() as session:
        school_id = session.scalar(select(SchoolRow.id))
        assert school_id is not None
        return read_cursor(session, CursorKey(school_id, "dnevnik", entity))


def sync_audit(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).where(AuditRow.actor == "sync:dnevnik")) or 0)


async def test_windows_cover_the_span_and_a_later_pull_looks_back(school: Database) -> None:
    platform = FakePlatform()
    await run(school, platform, entities=("lessons",))
    assert [span for what, span in platform.asked] == [*WINDOWS, LAST_WINDOW]
    assert cursor(school, "lessons") == UNTIL

    platform.asked.clear()
    await run(school, platform, until=D(2026, 10, 30), entities=("lessons",))
    assert [span for _, span in platform.asked] == [
        DateRange(D(2026, 10, 6), D(2026, 10, 25)),  # 14 days before the cursor
        DateRange(D(2026, 10, 26), D(2026, 10, 30)),
    ]
    assert cursor(school, "lessons") == D(2026, 10, 30)
    assert cursor(school, "marks") is None


async def test_a_pull_stores_the_journal_with_links_audit_and_counts(school: Database) -> None:
    run_log = await run(school, FakePlatform())

    assert run_log.of("lessons").created == 3
    assert run_log.of("marks").read == 3
    assert run_log.of("marks").created == 2
    assert run_log.of("final_marks").created == 1
    assert run_log.of("attendance").created == 1
    with school.session() as session:
        stored = {r.source_id: r for r in session.scalars(select(LessonRow))}
        assert set(stored) == {"dnevnik:L1", "dnevnik:L2", "dnevnik:L3"}
        assert stored["dnevnik:L1"].topic == "Тема L1"
        teacher = session.scalar(select(PersonRow.id).where(PersonRow.source_id == "t1"))
        assert stored["dnevnik:L1"].teacher_id == teacher
        marks = {m.source_id: m for m in session.scalars(select(MarkRow))}
        assert marks["dnevnik:M1"].lesson_id == stored["dnevnik:L1"].id
        assert marks["dnevnik:M1"].subject_id == stored["dnevnik:L1"].subject_id
        assert marks["dnevnik:F1"].kind == "period_final"
        absence = session.scalars(select(AttendanceRow)).one()
        assert (absence.lesson_id, absence.code) == (stored["dnevnik:L3"].id, "Н")
        pulled = session.scalars(select(IdentityLinkRow).where(IdentityLinkRow.method == "pulled")).all()
        assert {(link.entity, link.local_key) for link in pulled} >= {
            ("lessons", "dnevnik:L1"),
            ("marks", "dnevnik:M1"),
            ("final_marks", "dnevnik:F1"),
            ("attendance", "dnevnik:L3:rp2"),
        }
        creates = session.scalars(select(AuditRow).where(AuditRow.action == "create")).all()
        assert len(creates) == 3 + 2 + 1 + 1
        assert all(a.actor == "sync:dnevnik" and f"sync run {run_log.run_id}" in (a.reason or "") for a in creates)
    assert count(school, RemoteRecordRow) == 7


async def test_an_unlinked_teacher_is_kept_as_the_platforms_and_filled_in_once_linked(school: Database) -> None:
    platform = FakePlatform()
    taught_by(platform, "rt9")  # nobody local is linked to rt9
    run_log = await run(school, platform)

    with school.session() as session:
        stored = session.execute(select(LessonRow.teacher_id, LessonRow.teacher_ref)).all()
    assert [tuple(row) for row in stored] == [(None, "dnevnik:rt9")] * 3
    assert run_log.needs_mapping == NeedsMapping(teachers=[TeacherToMap("rt9", 3)])
    assert not [s for s in run_log.skips if s["entity"] == "lessons"]

    with school.session() as session:
        school_id = session.scalar(select(SchoolRow.id))
        assert school_id is not None
        session.add(PersonRow(school_id=school_id, source_id="t9", roles="teacher", last_name="Новая", first_name="Б"))
        IdLinks(session, school_id, "dnevnik", actor="test").link("persons", Link("t9", "rt9", "test"))
    # The lessons lie before the look-back: they are not read again, yet their teacher is filled in.
    again = await run(school, platform, entities=("lessons",), lookback_days=0)

    assert again.of("lessons").read == 0
    assert again.of("lessons").updated == 3
    with school.session() as session:
        teacher = session.scalar(select(PersonRow.id).where(PersonRow.source_id == "t9"))
        stored = session.execute(select(LessonRow.teacher_id, LessonRow.teacher_ref)).all()
        filled = session.scalars(select(AuditRow).where(AuditRow.action == "update", AuditRow.entity == "lesson")).all()
    assert [tuple(row) for row in stored] == [(teacher, "dnevnik:rt9")] * 3
    assert len(filled) == 3
    assert all(a.changes == {"teacher_id": [None, teacher]} for a in filled)
    assert again.needs_mapping == NeedsMapping()

    third = await run(school, platform, lookback_days=60)  # read again: the link was already filled in
    assert third.of("lessons").updated == 0
    assert count(school, JournalChangeRow) == 0


async def test_a_lesson_whose_unlinked_teacher_changes_is_updated(school: Database) -> None:
    platform = FakePlatform()
    taught_by(platform, "rt8", only=0)
    await run(school, platform)
    taught_by(platform, "rt9", only=0)

    again = await run(school, platform, lookback_days=60)

    assert again.of("lessons").updated == 1
    with school.session() as session:
        ref = session.scalar(select(LessonRow.teacher_ref).where(LessonRow.source_id == "dnevnik:L1"))
    assert ref == "dnevnik:rt9"
    assert again.needs_mapping == NeedsMapping(teachers=[TeacherToMap("rt9", 1)])


async def test_the_journal_of_a_subject_held_for_the_platform_is_stored_and_counted(school: Database) -> None:
    platform = FakePlatform()
    # L3, its mark and its absence are of a subject the school lacks.
    platform.lessons_[2] = lesson("L3", D(2026, 10, 5), subject="rm2")
    platform.marks_[2] = mark("M3", "rp1", "L3", "3", D(2026, 10, 5), subject="rm2")
    with school.session() as session:
        school_id = session.scalar(select(SchoolRow.id))
        assert school_id is not None
        ids = IdLinks(session, school_id, "dnevnik", actor="sync:dnevnik", entities=["subjects"])
        link_subjects(
            ids, [Subject(id="m1", name="Математика")], [("rm2", Subject(id="rm2", name="Химия"))], LinkOutcome()
        )

    run_log = await run(school, platform)

    assert run_log.skips == []
    with school.session() as session:
        held = session.scalar(select(SubjectRow.id).where(SubjectRow.source_id == "dnevnik:rm2"))
        lessoned = session.scalar(select(LessonRow.subject_id).where(LessonRow.source_id == "dnevnik:L3"))
        marked = session.scalar(select(MarkRow.subject_id).where(MarkRow.source_id == "dnevnik:M3"))
    assert held is not None
    assert (lessoned, marked) == (held, held)
    assert run_log.needs_mapping == NeedsMapping(subjects=[SubjectToMap("rm2", "Химия", 1, 1, 1)])


async def test_an_unlinked_person_is_skipped_with_the_reason(school: Database) -> None:
    run_log = await run(school, FakePlatform())
    assert run_log.of("marks").skipped == 1
    [skip] = [s for s in run_log.skips if s["entity"] == "marks"]
    assert skip["id"] == "M3"
    assert "person rp3" in skip["reason"]
    assert "not linked" in skip["reason"]
    with school.session() as session:
        assert session.scalar(select(MarkRow).where(MarkRow.source_id == "dnevnik:M3")) is None
        assert session.scalar(select(RemoteRecordRow).where(RemoteRecordRow.remote_id == "M3")) is None


async def test_records_the_connector_could_not_map_reach_the_run_log(school: Database) -> None:
    platform = FakePlatform(skipped=[Skipped(Entity.MARKS, "M9", "mark 'х' is not one of 1–5")])
    run_log = await run(school, platform)
    assert {"entity": "marks", "id": "M9", "reason": "mark 'х' is not one of 1–5"} in run_log.skips
    assert run_log.of("marks").skipped == 2  # M9, and M3 of the unlinked student


async def test_a_mark_of_a_lesson_never_pulled_is_skipped(school: Database) -> None:
    run_log = await run(school, FakePlatform(), entities=("marks",))
    assert run_log.of("marks").created == 0
    reasons = [s["reason"] for s in run_log.skips if s["id"] == "M1"]
    assert reasons
    assert "lesson L1" in reasons[0]
    assert "has not been pulled" in reasons[0]


async def test_a_second_pull_with_no_platform_change_writes_nothing(school: Database) -> None:
    platform = FakePlatform()
    await run(school, platform)
    audit, tracked, links = sync_audit(school), count(school, RemoteRecordRow), count(school, IdentityLinkRow)
    with school.session() as session:
        changed_at = sorted(session.scalars(select(RemoteRecordRow.changed_at)))

    again = await run(school, platform, lookback_days=60)  # reads the whole span again

    assert (sync_audit(school), count(school, RemoteRecordRow), count(school, IdentityLinkRow)) == (
        audit,
        tracked,
        links,
    )
    assert count(school, JournalChangeRow) == 0
    for entity, unchanged in (("lessons", 3), ("marks", 2), ("final_marks", 1), ("attendance", 1)):
        counts = again.of(entity)
        assert (counts.created, counts.updated, counts.unchanged) == (0, 0, unchanged), entity
    with school.session() as session:
        assert sorted(session.scalars(select(RemoteRecordRow.changed_at))) == changed_at


async def test_a_changed_mark_is_updated_and_its_change_recorded(school: Database) -> None:
    platform = FakePlatform()
    await run(school, platform)
    platform.marks_[0] = mark("M1", "rp1", "L1", "4", D(2026, 9, 2))

    run_log = await run(school, platform, lookback_days=60)

    assert run_log.of("marks").updated == 1
    assert run_log.of("marks").unchanged == 1
    with school.session() as session:
        assert session.scalar(select(MarkRow.value).where(MarkRow.source_id == "dnevnik:M1")) == "4"
        change = session.scalars(select(JournalChangeRow)).one()
        assert (change.entity, change.remote_id, change.local_key) == ("marks", "M1", "dnevnik:M1")
        assert change.changes == {"value": ["5", "4"]}
        assert change.retroactive is False
        assert change.run_id == run_log.run_id
        update = session.scalars(select(AuditRow).where(AuditRow.action == "update")).one()
        assert (update.entity, update.entity_id, update.changes) == ("mark", "dnevnik:M1", {"value": ["5", "4"]})


@pytest.mark.parametrize(("seen_on", "retroactive"), [(D(2026, 11, 2), True), (D(2026, 10, 24), False)])
async def test_a_final_mark_changed_after_its_period_ended_is_retroactive(
    school: Database, seen_on: dt.date, retroactive: bool
) -> None:
    platform = FakePlatform()
    await run(school, platform, entities=("final_marks",))
    platform.finals = [final("4")]

    run_log = await run(school, platform, entities=("final_marks",), today=seen_on)

    assert run_log.of("final_marks").updated == 1
    with school.session() as session:
        change = session.scalars(select(JournalChangeRow)).one()
        assert change.changes == {"value": ["5", "4"]}
        assert change.retroactive is retroactive
        assert change.period_end == Q1_END


async def test_a_platform_failure_mid_window_keeps_the_cursor_and_the_rerun_stores_it_once(school: Database) -> None:
    platform = FakePlatform(fail_in=WINDOWS[1])
    with pytest.raises(ConnectorError):
        await run(school, platform, entities=("lessons",))
    assert cursor(school, "lessons") == WINDOWS[0].end
    with school.session() as session:
        assert set(session.scalars(select(LessonRow.source_id))) == {"dnevnik:L1", "dnevnik:L2"}

    platform.fail_in = None
    run_log = await run(school, platform, entities=("lessons",))
    assert run_log.of("lessons").created == 1
    assert cursor(school, "lessons") == UNTIL
    with school.session() as session:
        assert sorted(session.scalars(select(LessonRow.source_id))) == ["dnevnik:L1", "dnevnik:L2", "dnevnik:L3"]
        created = select(func.count()).where(AuditRow.entity == "lesson", AuditRow.entity_id == "dnevnik:L3")
        assert session.scalar(created) == 1


async def test_a_failure_while_storing_a_window_rolls_back_its_records_and_its_cursor(
    school: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_on_the_middle_window(session: Session, key: CursorKey, to: dt.date) -> dt.date:
        if to == WINDOWS[1].end:
            raise RuntimeError("the disk is full")
        return advance_cursor(session, key, to)

    monkeypatch.setattr(pull_module, "advance_cursor", failing_on_the_middle_window)
    with pytest.raises(RuntimeError, match="disk is full"):
        await run(school, FakePlatform(), entities=("lessons",))
    assert cursor(school, "lessons") == WINDOWS[0].end
    with school.session() as session:
        assert session.scalar(select(LessonRow).where(LessonRow.source_id == "dnevnik:L3")) is None
        assert session.scalar(select(RemoteRecordRow).where(RemoteRecordRow.remote_id == "L3")) is None
        assert session.scalar(select(IdentityLinkRow).where(IdentityLinkRow.remote_id == "L3")) is None

    monkeypatch.setattr(pull_module, "advance_cursor", advance_cursor)
    run_log = await run(school, FakePlatform(), entities=("lessons",))
    # The rerun looks back 14 days from the cursor (6 September): L2 again, unchanged; L3 for the first time.
    assert (run_log.of("lessons").read, run_log.of("lessons").created, run_log.of("lessons").unchanged) == (2, 1, 1)
    assert count(school, LessonRow) == 3
