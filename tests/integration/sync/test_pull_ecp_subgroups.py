"""ЕЦП subgroup lessons, with their marks and attendance, reach the local journal: a full sync against the ЕЦП
emulator ends `done`, not `partial`.

000 §3.3.5: «При делении класса на подгруппы, состав подгруппы определяет учитель этих групп, совместно с
классным руководителем. Записи ведутся каждым учителем, ведущим группу, индивидуально». ЕЦП names the groups
(«Группа 1_Анг») without ids. The school here names its English groups its own way («…подгруппа А/Б») and
has no Труд groups in one class: English lessons go to the school's groups by number and name order, that
class's Труд lessons to the class itself, said once in the run's summary; every mark and absence is stored."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from edugateway.config.settings import EcpSettings, SchoolSettings, SecretRef, Settings
from edugateway.domain.models import Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import ecp
from edugateway.emulators.ecp.world import EcpWorld
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.id_links import platform_ref
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.sync_run_log import sync_run
from edugateway.store.tables import AttendanceRow, ClassRow, IdentityLinkRow, LessonRow, MarkRow
from edugateway.sync.engine import SyncRequest, run_sync
from edugateway.sync.run_summary import run_summary

CODE = "sch66"
NIGHT = dt.date(2026, 11, 12)
ENG, TECH = "subj-eng", "subj-tech"


@dataclass(frozen=True)
class Schools:
    journal: SchoolSnapshot  # what ЕЦП holds: both classes split into groups for English and Труд
    local: SchoolSnapshot  # the school's roster: its own group names, and no Труд groups in `whole_class`
    whole_class: str


def _with_patronymics(school: SchoolSnapshot) -> SchoolSnapshot:
    """Every pupil with a patronymic: ЕЦП shows no birth dates, so a pupil without one is a clerk's case (by
    design), and its records would be skipped for a reason that is not this test's."""
    persons = [
        p.model_copy(update={"middle_name": "Сергеевна" if n % 2 else "Сергеевич"})
        if Role.STUDENT in p.roles and not p.middle_name
        else p
        for n, p in enumerate(school.persons)
    ]
    return school.model_copy(update={"persons": persons})


@pytest.fixture(scope="module")
def schools() -> Schools:
    school = _with_patronymics(generate_school(students=24, classes=2, seed=16, code=CODE).snapshot)
    journal = generate_journal(school, until=NIGHT, seed=5)
    whole_class = min(c.id for c in school.classes if c.parent_id is None and c.grade >= 2)
    dropped = {c.id for c in school.classes if c.parent_id == whole_class and c.subject_id == TECH}
    assert len(dropped) == 2
    renamed = [
        c.model_copy(update={"name": f"{c.name.split()[0]} англ., подгруппа {'АБ'[int(c.id[-1]) - 1]}"})
        if c.subject_id == ENG
        else c
        for c in school.classes
        if c.id not in dropped
    ]
    local = school.model_copy(
        update={"classes": renamed, "enrollments": [e for e in school.enrollments if e.class_id not in dropped]}
    )
    return Schools(journal, local, whole_class)


@pytest.fixture
def db(database: Database, schools: Schools, tmp_path: Path) -> Database:
    write_oneroster(schools.local, tmp_path / "or")
    apply_roster(database, read_oneroster(tmp_path / "or"), CODE)
    return database


@dataclass
class Served:
    world: EcpWorld
    settings: Settings


