"""Which rules a night's report judges. Issue 16: «the ЕЦП report shows every journal rule as 0 (and «Уроки с ДЗ
0,0 %») without having looked … say plainly which rules it cannot (no entry times, no topics) instead of showing
zeros». Regulation 000 §3.3.2 (the ЕЦП school) sets the topic and mark deadlines the ЕЦП data cannot show: the
platform gives neither topics nor the time a mark was entered, nor whether a mark is for a written work."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from compliance_rows import PLATFORM, Q1, Journal, school_days

from edugateway.config.settings import DnevnikSettings, EcpSettings
from edugateway.reconciliation.compliance import RULES, compliance_sections
from edugateway.reconciliation.compliance_teachers import ROLLUP_KEY
from edugateway.reconciliation.report import Section
from edugateway.store.db import Database

AS_OF = dt.date(2026, 11, 2)
ECP = EcpSettings(base_url="http://x/")
DNEVNIK = DnevnikSettings(base_url="http://x/")


DAYS = school_days(Q1[0], 8)


def _pulled_journal(j: Journal) -> None:
    cls, subj = j.klass("7В", 7), j.subject("История")
    pupil = j.person("Громова", "Анна")
    j.enroll(pupil, cls)
    lessons = [j.lesson(day, cls, subj, topic=None, homework="§1" if n % 2 else None) for n, day in enumerate(DAYS)]
    j.mark(pupil, lessons[7], DAYS[7])  # 7 lessons in a row without a mark
    j.pulled("lessons", "marks", "attendance")  # the nightly pull; finals were not asked for


@pytest.fixture
def school(database: Database) -> Database:
    return database


def _judge(db: Database, fill: Any, settings: Any) -> tuple[dict[str, Section], dict[str, float]]:
    with db.session() as session:
        journal = Journal.start(session)
        fill(journal)
        found, figures = compliance_sections(
            session, school_id=journal.school_id, platform=PLATFORM, settings=settings, as_of=AS_OF, span=None
        )
    return {s.key: s for s in found}, figures


def test_a_journal_never_pulled_is_not_checked_and_has_no_figures(school: Database) -> None:
    """A roster-only sync pulled no journal: every rule says so, and no control figure is shown as 0."""

    def roster_only(j: Journal) -> None:
        cls, subj = j.klass("5А", 5), j.subject("Математика")
        j.enroll(j.person("Белова", "Анна"), cls)
        j.lesson(Q1[0], cls, subj, platform=None)  # the school's own lesson, not delivered by the platform

    found, figures = _judge(school, roster_only, DNEVNIK)
    assert list(found) == [ROLLUP_KEY, *(r.key for r in RULES)]
    for key, section in found.items():
        # written works are not a Дневник.ру rule at all (001 §2.5 sets no week): that is said first
        expected = "не применяется (" if key == "compliance.work_mark_late" else "ещё не загружались"
        assert key == ROLLUP_KEY or expected in (section.not_checked or ""), key
        assert section.rows == []
    assert figures == {}


def test_ecp_judges_what_its_data_allows_and_names_what_it_cannot(school: Database) -> None:
    found, figures = _judge(school, _pulled_journal, ECP)
    not_checked = {key: s.not_checked for key, s in found.items() if s.not_checked}
    assert all(why.startswith("не проверяется: ") for why in not_checked.values())
    reasons = {key: why.removeprefix("не проверяется: ") for key, why in not_checked.items()}
    assert reasons == {
        "compliance.lesson_without_topic": "ЕЦП не передаёт темы уроков",
        "compliance.mark_late": "ЕЦП не передаёт дату выставления отметки (отметка датируется днём урока)",
        "compliance.work_mark_late": "ЕЦП не различает отметки за урок и за работы",
        "compliance.final_missing": "итоговые отметки с платформы ещё не загружались (синхронизация их не "
        "забирала), судить не по чему",
        "compliance.final_changed_after_close": "итоговые отметки с платформы ещё не загружались (синхронизация "
        "их не забирала), судить не по чему",
        "compliance.final_entered_late": "итоговые отметки с платформы ещё не загружались (синхронизация "
        "их не забирала), судить не по чему",
        "compliance.homework_late": "ЕЦП не передаёт ни время внесения домашнего задания, ни время уроков",
        "compliance.attendance_late": "ЕЦП не передаёт время внесения отметки о посещаемости",
    }
    # one mark in 8 attended lessons: the one-mark finding (twice the накопляемость limit), listed once
    assert [r["student"] for r in found["compliance.student_one_mark"].rows] == ["Громова А."]
    assert figures["compliance.homework_share"] == 0.5
    assert "compliance.topic_share" not in figures  # ЕЦП has no topics: no «0 %»


def test_the_same_journal_from_dnevnik_is_judged_whole(school: Database) -> None:
    """Дневник.ру has topics and entry dates: only what was not pulled (finals) is not checked."""
    dnevnik, dnevnik_figures = _judge(school, _pulled_journal, DNEVNIK)
    assert {k for k, s in dnevnik.items() if s.not_checked} == {
        "compliance.work_mark_late",  # не применяется: 001 §2.5 sets no week for written works
        "compliance.final_missing",
        "compliance.final_changed_after_close",
        "compliance.final_entered_late",
    }
    assert len(dnevnik["compliance.lesson_without_topic"].rows) == len(DAYS)
    assert dnevnik_figures["compliance.topic_share"] == 0.0
