"""`apply_journal`: the school's own journal into the local database, on SQLite and PostgreSQL.

Seed 004 §1.7: «Электронный журнал является частью автоматизированной информационной системы «Аверс»» — the
journal of record is the school's own; the gateway takes it in, idempotently, without touching what it pulled
from a platform, and with the roster's hold on a bulk file that would wipe much of it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from edugateway.errors import DataSafetyError
from edugateway.store.db import Database
from edugateway.store.journal_apply import JournalReport, apply_journal
from edugateway.store.journal_csv import read_journal_csv
from edugateway.store.journal_set import LOCAL_ORIGIN, JournalKind, lesson_key
from edugateway.store.roster import Mode
from edugateway.store.tables import (
    AttendanceRow,
    AuditRow,
    ClassRow,
    ImportRunRow,
    LessonRow,
    MarkRow,
    SchoolRow,
    SubjectRow,
)
from support.journal_school import CODE, add_roster, write_csv

LESSONS = ["id", "class", "subject", "date", "number", "teacher", "topic", "homework"]
MARKS = ["id", "person", "lesson", "class", "subject", "lesson_date", "number", "value", "kind", "work_type"]
FINALS = ["id", "person", "subject", "period", "value"]
ATTENDANCE = ["lesson", "class", "subject", "lesson_date", "number", "person", "code", "minutes_late"]
DAYS = [dt.date(2026, 10, d) for d in (5, 6, 7, 8, 9)]


def _lessons(days: list[dt.date], cls: str = "cls-5A") -> list[list[str]]:
    return [[f"L-{cls}-{d.day}", cls, "subj-math", d.isoformat(), "1", "t1", f"Тема {d.day}", ""] for d in days]


def _journal(folder: Path, **files: list[list[str]]) -> Path:
    headers = {"lessons": LESSONS, "marks": MARKS, "finals": FINALS, "attendance": ATTENDANCE}
    for name, rows in files.items():
        write_csv(folder / f"{name}.csv", [headers[name], *rows])
    return folder


def _count(db: Database, table: type, **where: object) -> int:
    with db.session() as s:
        query = select(func.count()).select_from(table)
        for key, value in where.items():
            query = query.where(getattr(table, key) == value)
        return s.scalar(query) or 0


def _changes(report: JournalReport) -> dict[str, tuple[int, int, int]]:
    return {k.value: (c.created, c.updated, c.deleted) for k, c in report.counts.items()}


@pytest.fixture
def school(database: Database, tmp_path: Path) -> Database:
    add_roster(database, tmp_path)
    return database


def _full(folder: Path) -> Path:
    return _journal(
        folder,
        lessons=[*_lessons(DAYS[:2]), ["", "cls-5A-eng-1", "subj-eng", DAYS[0].isoformat(), "3", "", "Unit 1", "p. 4"]],
        marks=[
            ["m-1", "s1", "L-cls-5A-5", "", "", "", "", "5", "", ""],
            ["", "s2", "", "cls-5A", "subj-math", DAYS[1].isoformat(), "1", "4", "работа", "контрольная"],
            ["m-3", "s1", "", "cls-5A-eng-1", "", DAYS[0].isoformat(), "", "3", "", ""],  # the subgroup's subject
        ],
        finals=[["", "s1", "subj-math", "rp-q1", "5"], ["", "s2", "subj-math", "год", "Н/А"]],
        attendance=[
            ["L-cls-5A-6", "", "", "", "", "s2", "Б", ""],
            ["", "cls-5A", "subj-math", DAYS[0].isoformat(), "1", "s1", "ОП", "7"],
        ],
    )


def test_a_journal_lands_as_local_rows_and_an_identical_reimport_changes_nothing(
    school: Database, tmp_path: Path
) -> None:
    folder = _full(tmp_path / "j")
    first = apply_journal(school, read_journal_csv(folder), CODE)
    assert first.rejected == [], first.rejected
    assert _changes(first) == {"lesson": (3, 0, 0), "mark": (3, 0, 0), "final": (2, 0, 0), "attendance": (2, 0, 0)}
    assert _count(school, LessonRow, origin=LOCAL_ORIGIN) == 3
    assert _count(school, MarkRow, origin=LOCAL_ORIGIN) == 5
    assert _count(school, AttendanceRow, origin=LOCAL_ORIGIN) == 2
    with school.session() as s:
        audit = s.scalars(select(AuditRow).where(AuditRow.run_id == first.run_id)).all()
        assert len(audit) == 10
        assert {a.actor for a in audit} == {"import:journal-csv"}
        eng = s.scalar(
            select(LessonRow).where(LessonRow.source_id == lesson_key("cls-5A-eng-1", "subj-eng", DAYS[0], 3))
        )
        assert eng is not None
        assert (eng.topic, eng.homework) == ("Unit 1", "p. 4")
        on_eng = s.scalar(select(MarkRow).where(MarkRow.source_id == "m-3"))
        assert on_eng is not None
        assert on_eng.lesson_id == eng.id
        year = s.scalar(select(MarkRow).where(MarkRow.source_id == "final|s2|subj-math|rp-y"))
        assert year is not None
        assert (year.kind, year.value) == ("year_final", "Н/А")
    audit_before = _count(school, AuditRow)

    again = apply_journal(school, read_journal_csv(folder), CODE)
    assert all(c.created == c.updated == c.deleted == 0 for c in again.counts.values()), _changes(again)
    assert again.counts[JournalKind.MARK].unchanged == 3
    assert _count(school, AuditRow) == audit_before
    with school.session() as s:
        assert [r.status for r in s.scalars(select(ImportRunRow).where(ImportRunRow.source == "journal-csv"))] == [
            "done",
            "done",
        ]


def test_bad_rows_are_rejected_naming_the_id_while_the_good_rows_land(school: Database, tmp_path: Path) -> None:
    folder = _journal(
        tmp_path / "j",
        lessons=[*_lessons(DAYS[:1]), ["L-x", "cls-9Z", "subj-math", DAYS[0].isoformat(), "2", "", "", ""]],
        marks=[
            ["m-1", "s1", "L-cls-5A-5", "", "", "", "", "5", "", ""],
            ["m-2", "nobody", "L-cls-5A-5", "", "", "", "", "5", "", ""],
            ["m-3", "s1", "", "cls-5A", "subj-math", DAYS[3].isoformat(), "", "5", "", ""],
        ],
        finals=[["", "s1", "subj-math", "rp-q9", "5"]],
    )
    report = apply_journal(school, read_journal_csv(folder), CODE)
    reasons = {(p.file, p.line): p.reason for p in report.rejected}
    assert "class 'cls-9Z' is unknown" in reasons[("lessons.csv", 3)]
    assert "person 'nobody' is unknown" in reasons[("marks.csv", 3)]
    assert "no lesson of class 'cls-5A', subject 'subj-math' on 2026-10-08" in reasons[("marks.csv", 4)]
    assert "period 'rp-q9' is unknown" in reasons[("finals.csv", 2)]
    assert _changes(report)["lesson"] == (1, 0, 0)
    assert _changes(report)["mark"] == (1, 0, 0)
    assert report.counts[JournalKind.MARK].rejected == 2


def test_a_locator_finds_a_lesson_stored_by_an_earlier_import(school: Database, tmp_path: Path) -> None:
    apply_journal(school, read_journal_csv(_journal(tmp_path / "a", lessons=_lessons(DAYS[:1]))), CODE)
    later = _journal(
        tmp_path / "b", marks=[["m-9", "s2", "", "cls-5A", "subj-math", DAYS[0].isoformat(), "1", "2", "", ""]]
    )
    report = apply_journal(school, read_journal_csv(later), CODE)
    assert report.rejected == []
    assert _changes(report)["mark"] == (1, 0, 0)
    with school.session() as s:
        mark = s.scalar(select(MarkRow).where(MarkRow.source_id == "m-9"))
        lesson = s.scalar(select(LessonRow).where(LessonRow.source_id == "L-cls-5A-5"))
        assert mark is not None
        assert lesson is not None
        assert mark.lesson_id == lesson.id


def test_delta_touches_only_its_rows(school: Database, tmp_path: Path) -> None:
    apply_journal(school, read_journal_csv(_full(tmp_path / "full")), CODE)
    delta = _journal(tmp_path / "d", marks=[["m-1", "s1", "L-cls-5A-5", "", "", "", "", "4", "", ""]])
    report = apply_journal(school, read_journal_csv(delta), CODE, mode=Mode.DELTA)
    assert _changes(report)["mark"] == (0, 1, 0)
    assert sum(c.deleted for c in report.counts.values()) == 0
    assert _count(school, MarkRow, origin=LOCAL_ORIGIN) == 5
    with school.session() as s:
        (audit,) = s.scalars(select(AuditRow).where(AuditRow.run_id == report.run_id)).all()
        assert (audit.action, audit.entity, audit.entity_id, audit.changes) == (
            "update",
            "mark",
            "m-1",
            {"value": ["5", "4"]},
        )


def _plant_platform_lesson(db: Database, day: dt.date) -> None:
    with db.session() as s:
        school_id = s.scalar(select(SchoolRow.id).where(SchoolRow.code == CODE))
        cls = s.scalar(select(ClassRow.id).where(ClassRow.source_id == "cls-5A"))
        subject = s.scalar(select(SubjectRow.id).where(SubjectRow.source_id == "subj-math"))
        assert school_id
        assert cls
        assert subject
        s.add(
            LessonRow(
                school_id=school_id, source_id="dnevnik:777", date=day, number=5, class_id=cls, subject_id=subject
            )
        )


def test_bulk_deletes_only_its_own_local_rows_within_the_span_the_file_covers(school: Database, tmp_path: Path) -> None:
    stored = _lessons(DAYS) + _lessons(DAYS[:2], "cls-5B")
    apply_journal(school, read_journal_csv(_journal(tmp_path / "a", lessons=stored)), CODE)
    _plant_platform_lesson(school, DAYS[1])
    # 5А on the 5th..7th without the 6th: only L-cls-5A-6 goes; the 8th and 9th (outside the span), 5Б (another
    # class) and the platform's lesson stay.
    week = [row for row in _lessons(DAYS[:3]) if row[0] != "L-cls-5A-6"]
    report = apply_journal(
        school, read_journal_csv(_journal(tmp_path / "b", lessons=week)), CODE, allow_mass_delete=True
    )
    assert _changes(report)["lesson"] == (0, 0, 1)
    with school.session() as s:
        left = set(s.scalars(select(LessonRow.source_id)))
    assert left == {r[0] for r in stored} - {"L-cls-5A-6"} | {"dnevnik:777"}


def test_a_bulk_file_that_would_delete_too_much_is_held_and_writes_nothing(school: Database, tmp_path: Path) -> None:
    apply_journal(school, read_journal_csv(_journal(tmp_path / "a", lessons=_lessons(DAYS))), CODE)
    audit_before = _count(school, AuditRow)
    ends_only = _journal(tmp_path / "b", lessons=[_lessons(DAYS)[0], _lessons(DAYS)[-1]])
    with pytest.raises(DataSafetyError, match=r"3 of the 5 lessons \(60%\).*--allow-mass-delete"):
        apply_journal(school, read_journal_csv(ends_only), CODE, mass_delete_share=0.5)
    assert _count(school, LessonRow) == 5
    assert _count(school, AuditRow) == audit_before
    with school.session() as s:
        assert s.scalars(select(ImportRunRow.status).order_by(ImportRunRow.id.desc())).first() == "refused"
    report = apply_journal(school, read_journal_csv(ends_only), CODE, mass_delete_share=0.5, allow_mass_delete=True)
    assert _changes(report)["lesson"] == (0, 0, 3)


def test_deleting_a_lesson_takes_its_local_marks_and_attendance_with_it(school: Database, tmp_path: Path) -> None:
    apply_journal(school, read_journal_csv(_full(tmp_path / "full")), CODE)
    gone = _journal(tmp_path / "d", lessons=[[*_lessons(DAYS[:1])[0]]])
    write_csv(gone / "lessons.csv", [[*LESSONS, "delete"], [*_lessons(DAYS[:1])[0], "да"]])
    report = apply_journal(school, read_journal_csv(gone), CODE, mode=Mode.DELTA)
    assert _changes(report)["lesson"] == (0, 0, 1)
    assert _changes(report)["mark"] == (0, 0, 1)  # m-1 was on it
    assert _changes(report)["attendance"] == (0, 0, 1)  # s1 late, by the locator of the 5th, lesson 1
    assert _count(school, AuditRow, run_id=report.run_id, action="delete") == 3


def test_a_dry_run_writes_nothing(school: Database, tmp_path: Path) -> None:
    audit_before = _count(school, AuditRow)
    report = apply_journal(school, read_journal_csv(_full(tmp_path / "j")), CODE, dry_run=True)
    assert report.run_id is None
    assert _changes(report)["lesson"] == (3, 0, 0)
    assert _count(school, LessonRow) == 0
    assert _count(school, MarkRow) == 0
    assert _count(school, AuditRow) == audit_before
    assert _count(school, ImportRunRow, source="journal-csv") == 0


def test_a_row_naming_a_platform_lesson_is_rejected_and_the_platform_row_is_untouched(
    school: Database, tmp_path: Path
) -> None:
    _plant_platform_lesson(school, DAYS[0])
    folder = _journal(
        tmp_path / "j",
        lessons=[["dnevnik:777", "cls-5A", "subj-math", DAYS[0].isoformat(), "5", "", "Моя тема", ""]],
        marks=[["m-1", "s1", "dnevnik:777", "", "", "", "", "5", "", ""]],
    )
    report = apply_journal(school, read_journal_csv(folder), CODE)
    assert [p.line for p in report.rejected] == [2, 2]
    assert "pulled from a platform" in report.rejected[0].reason
    assert "pulled from a platform" in report.rejected[1].reason
    with school.session() as s:
        platform = s.scalar(select(LessonRow).where(LessonRow.source_id == "dnevnik:777"))
        assert platform is not None
        assert (platform.topic, platform.origin) == (None, None)