@pytest.fixture
def served(schools: Schools, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    world = ecp.world_from_snapshot(schools.journal)
    monkeypatch.setenv("SUBGROUPS_ECP_PASSWORD", ecp.ADMIN_PASSWORD)
    with BackgroundServer(ecp.create_app(world).app) as server:
        platform = {
            "kind": "ecp",
            "base_url": f"{server.base_url}/api/",
            "login": ecp.admin_login(CODE),
            "password": SecretRef(env="SUBGROUPS_ECP_PASSWORD"),
            "rate_limit_rps": 1000,
        }
        yield Served(
            world,
            Settings(
                schools=[SchoolSettings(code=CODE)],
                platforms={"ecp": EcpSettings.model_validate(platform)},
                data_dir=tmp_path / "data",
            ),
        )


def _stored_classes(db: Database) -> dict[str, str]:
    """The stored lessons' classes: local lesson key -> local class key."""
    with db.session() as session:
        rows = session.execute(
            select(LessonRow.source_id, ClassRow.source_id).join(ClassRow, ClassRow.id == LessonRow.class_id)
        )
        return dict(rows.tuples().all())


async def test_a_full_ecp_sync_stores_subgroup_lessons_marks_and_attendance_and_ends_done(
    db: Database, schools: Schools, served: Served
) -> None:
    run = await run_sync(db, served.settings, SyncRequest(CODE, "ecp", until=NIGHT))

    assert (run.status, run.error) == ("done", None)
    for entity in ("lessons", "marks", "final_marks", "attendance", "periods"):
        assert run.counts[entity].skipped == 0, entity

    # Each ЕЦП lesson is stored under the class the school keeps it in.
    groups = {c.id: c for c in schools.journal.classes}
    class_of = {les.id: les.class_id for les in schools.journal.lessons}
    expected: dict[str, str] = {}
    on_class = 0  # Труд lessons of the class the school keeps whole
    for lesson_id, row in served.world.lessons.items():
        if dt.date.fromisoformat(row["date"]) > NIGHT:
            continue
        group = groups[class_of[row["localId"]]]
        if group.parent_id == schools.whole_class and group.subject_id == TECH:
            expected[platform_ref("ecp", lesson_id)] = schools.whole_class
            on_class += 1
        else:
            expected[platform_ref("ecp", lesson_id)] = group.id
    stored = _stored_classes(db)
    assert stored == expected
    kept_in = Counter(
        "english group"
        if groups[key].subject_id == ENG
        else "class"
        if groups[key].parent_id is None
        else "other group"
        for key in stored.values()
    )
    assert kept_in["english group"] > 0
    assert kept_in["other group"] > 0  # the other class's Труд groups

    # Their marks and absences are stored with them.
    subgroup_lessons = {lid for lid, row in served.world.lessons.items() if row["groupName"]}
    marks = sum(
        1 for e in served.world.estimates.values() if e["lessonId"] in subgroup_lessons and e["date"] <= str(NIGHT)
    )
    absences = sum(
        1
        for p in served.world.presence
        if p["lessonId"] in subgroup_lessons and served.world.lessons[p["lessonId"]]["date"] <= str(NIGHT)
    )
    with db.session() as session:
        group_class = aliased(ClassRow)
        on_groups = (
            select(LessonRow.id)
            .join(group_class, group_class.id == LessonRow.class_id)
            .where(LessonRow.source_id.in_([platform_ref("ecp", lid) for lid in subgroup_lessons]))
        )
        stored_marks = session.scalar(select(func.count()).where(MarkRow.lesson_id.in_(on_groups)))
        stored_absences = session.scalar(select(func.count()).where(AttendanceRow.lesson_id.in_(on_groups)))
    assert marks > 0
    assert absences > 0
    assert (stored_marks, stored_absences) == (marks, absences)

    # The groups filed under the school's subgroups are linked; the ones kept on the class are said once.
    with db.session() as session:
        linked = dict(
            session.execute(
                select(IdentityLinkRow.remote_id, IdentityLinkRow.local_key).where(IdentityLinkRow.method == "subgroup")
            )
            .tuples()
            .all()
        )
    assert {groups[key].subject_id for key in linked.values()} == {ENG, TECH}
    assert all(groups[key].parent_id != schools.whole_class or groups[key].subject_id == ENG for key in linked.values())
    homeroom = groups[schools.whole_class].name
    (said,) = [line for line in run_summary(db, run.run_id) if "stored on the class" in line]
    assert said.startswith(f"{on_class} lessons of 2 platform groups the school has no subgroup of were stored")
    assert f"{homeroom} «Группа 1_Тру»" in said
    assert f"{homeroom} «Группа 2_Тру»" in said

    # A second night finds the same classes by the links: nothing changes.
    again = await run_sync(db, served.settings, SyncRequest(CODE, "ecp", until=NIGHT))
    assert again.status == "done"
    assert again.counts["lessons"].updated == 0
    assert again.counts["lessons"].created == 0
    assert _stored_classes(db) == stored
    with db.session() as session:
        assert session.scalar(select(func.count()).where(IdentityLinkRow.method == "subgroup")) == len(linked)


async def test_a_group_without_a_number_among_several_local_groups_is_skipped_with_the_reason(
    db: Database, schools: Schools, served: Served
) -> None:
    """Not guessed: «Английский язык» (no number) while the school has two English groups of the class."""
    groups = {c.id: c for c in schools.journal.classes}
    class_of = {les.id: les.class_id for les in schools.journal.lessons}
    renamed = set()
    for lesson_id, row in served.world.lessons.items():
        if groups[class_of[row["localId"]]].subject_id == ENG:
            row["groupName"] = "Английский язык"  # the rows the emulator serves, changed in place
            renamed.add(lesson_id)

    run = await run_sync(db, served.settings, SyncRequest(CODE, "ecp", until=NIGHT))

    assert run.status == "partial"
    record = sync_run(db, run.run_id)
    assert record is not None
    reasons = {s["id"]: s["reason"] for s in record.skipped or [] if s["entity"] == "lessons"}
    assert set(reasons) == {lid for lid in renamed if served.world.lessons[lid]["date"] <= str(NIGHT)}
    assert all(
        "group «Английский язык» of class" in why and "names no number and the school has 2 groups" in why
        for why in reasons.values()
    )
    assert run.counts["lessons"].created == run.counts["lessons"].read - len(reasons)  # the others are stored
