"""The compliance rules on hand-built journal rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from compliance_rows import PLATFORM, Q1, Journal, school_days

from edugateway.config.settings import DnevnikSettings, EcpSettings
from edugateway.reconciliation.compliance import RULES, compliance_sections
from edugateway.reconciliation.compliance_teachers import ROLLUP_KEY
from edugateway.store.db import Database

DNEVNIK = DnevnikSettings(base_url="http://x/")
ECP = EcpSettings(base_url="http://x/")
AS_OF = dt.date(2026, 11, 2)  # after the first quarter


def sections(
    db: Database, journal_school: int, settings: DnevnikSettings | EcpSettings = DNEVNIK, as_of: dt.date = AS_OF
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, float]]:
    with db.session() as session:
        found, figures = compliance_sections(
            session, school_id=journal_school, platform=PLATFORM, settings=settings, as_of=as_of, span=None
        )
    return {s.key: s.rows for s in found}, figures


@pytest.fixture
def school(database: Database) -> Database:
    return database


def build(db: Database, fill: Any) -> int:
    with db.session() as session:
        journal = Journal.start(session)
        fill(journal)
        return journal.school_id


def test_every_rule_has_a_section_even_when_empty(school: Database) -> None:
    school_id = build(school, lambda j: j.pulled("lessons", "marks", "final_marks", "attendance"))
    found, figures = sections(school, school_id)
    assert list(found) == [ROLLUP_KEY, *(r.key for r in RULES)]
    assert all(rows == [] for rows in found.values())
    assert figures["compliance.no_marks_share"] == 0.0


def test_lesson_without_topic_after_its_deadline_only(school: Database) -> None:
    def fill(j: Journal) -> None:
        cls, subj = j.klass("5А", 5), j.subject("Математика")
        teacher = j.person("Иванова", "Мария", "Петровна", roles="teacher")
        j.lesson(dt.date(2026, 10, 26), cls, subj, teacher, topic=None)
        j.lesson(dt.date(2026, 10, 27), cls, subj, teacher, topic="  ")  # the ЕЦП deadline has not passed yet
        j.lesson(dt.date(2026, 10, 20), cls, subj, teacher, topic=None, platform=None)  # not from this platform
        j.lesson(dt.date(2026, 10, 21), cls, subj, teacher, topic=None, platform="ecp")

    school_id = build(school, fill)
    rows = sections(school, school_id)[0]["compliance.lesson_without_topic"]
    assert [(r["class"], r["subject"], r["teacher"], r["lesson_date"]) for r in rows] == [
        ("5А", "Математика", "Иванова М. П.", "2026-10-26"),
        ("5А", "Математика", "Иванова М. П.", "2026-10-27"),
    ]
    ecp_rows = sections(school, school_id, ECP)[0]["compliance.lesson_without_topic"]
    assert ecp_rows == []  # ЕЦП does not deliver topics: not judged there


def test_lesson_without_topic_waits_for_the_ecp_week(school: Database) -> None:
    ecp = DnevnikSettings(base_url="http://x/", compliance={"topic_deadline_days": 7})

    def fill(j: Journal) -> None:
        cls, subj = j.klass("5А", 5), j.subject("Математика")
        j.lesson(AS_OF - dt.timedelta(days=7), cls, subj, topic=None)  # deadline ends on as_of: due
        j.lesson(AS_OF - dt.timedelta(days=6), cls, subj, topic=None)  # still time

    school_id = build(school, fill)
    rows = sections(school, school_id, ecp)[0]["compliance.lesson_without_topic"]
    assert [r["lesson_date"] for r in rows] == [(AS_OF - dt.timedelta(days=7)).isoformat()]


def test_mark_late_counts_days_beyond_the_deadline(school: Database) -> None:
    week = DnevnikSettings(base_url="http://x/", compliance={"mark_deadline_days": 7, "work_mark_deadline_days": 7})
    lesson_day = dt.date(2026, 10, 1)

    def fill(j: Journal) -> None:
        cls, subj = j.klass("6Б", 6), j.subject("Физика")
        student = j.person("Петров", "Иван", "Сергеевич")
        lesson = j.lesson(lesson_day, cls, subj)
        j.mark(student, lesson, lesson_day + dt.timedelta(days=7))  # exactly met
        j.mark(student, lesson, lesson_day + dt.timedelta(days=8), value="4")  # one day late
        j.mark(student, lesson, lesson_day + dt.timedelta(days=20), kind="work")  # a work: its own rule

    school_id = build(school, fill)
    found = sections(school, school_id, week)[0]
    assert [(r["student"], r["value"], r["days_late"]) for r in found["compliance.mark_late"]] == [
        ("Петров И. С.", "4", 1)
    ]
    assert [r["days_late"] for r in found["compliance.work_mark_late"]] == [13]
    same_day = sections(school, school_id)[0]["compliance.mark_late"]
    assert sorted(r["days_late"] for r in same_day) == [7, 8]


def _quarter_lessons(j: Journal, cls: int, subj: int, n: int) -> list[int]:
    return [j.lesson(day, cls, subj) for day in school_days(Q1[0], n)]


def test_no_marks_one_mark_and_gaps_are_separate_sections(school: Database) -> None:
    days = school_days(Q1[0], 12)

    def fill(j: Journal) -> None:
        cls, subj = j.klass("7В", 7), j.subject("История")
        none, one, gap, fine, sick = (j.person(n, "Анна") for n in ("Белова", "Волкова", "Громова", "Дёмина", "Ершова"))
        for s in (none, one, gap, fine, sick):
            j.enroll(s, cls)
        lessons = _quarter_lessons(j, cls, subj, 12)
        j.mark(one, lessons[5], days[5])
        for at in (0, 6, 11):  # a run of 5 lessons (1..5) without a mark: more than 4
            j.mark(gap, lessons[at], days[at])
        for at in (0, 4, 8, 11):
            j.mark(fine, lessons[at], days[at])
        for at in range(1, 12):  # ill all quarter but the first lesson, where she was marked
            j.absent(sick, lessons[at])
        j.mark(sick, lessons[0], days[0])

    school_id = build(school, fill)
    found, figures = sections(school, school_id)
    assert [(r["student"], r["lessons"], r["marks"]) for r in found["compliance.student_no_marks"]] == [
        ("Белова А.", 12, 0)
    ]
    assert [(r["student"], r["marks"]) for r in found["compliance.student_one_mark"]] == [("Волкова А.", 1)]
    gaps = found["compliance.mark_accumulation"]
    assert [(r["student"], r["gap"], r["from"], r["to"]) for r in gaps] == [
        ("Громова А.", 5, days[1].isoformat(), days[5].isoformat())
    ]
    assert figures["compliance.no_marks_share"] == pytest.approx(1 / 5)


def test_a_pupil_the_platform_lacks_is_not_listed_without_marks(school: Database) -> None:
    """The roster comparison reports a pupil missing on the platform; the journal rules judge only its pupils."""

    def fill(j: Journal) -> None:
        cls, subj = j.klass("6Б", 6), j.subject("География")
        on, off = j.person("Белова", "Анна"), j.person("Волкова", "Анна", on_platform=False)
        for pupil in (on, off):
            j.enroll(pupil, cls)
        _quarter_lessons(j, cls, subj, 12)

    found, _ = sections(school, build(school, fill))
    assert [r["student"] for r in found["compliance.student_no_marks"]] == ["Белова А."]
    assert [r["student"] for r in found["compliance.final_missing"]] == ["Белова А."]


def test_marks_not_required_in_first_grade_nor_of_inactive_enrollments(school: Database) -> None:
    def fill(j: Journal) -> None:
        first, fifth, subj = j.klass("1А", 1), j.klass("5А", 5), j.subject("Чтение")
        kid, gone = j.person("Малышев", "Лев"), j.person("Ушедший", "Олег")
        j.enroll(kid, first)
        j.enroll(gone, fifth, active=False)
        _quarter_lessons(j, first, subj, 10)
        _quarter_lessons(j, fifth, subj, 10)

    school_id = build(school, fill)
    found = sections(school, school_id)[0]
    assert all(found[key] == [] for key in found)


def test_a_subgroup_lessons_count_only_for_its_students(school: Database) -> None:
    def fill(j: Journal) -> None:
        cls, subj = j.klass("8А", 8), j.subject("Английский язык")
        group1 = j.klass("8А Английский язык, группа 1", 8, parent_id=cls)
        group2 = j.klass("8А Английский язык, группа 2", 8, parent_id=cls)
        a, b = j.person("Алексеев", "Антон"), j.person("Борисов", "Борис")
        j.enroll(a, cls)
        j.enroll(b, cls)
        j.enroll(a, group1)
        j.enroll(b, group2)
        for at, lesson in enumerate(_quarter_lessons(j, group1, subj, 8)):
            if at % 3 == 0:
                j.mark(a, lesson, Q1[0])

    school_id = build(school, fill)
    found = sections(school, school_id)[0]
    assert found["compliance.student_no_marks"] == []  # group 2 had no lessons: Борисов is not judged


def test_final_missing_after_the_period_ends_with_na_as_set(school: Database) -> None:
    def fill(j: Journal) -> None:
        cls, math, art = j.klass("9А", 9), j.subject("Алгебра"), j.subject("ИЗО")
        with_na, without = j.person("Жуков", "Ян"), j.person("Зуев", "Эд")
        for s in (with_na, without):
            j.enroll(s, cls)
        j.lesson(Q1[0], cls, math)
        j.lesson(Q1[0], cls, art, number=2)
        for s in (with_na, without):
            j.mark(s, None, Q1[1], value="5", kind="period_final", subject_id=art, period_id=j.period_id)
        j.mark(with_na, None, Q1[1], value="Н/А", kind="period_final", subject_id=math, period_id=j.period_id)

    school_id = build(school, fill)
    rows = sections(school, school_id)[0]["compliance.final_missing"]
    assert [(r["student"], r["subject"], r["period"]) for r in rows] == [("Зуев Э.", "Алгебра", "1 четверть")]
    assert sections(school, school_id, as_of=Q1[1] - dt.timedelta(days=1))[0]["compliance.final_missing"] == []


def test_final_dated_after_close_is_late_and_a_seen_change_is_a_change(school: Database) -> None:
    from edugateway.store.tables import JournalChangeRow

    def fill(j: Journal) -> None:
        cls, subj = j.klass("10А", 10), j.subject("Химия")
        a, b, c = j.person("Ильин", "Илья"), j.person("Карпов", "Кирилл"), j.person("Лосев", "Лев")
        for s in (a, b, c):
            j.enroll(s, cls)
        j.mark(a, None, Q1[1], kind="period_final", subject_id=subj, period_id=j.period_id)  # on time
        j.mark(
            b,
            None,
            Q1[1] + dt.timedelta(days=4),
            value="4",
            kind="period_final",
            subject_id=subj,
            period_id=j.period_id,
        )
        key = j.mark(c, None, Q1[1], value="3", kind="period_final", subject_id=subj, period_id=j.period_id)
        j.add(
            JournalChangeRow(
                school_id=j.school_id,
                platform=PLATFORM,
                entity="final_marks",
                remote_id="r-x",
                local_key=key,
                changes={"value": ["4", "3"]},
                retroactive=True,
                period_end=Q1[1],
            )
        )

    school_id = build(school, fill)
    found = sections(school, school_id)[0]
    rows = found["compliance.final_changed_after_close"]
    assert [(r["student"], r["old_value"], r["value"], r["reason"]) for r in rows] == [
        ("Лосев Л.", "4", "3", "без зафиксированного основания"),
    ]
    late = found["compliance.final_entered_late"]
    assert [(r["student"], r["value"], r["days_late"]) for r in late] == [("Карпов К.", "4", 4)]
    assert {r["class"] for r in [*rows, *late]} == {"10А"}


def test_figures_share_of_lessons_with_homework_and_topic(school: Database) -> None:
    def fill(j: Journal) -> None:
        cls, subj = j.klass("5А", 5), j.subject("Математика")
        j.lesson(Q1[0], cls, subj, homework="§1")
        j.lesson(Q1[0], cls, subj, homework=None, topic=None, number=2)

    school_id = build(school, fill)
    figures = sections(school, school_id)[1]
    assert figures["compliance.homework_share"] == 0.5
    assert figures["compliance.topic_share"] == 0.5
    assert "compliance.topic_share" not in sections(school, school_id, ECP)[1]
