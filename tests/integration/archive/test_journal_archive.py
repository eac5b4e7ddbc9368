"""Issue 16, the archive: the journal of the year itself is archived beside the summary sheets, under the same
manifest, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from edugateway.archive import verify_archive, write_archive
from edugateway.archive.manifest import MANIFEST, Manifest
from edugateway.config.settings import Settings
from edugateway.store.db import Database
from edugateway.store.tables import AttendanceRow, ClassRow, LessonRow, MarkRow, PersonRow, SchoolRow, SubjectRow
from support.archive_school import CODE, add_archive_school
from support.xlsx_cells import cells_starting_with, formula_cells

JUNE = dt.datetime(2027, 6, 25, 10, 0, tzinfo=dt.UTC)
GROUP_TOPIC = "=cmd|' /C calc'!A0"  # a topic the platform let through: text in the archive, never a formula


@pytest.fixture
def journal_db(database: Database) -> Database:
    """The archive school with one lesson of 5А kept in full (topic, homework, teacher, marks, attendance), and
    a lesson of its English group."""
    add_archive_school(database)
    with database.session() as session:
        school_id = session.scalar(select(SchoolRow.id).where(SchoolRow.code == CODE))
        persons = dict(session.execute(select(PersonRow.source_id, PersonRow.id)).tuples().all())
        group = session.scalar(select(ClassRow.id).where(ClassRow.source_id == "c5a-eng"))
        english = session.scalar(select(SubjectRow.id).where(SubjectRow.source_id == "eng"))
        assert school_id is not None
        assert group is not None
        assert english is not None
        session.execute(
            update(LessonRow)
            .where(LessonRow.source_id == "l0")
            .values(topic="Натуральные числа", homework="№ 12, 15", teacher_id=persons["t1"])
        )
        lesson = session.scalar(select(LessonRow.id).where(LessonRow.source_id == "l0"))
        assert lesson is not None
        group_lesson = LessonRow(
            school_id=school_id,
            source_id="l-eng",
            date=dt.date(2026, 9, 3),
            number=2,
            class_id=group,
            subject_id=english,
            topic=GROUP_TOPIC,
        )
        session.add(group_lesson)
        for n, (who, value) in enumerate((("abramova", "5"), ("ezhov", "4-"))):
            session.add(
                MarkRow(
                    school_id=school_id,
                    source_id=f"m{n}",
                    person_id=persons[who],
                    value=value,
                    kind="lesson",
                    lesson_id=lesson,
                    date=dt.date(2026, 9, 2),
                )
            )
        session.add(AttendanceRow(school_id=school_id, person_id=persons["elkin"], lesson_id=lesson, code="Н"))
        session.add(
            AttendanceRow(school_id=school_id, person_id=persons["ezhov"], lesson_id=lesson, code="ОП", minutes_late=7)
        )
    return database


def _sheet(path: Path, title: str) -> list[tuple[Any, ...]]:
    """The data rows of one sheet of a class journal: after its title row and its header row."""
    return [tuple(row) for row in load_workbook(path)[title].iter_rows(min_row=3, values_only=True)]


def test_the_journal_of_the_year_is_archived_beside_the_summary_sheets(journal_db: Database, tmp_path: Path) -> None:
    """000 §3.1.16: «проводит резервное копирование электронного классного журнала в конце учебного года (не
    позднее 30 июня) на 2 электронных носителя»; 004 §5.4: «Срок хранения классных журналов, журналов посещения
    занятий обучающимися 5 лет» — the journal itself (lessons and topics, marks, finals, attendance) is archived,
    not only the summary sheet, and the manifest lists and hashes every file of it."""
    summary = write_archive(Settings(data_dir=tmp_path / "var"), journal_db, CODE, now=JUNE)
    folder = Path(summary["path"])
    (journal_5a,) = folder.glob("journal-2026-2027-5A-*.xlsx")
    (journal_10a,) = folder.glob("journal-2026-2027-10A-*.xlsx")
    manifest = Manifest.model_validate_json((folder / MANIFEST).read_text(encoding="utf-8"))
    assert {f.name for f in manifest.files} >= {journal_5a.name, journal_10a.name, "summary-sheet-2026-2027.xlsx"}
    assert verify_archive(folder, expected_manifest_sha256=summary["manifest_sha256"]).ok

    assert load_workbook(journal_5a).sheetnames == ["Уроки", "Отметки", "Итоговые", "Посещаемость"]
    lessons = _sheet(journal_5a, "Уроки")
    assert lessons[0][1:] == (1, "Математика", None, "Учителева А.", "Натуральные числа", "№ 12, 15")
    assert lessons[0][0].date() == dt.date(2026, 9, 2)  # a date cell, not text
    assert [row[1:4] for row in lessons] == [
        (1, "Математика", None),
        (2, "Русский язык", None),
        (2, "Английский язык", "5А Английский язык, группа 1"),  # the group's lesson is the class's journal too
    ]
    marks = _sheet(journal_5a, "Отметки")
    assert [row[3:7] for row in marks] == [("Абрамова В. П.", 5, None, 1), ("Ежов Г.", "4-", None, 1)]
    finals = _sheet(journal_5a, "Итоговые")
    abramova_math = [row[2:4] for row in finals if row[0] == "Абрамова В. П." and row[1] == "Математика"]
    # The quarter's 4 corrected to 5 (both as recorded, in order), then the year's final.
    assert abramova_math == [("1 четверть", 4), ("1 четверть", 5), ("2026/2027 учебный год", 5)]
    assert ("Борисова Д. О.", "Математика", "1 четверть", 5) in [row[:4] for row in finals]  # she left in December
    attendance = _sheet(journal_5a, "Посещаемость")
    # Within a lesson by the database's order of surnames (code points: «Ё» before «Е»), the same on both backends.
    assert [row[3:] for row in attendance] == [("Ёлкин А. И.", "Н", None), ("Ежов Г.", "ОП", 7)]
    assert summary["journal_rows"] == {"Уроки": 6, "Отметки": 2, "Итоговые": 13, "Посещаемость": 2}

    assert formula_cells(journal_5a) == []
    (topic,) = cells_starting_with(journal_5a, ("=",))
    assert (topic.value, topic.xml_type, topic.quote_prefix) == (GROUP_TOPIC, "inlineStr", True)
