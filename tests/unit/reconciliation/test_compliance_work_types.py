"""The late-work-mark rows name the work type by its Дневник.ру title, not the platform's id (issue 17: «The XLSX
has … raw work-type ids»), on SQLite and PostgreSQL.

The rule is 003 приказ ИСУОД, 2.3.3: «Результаты оценивания выполненных обучающимися работ (письменных) должны
выставляться не позднее одной недели со дня их проведения…» — the director reads which work was marked late.
"""

from __future__ import annotations

import datetime as dt

from compliance_rows import Journal

from edugateway.config.settings import DnevnikSettings
from edugateway.domain.models import WorkType
from edugateway.reconciliation.compliance import compliance_sections
from edugateway.store.db import Database
from edugateway.store.work_types import store_work_types

WEEK = DnevnikSettings(base_url="http://x/", compliance={"work_mark_deadline_days": 7})
LESSON_DAY = dt.date(2026, 10, 1)
LATE = LESSON_DAY + dt.timedelta(days=10)
TEST = WorkType(id="1751480862218432985", title="Контрольная работа", kind="CommonWork")


def _work_type_column(db: Database, school_id: int) -> list[str]:
    with db.session() as session:
        found, _ = compliance_sections(
            session, school_id=school_id, platform="dnevnik", settings=WEEK, as_of=dt.date(2026, 11, 2), span=None
        )
    rows = next(s for s in found if s.key == "compliance.work_mark_late").rows
    return sorted(r["work_type"] for r in rows)


def test_late_work_marks_show_the_title_else_the_id_in_words(database: Database) -> None:
    with database.session() as session:
        j = Journal.start(session)
        cls, subj = j.klass("7А", 7), j.subject("Алгебра")
        pupil = j.person("Сидорова", "Мария", "Олеговна")
        lesson = j.lesson(LESSON_DAY, cls, subj)
        j.work_mark(pupil, lesson, LATE, TEST.id)
        j.work_mark(pupil, lesson, LATE, "1751480862218432999")  # the platform did not list it
        # The same id on another platform names another work: it must not lend its title.
        j.work_types(WorkType(id="1751480862218432999", title="Чужая работа"), platform="isuod")
        assert j.work_types(TEST) == 1
        school_id = j.school_id
    assert _work_type_column(database, school_id) == ["Контрольная работа", "вид работы 1751480862218432999"]


def test_a_pull_adds_new_work_types_renames_changed_ones_and_rewrites_nothing_else(database: Database) -> None:
    with database.session() as session:
        j = Journal.start(session)
        assert j.work_types(TEST, WorkType(id="2", title="Самостоятельная работа")) == 2
        assert j.work_types(TEST, WorkType(id="2", title="Самостоятельная работа")) == 0
        renamed = TEST.model_copy(update={"title": "Контрольная работа (итоговая)"})
        assert store_work_types(session, j.school_id, "dnevnik", [renamed]) == 1
        cls, subj = j.klass("7А", 7), j.subject("Алгебра")
        pupil = j.person("Сидорова", "Мария", "Олеговна")
        j.work_mark(pupil, j.lesson(LESSON_DAY, cls, subj), LATE, TEST.id)
        school_id = j.school_id
    assert _work_type_column(database, school_id) == ["Контрольная работа (итоговая)"]
