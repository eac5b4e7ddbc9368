"""The Дневник world built from a canonical school: consistent, in the platform's shapes, round-trips through
JSON Lines, and never lets a storage-only key (SNILS above all) into a response."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from edugateway.domain.models import MarkKind, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import DnevnikWorld, platform_id
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.synthetic import generate_school
from edugateway.errors import ConfigError

UNTIL = dt.date(2026, 11, 20)  # past the end of the first quarter, so there are quarter finals


@pytest.fixture(scope="module")
def school() -> SchoolSnapshot:
    return generate_journal(generate_school(students=110, classes=11).snapshot, until=UNTIL, seed=3)


@pytest.fixture(scope="module")
def world(school: SchoolSnapshot) -> DnevnikWorld:
    return dnevnik.world_from_snapshot(school, admin_password="secret-pw", client_secret="app-secret")


def test_every_record_of_the_school_is_in_the_world_with_int64_ids_and_str_twins(
    school: SchoolSnapshot, world: DnevnikWorld
) -> None:
    assert len(world.persons) == len(school.persons) + 1  # plus the gateway's administrator account
    assert len(world.edu_groups) == len(school.classes)
    assert len(world.lessons) == len(school.lessons)
    assert len(world.log_entries) == len(school.attendance)
    finals = [m for m in school.marks if m.kind is MarkKind.PERIOD_FINAL]
    assert finals, "the fixture must reach a closed quarter"
    assert len(world.final_marks) == len(finals)
    assert len(world.marks) == len(school.marks)
    for row in (*world.persons.values(), *world.edu_groups.values(), *world.lessons.values(), *world.marks.values()):
        assert row["id"] > 2**53
        assert row["id_str"] == str(row["id"])
    student = next(p for p in school.persons if Role.STUDENT in p.roles)
    assert world.persons[platform_id("person", school.school.code, student.id)]["lastName"] == student.last_name


def test_references_point_at_records_that_exist(world: DnevnikWorld) -> None:
    for mark in world.marks.values():
        work = world.works[mark["work"]]
        assert mark["workType"] == work["workType"]
        assert work["workType"] in world.work_types
        assert mark["lesson"] is None or mark["lesson"] in world.lessons
    for membership in world.memberships:
        assert membership["eduGroup"] in world.edu_groups
        assert membership["person"] in world.persons
    for group in world.edu_groups.values():
        for parent in group["parentIds"] or []:
            assert world.edu_groups[parent]["type"] == "Group"
    for lesson in world.lessons.values():
        assert lesson["group"] in world.edu_groups
        assert lesson["subject"] in world.subjects
        assert all(t in world.persons for t in lesson["teachers"])


def test_late_marks_keep_their_entry_date_and_special_marks_their_label(
    school: SchoolSnapshot, world: DnevnikWorld
) -> None:
    code = school.school.code
    lesson_date = {les.id: les.date for les in school.lessons}
    for mark in school.marks:
        row = world.marks[platform_id("mark", code, mark.id)]
        if mark.date:
            assert row["date"][:10] == mark.date.isoformat()
        if mark.value == "Н/А":
            assert (row["value"], row["textValue"], row["use_avg_calc"]) == ("НА", "Н/А", False)
        if mark.kind is MarkKind.LESSON and mark.lesson_id:
            assert row["lesson"] == platform_id("lesson", code, mark.lesson_id)
            assert lesson_date[mark.lesson_id] <= dt.date.fromisoformat(row["date"][:10])


def test_a_saved_world_loads_back_equal(world: DnevnikWorld, tmp_path: Path) -> None:
    root = world.save(tmp_path)
    assert (root / "persons.jsonl").exists()
    loaded = dnevnik.load_world(tmp_path)
    assert loaded.persons == world.persons
    assert loaded.marks == world.marks
    assert loaded.log_entries == world.log_entries
    assert loaded.final_marks == world.final_marks


def test_a_missing_or_broken_world_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no Дневник world"):
        dnevnik.load_world(tmp_path)
    (tmp_path / "dnevnik").mkdir()
    (tmp_path / "dnevnik" / "persons.jsonl").write_text('{"id": 1}\nnot json\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"persons.jsonl:2"):
        dnevnik.load_world(tmp_path)


async def test_snils_finds_a_person_but_never_comes_back(school: SchoolSnapshot, world: DnevnikWorld) -> None:
    emulator = dnevnik.create_app(world)
    transport = httpx.ASGITransport(app=emulator.app)
    headers = {"Access-Token": emulator.admin_token}
    person = next(p for p in school.persons if p.snils and Role.STUDENT in p.roles)
    async with httpx.AsyncClient(transport=transport, base_url="http://dnevnik.test", headers=headers) as client:
        found = await client.get("/v2.0/persons/search", params={"snils": person.snils})
        assert found.status_code == 200
        body = found.json()
        assert [p["id_str"] for p in body] == [str(platform_id("person", school.school.code, person.id))]
        me = await client.get("/v2/users/me")
        raw = found.text + (await client.get(f"/v2/persons/{body[0]['id_str']}")).text + me.text
    assert person.snils is not None
    assert person.snils not in raw
    for key in ("snils", "localId", "schoolIds"):
        assert key not in raw
