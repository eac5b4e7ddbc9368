"""The progress and attendance reports of 004 §5.3 on a hand-built journal, on SQLite and PostgreSQL.

004 §5.3: «Отчеты по успеваемости и посещаемости создаются в конце учебного периода и года.» 004 §4.2.4: the
teacher «выставляет оценку или отметку («ОСВ» освобожден, «Н/А» не аттестован) в рамках промежуточной и итоговой
аттестации обучающихся в конце каждого отчётного периода». 004 §4.2.5: the class teacher «отмечает в электронном
журнале отсутствие обучающегося (H отсутствие без уважительной причины, Y отсутствие по уважительной причине,
E отсутствие по болезни)» (Б in the platforms' spelling; ОП, a late arrival, is not an absence).
Успеваемость: the share of pupils with no «2» and no «Н/А»; качество: the share with only «4» and «5».
"""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.errors import ValidationError
from edugateway.school_reports import period_report
from edugateway.school_reports.render_text import heading_lines
from edugateway.store.db import Database
from edugateway.store.tables import SchoolRow
from unit.reconciliation.compliance_rows import Journal

NOW = dt.datetime(2027, 6, 20, tzinfo=dt.UTC)
OCT = [dt.date(2026, 10, d) for d in (5, 6, 7, 8)]


def _plant(db: Database, *, first_grade: bool = False) -> None:
    with db.session() as session:
        j = Journal.start(session)  # «1 четверть», 1.09–26.10.2026
        if first_grade:  # a 1st class, taught without marks: one pupil, ill at one lesson
            first = j.klass("1А", 1)
            pupil = j.person("Жукова", "Ирина")
            j.enroll(pupil, first)
            j.absent(pupil, j.lesson(OCT[0], first, j.subject("Окружающий мир"), None, number=3), "Б")
            session.get(SchoolRow, j.school_id).timezone = "Asia/Yekaterinburg"  # type: ignore[union-attr]
        q2 = j.period("2 четверть", "quarter", dt.date(2026, 11, 5), dt.date(2026, 12, 28))
        year = j.period("Год", "year", dt.date(2026, 9, 1), dt.date(2027, 5, 31))
        teacher = j.person("Петрова", "Анна", "Борисовна", roles="teacher")
        klass = j.klass("5А", 5)
        group = j.klass("5А англ. гр. 1", 5, parent_id=klass)
        math, rus, eng = j.subject("Математика"), j.subject("Русский язык"), j.subject("Английский язык")
        a, b, c, d, e = (j.person(last, "Ирина") for last in ("Абрамова", "Белова", "Волкова", "Громова", "Дёмина"))
        for pupil in (a, b, c, d, e):
            j.enroll(pupil, klass)
        j.enroll(a, group)
        lessons = [j.lesson(day, klass, math, teacher) for day in OCT]
        english = j.lesson(OCT[0], group, eng, None, number=2)
        november = j.lesson(dt.date(2026, 11, 9), klass, math, teacher)

        def final(pupil: int, subject: int, value: str, day: dt.date = dt.date(2026, 10, 26)) -> None:
            j.mark(pupil, None, day, value=value, kind="period_final", subject_id=subject, period_id=j.period_id)

        final(a, math, "4")
        final(a, math, "5", dt.date(2026, 10, 27))  # corrected the next day: the later one counts
        final(a, rus, "4")
        final(b, math, "3")
        final(b, rus, "5")
        final(c, math, "2")
        final(c, rus, "4")
        final(d, math, "Н/А")
        # e has no final at all: «без итоговой отметки», neither успевающий nor качественный.
        j.mark(a, None, dt.date(2027, 5, 31), value="5", kind="year_final", subject_id=math, period_id=year)
        j.mark(b, None, dt.date(2027, 5, 31), value="2", kind="year_final", subject_id=math, period_id=year)

        j.absent(a, lessons[0], "Н")
        j.absent(a, english, "Б")  # a subgroup's lesson counts for the class
        j.absent(b, lessons[1], "У")
        j.absent(c, lessons[2], "ОП")  # late: counted apart, not missed
        j.absent(d, november, "Б")  # the second quarter
        del q2


