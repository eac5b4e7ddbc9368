"""The ЕЦП world: built consistently from a canonical school, saved and loaded without loss."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from edugateway.domain.models import EnrollmentRole, MarkKind, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators.ecp import SUBDIR, EcpWorld, admin_login, load_world, world_from_snapshot
from edugateway.emulators.ecp.ids import ecp_guid
from edugateway.errors import ConfigError


def test_every_enrolled_student_is_on_the_platform_with_the_diary_fields(
    school: SchoolSnapshot, world: EcpWorld
) -> None:
    homerooms = {c.id: c.name for c in school.classes if c.parent_id is None}
    enrolled = {
        e.person_id: e.class_id
        for e in school.enrollments
        if e.role is EnrollmentRole.STUDENT and e.class_id in homerooms
    }
    students = [p for p in school.persons if Role.STUDENT in p.roles and p.id in enrolled]
    by_local = {s["localId"]: s for s in world.students.values()}
    assert set(by_local) == {p.id for p in students}
    for person in students:
        row = by_local[person.id]
        assert (row["lastName"], row["firstName"], row["surName"]) == (
            person.last_name,
            person.first_name,
            person.middle_name,
        )
        assert row["className"] == homerooms[enrolled[person.id]]
        assert row["orgName"] == school.school.name
        assert world.classes[row["classId"]]["localId"] == enrolled[person.id]


def test_ids_are_version_7_guids_and_the_same_on_every_build(school: SchoolSnapshot, world: EcpWorld) -> None:
    for table in (world.students, world.classes, world.lessons, world.estimates, world.homework, world.periods):
        for key in list(table)[:50]:
            assert uuid.UUID(key).version == 7
    assert world == world_from_snapshot(school)
    assert ecp_guid("student", "a", created=school.periods[0].start_date) != ecp_guid(
        "student", "b", created=school.periods[0].start_date
    )


def test_lessons_marks_and_homework_keep_their_links(school: SchoolSnapshot, world: EcpWorld) -> None:
    lesson_marks = [m for m in school.marks if m.kind in (MarkKind.LESSON, MarkKind.WORK)]
    finals = [m for m in school.marks if m.kind is MarkKind.PERIOD_FINAL]
    assert len(world.lessons) == len(school.lessons)
    assert len(world.estimates) == len(lesson_marks) + len(finals)
    assert len(world.homework) == sum(1 for les in school.lessons if les.homework)
    for estimate in world.estimates.values():
        assert estimate["studentId"] in world.students
        assert estimate["subjectId"] in world.subjects
        if estimate["kind"] in ("lesson", "work"):
            assert world.lessons[estimate["lessonId"]]["subjectId"] == estimate["subjectId"]
        else:
            assert world.periods[estimate["periodId"]]["kind"] == "quarter"
    for homework in world.homework.values():
        assert homework["lessonId"] in world.lessons


def test_the_administrator_can_sign_in_and_parents_see_their_children(school: SchoolSnapshot, world: EcpWorld) -> None:
    admin = world.accounts[admin_login(school.school.code).lower()]
    assert admin["role"] == "admin"
    parents = [a for a in world.accounts.values() if a["role"] == "parent"]
    assert parents
    assert all(a["isParent"] and set(a["studentIds"]) <= set(world.students) for a in parents)


def test_save_and_load_give_the_same_world(world: EcpWorld, tmp_path: Path) -> None:
    world.uploads["students"][("s1",)] = {"student_id": "s1", "last_name": "Иванов"}
    root = world.save(tmp_path)
    assert root == tmp_path / SUBDIR
    assert (root / "students.jsonl").read_text(encoding="utf-8").count("\n") == len(world.students)
    loaded = EcpWorld.load(tmp_path)
    assert loaded == world
    assert loaded.lessons_of_student(*_a_student_day(world)) == world.lessons_of_student(*_a_student_day(world))


def _a_student_day(world: EcpWorld) -> tuple[str, str]:
    lesson = next(iter(world.lessons.values()))
    return world.students_of_class[lesson["classId"]][0], lesson["date"]


def test_a_malformed_line_is_named_by_file_and_line(world: EcpWorld, tmp_path: Path) -> None:
    root = world.save(tmp_path)
    with (root / "classes.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    lines = (root / "classes.jsonl").read_text(encoding="utf-8").count("\n")
    with pytest.raises(ConfigError, match=rf"classes\.jsonl:{lines}: not JSON"):
        EcpWorld.load(tmp_path)


def test_loading_a_world_without_an_ecp_directory_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="emulators world"):
        load_world(tmp_path)
