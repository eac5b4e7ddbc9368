"""The journal layout's readers (XLSX and CSV) into a ParsedJournal.

Seed 004 (gymnasium, АИС «Аверс»), §1.7 and §4.2.4: «Электронный журнал является частью автоматизированной
информационной системы «Аверс»»; the teacher «заполняет темы уроков…», «выставляет оценки (отметки) в графе того
дня (числа), когда проведен урок или письменная работа», «выставляет оценку или отметку («ОСВ» освобожден, «Н/А» не
аттестован) в рамках промежуточной и итоговой аттестации» and «записывает содержание домашнего задания». These
are the records a school keeping its journal in such a system hands the gateway.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from edugateway.domain.models import AttendanceCode, MarkKind
from edugateway.errors import ValidationError
from edugateway.store.journal_csv import read_journal_csv, separator
from edugateway.store.journal_layout import ATTENDANCE, FINALS, LESSONS, MARKS
from edugateway.store.journal_rows import YEAR_PERIOD
from edugateway.store.journal_set import JournalDeletion, JournalKind, LessonLocator, lesson_key
from edugateway.store.journal_xlsx import LISTS, read_journal_xlsx, write_journal_template
from edugateway.store.roster import Mode
from support.journal_school import journal_roster, write_csv

DAY = dt.date(2026, 10, 5)


def _fill(path: Path, rows: dict[str, list[list[object]]]) -> Path:
    wb = load_workbook(path)
    for sheet, values in rows.items():
        for row in values:
            wb[sheet].append(row)
    wb.save(path)
    return path


def test_the_template_reads_back_every_kind_with_locators_finals_and_deletions(tmp_path: Path) -> None:
    path = tmp_path / "journal.xlsx"
    write_journal_template(path)
    _fill(
        path,
        {
            # id, class, subject, date, number, teacher, topic, homework, delete
            LESSONS: [
                [None, "cls-5A", "subj-math", DAY, 2, "t1", "Дроби", "№ 12", None],
                ["L-7", "cls-5A", "subj-math", "06.10.2026", 1, None, None, None, None],
            ],
            # id, person, lesson, class, subject, lesson date, number, value, kind, work type, weight, date, delete
            MARKS: [
                [None, "s1", None, "cls-5A", "subj-math", DAY, 2, "5-", None, None, None, None, None],
                ["m-2", "s2", "L-7", None, None, None, None, 4.0, "работа", "контрольная", 3, None, None],
                ["m-3", "s2", "L-7", None, None, None, None, None, None, None, None, None, "да"],
            ],
            # id, person, subject, period, value, delete
            FINALS: [[None, "s1", "subj-math", "год", "осв", None], [None, "s2", "subj-math", "rp-q1", "н/а", None]],
            # lesson, class, subject, lesson date, number, person, code, minutes late, delete
            ATTENDANCE: [[None, "cls-5A", None, DAY, None, "s2", "ОП", 10, None]],
        },
    )
    journal = read_journal_xlsx(path)
    assert journal.rejected == []
    assert journal.source == "journal-xlsx"
    assert {k: journal.mode(k) for k in JournalKind} == dict.fromkeys(JournalKind, Mode.BULK)
    first, second = (inc.record for inc in journal.lessons)
    assert first.id == lesson_key("cls-5A", "subj-math", DAY, 2)
    assert (first.teacher_id, first.topic, first.homework) == ("t1", "Дроби", "№ 12")
    assert (second.id, second.date) == ("L-7", dt.date(2026, 10, 6))
    by_locator, work = (inc.record for inc in journal.marks)
    assert LessonLocator.parse(by_locator.lesson_id or "") == LessonLocator("cls-5A", "subj-math", DAY, 2)
    assert (by_locator.value, by_locator.date) == ("5-", DAY)
    assert (work.value, work.kind, work.work_type, work.weight) == ("4", MarkKind.WORK, "контрольная", 3)
    assert journal.deletions == [JournalDeletion(JournalKind.MARK, "m-3", f"{path.name}:{MARKS}", 4)]
    year, quarter = (inc.record for inc in journal.finals)
    assert (year.kind, year.period_id, year.value) == (MarkKind.YEAR_FINAL, YEAR_PERIOD, "ОСВ")
    assert (quarter.kind, quarter.period_id, quarter.value) == (MarkKind.PERIOD_FINAL, "rp-q1", "Н/А")
    (late,) = (inc.record for inc in journal.attendance)
    assert (late.code, late.minutes_late) == (AttendanceCode.LATE, 10)
    assert LessonLocator.parse(late.lesson_id) == LessonLocator("cls-5A", None, DAY)


def test_bad_rows_are_rejected_with_sheet_row_and_what_to_fix_and_the_good_ones_read(tmp_path: Path) -> None:
    path = tmp_path / "journal.xlsx"
    write_journal_template(path)
    _fill(
        path,
        {
            LESSONS: [
                [None, "cls-5A", "subj-math", "35.10.2026", 1, None, None, None, None],
                [None, "cls-5A", "subj-math", DAY, 1, None, "@SUM(1)", None, None],
                [None, "cls-5A", "subj-math", DAY, 3, None, None, None, None],
            ],
            MARKS: [
                ["m-1", "s1", "L-1", None, None, None, None, "6", None, None, None, None, None],
                ["m-2", "s1", None, None, None, None, None, "5", None, None, None, None, None],
            ],
            ATTENDANCE: [["L-1", None, None, None, None, "s1", "К", None, None]],
        },
    )
    journal = read_journal_xlsx(path)
    reasons = {(p.file.split(":")[1], p.line): p.reason for p in journal.rejected}
    assert "'35.10.2026' is not a date" in reasons[(LESSONS, 2)]
    assert "column «Тема» begins with" in reasons[(LESSONS, 3)]
    assert "column «Оценка»: mark '6' is not one of 1–5" in reasons[(MARKS, 2)]
    assert "the lesson is not named" in reasons[(MARKS, 3)]
    assert "column «Код»: 'К' is not one of Н, У, Б, ОП" in reasons[(ATTENDANCE, 2)]
    assert [inc.line for inc in journal.lessons] == [4]


def test_a_workbook_that_is_not_the_journal_is_refused_in_one_line(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "other.xlsx"
    wb = Workbook()
    wb.active.title = "Лист1"  # type: ignore[union-attr]
    wb.save(path)
    with pytest.raises(ValidationError, match="is not a journal workbook"):
        read_journal_xlsx(path)
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ValidationError, match="xlsx"):
        read_journal_xlsx(tmp_path / "broken.xlsx")


def test_the_template_for_a_school_lists_its_ids(tmp_path: Path) -> None:
    path = tmp_path / "journal.xlsx"
    write_journal_template(path, journal_roster())
    values = [c for row in load_workbook(path)[LISTS].iter_rows(values_only=True) for c in row if c]
    assert {"cls-5A", "subj-math", "rp-q1", "t1", "Смирнова Ольга"} <= set(values)
    assert path.stat().st_mode & 0o077 == 0  # it names the teachers: the owner's only


def test_csv_files_saved_by_russian_excel_are_read_semicolons_and_cp1251(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    write_csv(
        folder / "lessons.csv",
        [
            ["ID класса", "ID предмета", "Дата", "Номер урока", "Тема"],
            ["cls-5A", "subj-math", "05.10.2026", "1", "Дроби"],
        ],
        encoding="cp1251",
        sep=";",
    )
    write_csv(
        folder / "marks.csv",
        [
            ["id", "person", "class", "subject", "lesson_date", "number", "value", "delete"],
            ["m-1", "s1", "cls-5A", "subj-math", "2026-10-05", "1", "4+", ""],
            ["m-2", "s1", "cls-5A", "subj-math", "2026-10-05", "1", "", "да"],
            ["m-3", "s9", "", "", "", "", "5", ""],
        ],
    )
    journal = read_journal_csv(folder)
    assert journal.encodings == {"lessons.csv": "cp1251", "marks.csv": "utf-8"}
    (lesson,) = journal.lessons
    assert (lesson.record.topic, lesson.file, lesson.line) == ("Дроби", "lessons.csv", 2)
    (mark,) = journal.marks
    assert mark.record.value == "4+"
    assert journal.deletions == [JournalDeletion(JournalKind.MARK, "m-2", "marks.csv", 3)]
    (problem,) = journal.rejected
    assert (problem.file, problem.line) == ("marks.csv", 4)
    assert journal.mode(JournalKind.FINAL) is Mode.ABSENT
    assert journal.seen_keys[JournalKind.MARK] == {"m-1", "m-2", "m-3"}


def test_a_header_without_its_columns_rejects_the_file_and_a_folder_without_the_files_is_refused(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "journal"
    write_csv(folder / "finals.csv", [["person", "value"], ["s1", "5"]])
    journal = read_journal_csv(folder)
    (problem,) = journal.rejected
    assert "lacks the required column(s) subject, period" in problem.reason
    assert journal.finals == []
    with pytest.raises(ValidationError, match="holds none of the journal files"):
        read_journal_csv(tmp_path / "nothing")


def test_the_separator_is_told_from_the_header() -> None:
    assert separator("id;class;subject;date\r\n") == ";"
    assert separator("id,class,subject\n") == ","
    assert separator("id\tclass\tsubject\n") == "\t"
    assert separator("id\n") == ","