def test_progress_per_class_and_subject_from_the_period_finals(database: Database) -> None:
    """Class 5А, 5 pupils: успевающие A (5, 4) and B (3, 5): 40,0 %; качество A only: 20,0 %; C has a «2», D a
    «Н/А», E nothing. Per subject the same formulas over one mark each."""
    _plant(database)
    report = period_report(database, "s1", "1 ЧЕТВЕРТЬ", academic_year=2026, now=NOW)
    assert report.subject == "1 четверть 2026/2027 учебного года"
    [klass] = report.table("progress_classes").rows
    assert (klass["pupils"], klass["successful"], klass["success_percent"]) == (5, 2, 40.0)
    assert (klass["quality"], klass["quality_percent"], klass["not_assessed"]) == (1, 20.0, 1)
    by_subject = {r["subject"]: r for r in report.table("progress_subjects").rows}
    assert set(by_subject) == {"Английский язык", "Математика", "Русский язык"}
    math = by_subject["Математика"]
    assert [math[k] for k in ("n_5", "n_4", "n_3", "n_2", "n_Н/А", "not_assessed")] == [1, 0, 1, 1, 1, 1]
    assert (math["success_percent"], math["quality_percent"], math["teacher"]) == (40.0, 20.0, "Петрова А. Б.")
    rus = by_subject["Русский язык"]
    assert (rus["successful"], rus["success_percent"], rus["quality_percent"], rus["not_assessed"]) == (
        3,
        60.0,
        60.0,
        2,
    )


def test_attendance_per_class_and_pupil_counts_each_code_and_lateness_apart(database: Database) -> None:
    _plant(database)
    report = period_report(database, "s1", "1 четверть", academic_year=2026, now=NOW)
    klass, total = report.table("attendance_classes").rows
    assert klass == {"class": "5А", "pupils": 5, "absent": 1, "excused": 1, "ill": 1, "missed": 3, "late": 1}
    assert total["class"] == "Итого"
    pupils = {r["pupil"]: r for r in report.table("attendance_pupils").rows}
    assert len(pupils) == 5  # every pupil on the list, with zeros too
    assert (pupils["Абрамова И."]["absent"], pupils["Абрамова И."]["ill"], pupils["Абрамова И."]["missed"]) == (1, 1, 2)
    assert pupils["Волкова И."]["missed"] == 0
    assert pupils["Волкова И."]["late"] == 1
    assert pupils["Громова И."]["missed"] == 0  # her absence is in the second quarter


def test_the_year_report_uses_year_finals_and_counts_attendance_per_period(database: Database) -> None:
    _plant(database)
    report = period_report(database, "s1", None, academic_year=2026, now=NOW)
    assert report.kind == "year"
    assert report.stem == "s1-year-2026"
    [klass] = report.table("progress_classes").rows
    assert (klass["successful"], klass["n_5"], klass["n_2"]) == (1, 1, 1)
    periods = {(r["class"], r["period"]): r["missed"] for r in report.table("attendance_periods").rows}
    assert periods == {("5А", "1 четверть"): 3, ("5А", "2 четверть"): 1}
    [klass_attendance, _total] = report.table("attendance_classes").rows
    assert klass_attendance["missed"] == 4
    by_name = period_report(database, "s1", "год", academic_year=2026, now=NOW)  # the year period asked by its name
    assert by_name.table("progress_classes").rows == report.table("progress_classes").rows


def test_first_graders_are_taught_without_marks_so_only_their_attendance_counts(database: Database) -> None:
    """DOMAIN.md / the platforms' settings: the first grade is taught without marks (marked_from_grade = 2), so a
    1st class has no finals to judge: it is not listed at 0 % успеваемость, it is named once in a note, and its
    pupils' absences are counted. The heading's time is the school's wall clock, its zone named."""
    _plant(database, first_grade=True)
    report = period_report(database, "s1", "1 четверть", academic_year=2026, now=NOW)
    assert [r["class"] for r in report.table("progress_classes").rows] == ["5А"]
    assert any(note.startswith("1А: обучение без отметок") for note in report.notes)
    attendance = {r["class"]: r for r in report.table("attendance_classes").rows}
    assert attendance["1А"]["ill"] == 1
    assert heading_lines(report)[-1] == ("Составлен", "20.06.2027 05:00 (Asia/Yekaterinburg)")


def test_an_unknown_period_names_the_school_periods(database: Database) -> None:
    _plant(database)
    with pytest.raises(
        ValidationError, match="no period «3 четверть» in 2026/2027; the school's periods are «1 четверть»"
    ):
        period_report(database, "s1", "3 четверть", academic_year=2026)
