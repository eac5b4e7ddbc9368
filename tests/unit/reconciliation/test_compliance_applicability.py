"""Which rules apply on which platform, as configured per platform (issue 16)."""

from __future__ import annotations

import datetime as dt

from compliance_rows import Journal
from compliance_run import build, run

from edugateway.config.settings import DnevnikSettings, EcpSettings
from edugateway.store.db import Database

LESSON_DAY = dt.date(2026, 10, 1)


def _works_marked(j: Journal) -> None:
    cls, subj = j.klass("6Б", 6), j.subject("Русский язык")
    pupil = j.person("Петров", "Иван")
    lesson = j.lesson(LESSON_DAY, cls, subj)
    j.mark(pupil, lesson, LESSON_DAY + dt.timedelta(days=7), kind="work")  # exactly a week: in time
    j.mark(pupil, lesson, LESSON_DAY + dt.timedelta(days=8), kind="work", value="3")  # a day late


def test_written_works_within_a_week_applies_only_where_configured(database: Database) -> None:
    """003 приказ §2.3.3 (ИСУОД): «Результаты оценивания выполненных обучающимися работ (письменных) должны
    выставляться не позднее одной недели со дня их проведения». 001 §2.5 (Дневник.ру) sets no such limit: marks for a
    written work «выставляются учителем-предметником в день завершения проверки письменных работ»."""
    school_id = build(database, _works_marked)

    plain = run(database, school_id, DnevnikSettings(base_url="http://x/"))
    section = plain[0]["compliance.work_mark_late"]
    assert section.rows == []
    assert (section.not_checked or "").startswith("не применяется (")
    assert plain[0]["compliance.by_teacher"].rows == []

    isuod = DnevnikSettings(base_url="http://x/", compliance={"work_mark_deadline_days": 7})
    rows = run(database, school_id, isuod)[0]["compliance.work_mark_late"].rows
    assert [(r["value"], r["days_late"]) for r in rows] == [("3", 1)]


def test_defaults_by_kind_leave_the_work_rule_off() -> None:
    """Neither 001 (Дневник.ру) nor 000 (ЕЦП) sets a deadline for written works: unset unless configured."""
    assert DnevnikSettings(base_url="http://x/").compliance.work_mark_deadline_days is None
    assert EcpSettings(base_url="http://x/").compliance.work_mark_deadline_days is None
