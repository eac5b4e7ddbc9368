"""The ЕЦП journal pulled by the sync and judged by the night's report, against the ЕЦП emulator on loopback.

Issue 16: «A Sverdlovsk school gets no journal checks at all … Pull the ЕЦП journal nightly over an incremental
window within the platform's rate limit … and run on it every rule its data allows». A journal with planted
violations (a pupil never marked in a subject all quarter, a quarter final not set) is pulled by `run_sync` with
the default entities, and the report's ЕЦП sections find them; a second night reads only the new window (the
week seven days back and this one, 000 §3.3.2: «не позднее 7 дней с момента проведения занятия»), each
pupil-week page once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from edugateway.config.settings import EcpSettings, SchoolSettings, SecretRef, Settings
from edugateway.connectors.base import DateRange
from edugateway.connectors.ecp import weeks
from edugateway.domain.models import EnrollmentRole, MarkKind, ReportingPeriodKind
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import ecp
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.reconciliation.service import ReconcileRequest, reconcile
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.sync.engine import SyncRequest, run_sync
from support.request_log import RequestLog

CODE = "sch66"
NIGHT = dt.date(2026, 11, 12)  # after the first quarter and its holiday


@dataclass(frozen=True)
class Planted:
    journal: SchoolSnapshot
    unmarked: str  # a pupil with no mark in `subject` all quarter
    no_final: str  # a pupil of the same class whose quarter final in `subject` is not set
    gap: str  # a pupil marked once only in `subject` all quarter, at its start
    subject: str  # the name of a subject the whole class is taught (not in subgroups)


def _plant(school: SchoolSnapshot) -> Planted:
    journal = generate_journal(school, until=NIGHT, seed=5)
    quarter = min((p for p in journal.periods if p.kind is ReportingPeriodKind.QUARTER), key=lambda p: p.start_date)
    homeroom = min(c.id for c in journal.classes if c.parent_id is None and c.grade >= 2)
    pupils = sorted(
        e.person_id for e in journal.enrollments if e.role is EnrollmentRole.STUDENT and e.class_id == homeroom
    )
    unmarked, gap, no_final = pupils[0], pupils[1], pupils[-1]
    taught = Counter(les.subject_id for les in journal.lessons if les.class_id == homeroom)
    subject = taught.most_common(1)[0][0]
    lesson_subject = {les.id: les.subject_id for les in journal.lessons}
    first_of_gap = min(
        (m for m in journal.marks if m.person_id == gap and lesson_subject.get(m.lesson_id or "") == subject),
        key=lambda m: (m.date or NIGHT, m.id),
    )
    kept = [
        mark
        for mark in journal.marks
        if not (
            mark.person_id == unmarked
            and mark.kind in (MarkKind.LESSON, MarkKind.WORK)
            and lesson_subject.get(mark.lesson_id or "") == subject
        )
        and not (
            mark.person_id == gap and lesson_subject.get(mark.lesson_id or "") == subject and mark is not first_of_gap
        )
        and not (
            mark.person_id == no_final
            and mark.kind is MarkKind.PERIOD_FINAL
            and mark.subject_id == subject
            and mark.period_id == quarter.id
        )
    ]
    assert len(kept) < len(journal.marks)
    name = next(x.name for x in journal.subjects if x.id == subject)
    return Planted(journal.model_copy(update={"marks": kept}), unmarked, no_final, gap, name)


@pytest.fixture(scope="module")
def school() -> SchoolSnapshot:
    return generate_school(students=24, classes=2, seed=16, code=CODE).snapshot


@pytest.fixture(scope="module")
def planted(school: SchoolSnapshot) -> Planted:
    return _plant(school)


@pytest.fixture
def db(sqlite_db: Database, school: SchoolSnapshot, tmp_path: Path) -> Database:
    write_oneroster(school, tmp_path / "or")
    apply_roster(sqlite_db, read_oneroster(tmp_path / "or"), CODE)
    return sqlite_db


@dataclass
class Served:
    log: RequestLog
    settings: Settings
    pupils: int


@pytest.fixture
def served(planted: Planted, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    world = ecp.world_from_snapshot(planted.journal)
    log = RequestLog(ecp.create_app(world).app)
    monkeypatch.setenv("PULL_ECP_PASSWORD", ecp.ADMIN_PASSWORD)
    with BackgroundServer(log) as server:
        platform = {
            "kind": "ecp",
            "base_url": f"{server.base_url}/api/",
            "login": ecp.admin_login(CODE),
            "password": SecretRef(env="PULL_ECP_PASSWORD"),
            "rate_limit_rps": 1000,
        }
        settings = Settings(
            schools=[SchoolSettings(code=CODE)],
            platforms={"ecp": EcpSettings.model_validate(platform)},
            data_dir=tmp_path / "data",
        )
        yield Served(log, settings, len(world.students))


def _names(school: SchoolSnapshot, person_id: str) -> str:
    person = next(p for p in school.persons if p.id == person_id)
    return person.last_name


async def test_the_pulled_ecp_journal_is_judged_and_the_planted_violations_found(
    db: Database, school: SchoolSnapshot, planted: Planted, served: Served
) -> None:
    run = await run_sync(db, served.settings, SyncRequest(CODE, "ecp", until=NIGHT))
    assert run.counts["lessons"].created > 0
    assert run.counts["marks"].created > 0
    assert run.counts["final_marks"].created > 0

    outcome = await reconcile(db, served.settings, ReconcileRequest(CODE, "ecp", as_of=NIGHT))
    report = outcome.report

    def section(key: str) -> list[str]:
        found = report.section(key)
        assert found is not None, key
        assert found.not_checked is None, (key, found.not_checked)
        return [str(row["student"]) for row in found.rows if row.get("subject") == planted.subject]

    unmarked, no_final = _names(school, planted.unmarked), _names(school, planted.no_final)
    assert any(unmarked in name for name in section("compliance.student_no_marks"))
    assert any(_names(school, planted.gap) in name for name in section("compliance.student_one_mark"))
    section("compliance.mark_accumulation")  # judged (its rows are the rule owners' to test)
    assert any(no_final in name for name in section("compliance.final_missing"))
    assert not any(no_final in name for name in section("compliance.student_no_marks"))  # she was marked
    # What ЕЦП cannot show is said, with no figure.
    for key in ("compliance.lesson_without_topic", "compliance.mark_late", "compliance.work_mark_late"):
        shown = report.section(key)
        assert shown is not None
        assert shown.not_checked
        assert shown.rows == []
    assert key not in report.summary()
    assert "compliance.topic_share" not in report.figures
    assert 0 < report.figures["compliance.homework_share"] < 1


async def test_a_second_night_reads_only_the_new_window_each_page_once(
    db: Database, planted: Planted, served: Served
) -> None:
    await run_sync(db, served.settings, SyncRequest(CODE, "ecp", until=NIGHT - dt.timedelta(days=1)))
    first = served.log.pages("/api/estimate", "studentId", "weekNumber")
    assert first, "the first night read the week tables"
    assert max(first.values()) == 1  # marks and attendance shared each pupil-week table
    assert max(served.log.pages("/api/schedule", "studentId", "pageNumber").values()) == 1

    served.log.clear()
    await run_sync(db, served.settings, SyncRequest(CODE, "ecp", until=NIGHT))

    # The cursor stood at the night before: read from 7 days before it to tonight.
    window = DateRange(NIGHT - dt.timedelta(days=8), NIGHT)
    pages = {str(w.number) for w in weeks.weeks_in(window)}
    tables = served.log.pages("/api/estimate", "studentId", "weekNumber")
    schedules = served.log.pages("/api/schedule", "studentId", "pageNumber")
    assert {week for _, week in tables} == pages
    assert {week for _, week in schedules} == pages
    assert len(tables) == len(schedules) == served.pupils * len(pages)
    assert max(tables.values()) == max(schedules.values()) == 1
