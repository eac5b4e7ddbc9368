"""A school whose journal of record is its own (issue 18): the roster imported from OneRoster and linked to the
Дневник.ру world's ids, the generated journal planted as local rows (origin "local"), and a world made from the
same snapshot whose lessons are there (the platform's timetable) but with no works, marks, finals or attendance:
what a push has to fill."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from edugateway.config.settings import DnevnikSettings, SchoolSettings, SecretRef, Settings
from edugateway.domain.entities import Direction, Entity
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.journal_set import LOCAL_ORIGIN
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.tables import (
    AttendanceRow,
    ClassRow,
    LessonRow,
    MarkRow,
    PersonRow,
    ReportingPeriodRow,
    SchoolRow,
    SubjectRow,
)
from support.dnevnik_pull import link_roster

PUSHED = (Entity.MARKS, Entity.ATTENDANCE, Entity.HOMEWORK)


def local_school(until: dt.date, *, students: int = 30, classes: int = 2, seed: int = 8) -> SchoolSnapshot:
    return generate_journal(
        generate_school(students=students, classes=classes, seed=seed).snapshot, until=until, seed=seed
    )


def empty_journal_world(snapshot: SchoolSnapshot) -> dnevnik.DnevnikWorld:
    """The platform holds the lessons (timetable), topics and work types, and nothing a teacher enters."""
    world = dnevnik.world_from_snapshot(snapshot, admin_password="pw", client_secret="s3cret")
    world.works.clear()
    world.marks.clear()
    world.final_marks.clear()
    world.log_entries.clear()
    world.reindex()
    return world


def plant_local_journal(db: Database, snapshot: SchoolSnapshot, tmp_path: Path, world: dnevnik.DnevnikWorld) -> None:
    """Imports the roster, links it to `world`, and stores the snapshot's journal as the school's own."""
    roster_dir = tmp_path / "oneroster"
    write_oneroster(snapshot, roster_dir)
    apply_roster(db, read_oneroster(roster_dir), snapshot.school.code)
    link_roster(db, snapshot.school.code, world)
    with db.session() as session:
        school_id = session.scalar(select(SchoolRow.id).where(SchoolRow.code == snapshot.school.code))
        assert school_id is not None

        def ids(
            table: type[PersonRow] | type[ClassRow] | type[SubjectRow] | type[ReportingPeriodRow],
        ) -> dict[str, int]:
            return dict(session.execute(select(table.source_id, table.id).where(table.school_id == school_id)).all())  # type: ignore[arg-type]

        persons, classes, subjects, periods = ids(PersonRow), ids(ClassRow), ids(SubjectRow), ids(ReportingPeriodRow)
        lessons: dict[str, LessonRow] = {}
        for lesson in snapshot.lessons:
            row = LessonRow(
                school_id=school_id, source_id=lesson.id, date=lesson.date, number=lesson.number,
                class_id=classes[lesson.class_id], subject_id=subjects[lesson.subject_id], topic=lesson.topic,
                homework=lesson.homework, origin=LOCAL_ORIGIN,
            )  # fmt: skip
            session.add(row)
            lessons[lesson.id] = row
        session.flush()
        for mark in snapshot.marks:
            session.add(
                MarkRow(
                    school_id=school_id, source_id=mark.id, person_id=persons[mark.person_id], value=mark.value,
                    kind=mark.kind.value, lesson_id=lessons[mark.lesson_id].id if mark.lesson_id else None,
                    subject_id=subjects[mark.subject_id] if mark.subject_id else None,
                    period_id=periods[mark.period_id] if mark.period_id else None, work_type=mark.work_type,
                    weight=mark.weight, date=mark.date, origin=LOCAL_ORIGIN,
                )
            )  # fmt: skip
        for entry in snapshot.attendance:
            session.add(
                AttendanceRow(
                    school_id=school_id, person_id=persons[entry.person_id], lesson_id=lessons[entry.lesson_id].id,
                    code=entry.code.value, minutes_late=entry.minutes_late, origin=LOCAL_ORIGIN,
                )
            )  # fmt: skip


def push_settings(base_url: str, code: str, token_env: str, **platform: object) -> Settings:
    """Settings of one school whose marks, attendance and homework are pushed to the emulator at `base_url`."""
    dnevnik_platform = DnevnikSettings.model_validate(
        {
            "kind": "dnevnik",
            "base_url": f"{base_url}/v2.0/",
            "token": SecretRef(env=token_env),
            "rate_limit_rps": 1000,
            "retries": 0,
            "directions": {e.value: Direction.PUSH.value for e in PUSHED},
            **platform,
        }
    )
    return Settings.model_validate(
        {
            "schools": [SchoolSettings(code=code, platform_ids={"dnevnik": str(platform_id("school", code))})],
            "platforms": {"dnevnik": dnevnik_platform},
        }
    )
