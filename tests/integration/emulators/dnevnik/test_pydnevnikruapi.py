"""The real third-party client, pydnevnikruapi 0.1.1, reads a school from the emulator as it would from
api.dnevnik.ru: the emulator is only as faithful as a client written against the real API finds it."""

from __future__ import annotations

import datetime as dt

import pytest
from pydnevnikruapi.aiodnevnik.dnevnik import AsyncDiaryAPI
from pydnevnikruapi.dnevnik.dnevnik import DiaryAPI
from pydnevnikruapi.dnevnik.exceptions import DiaryError

from edugateway.domain.models import MarkKind, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id


def _class_with_marks(school: SchoolSnapshot) -> tuple[str, dt.date, dt.date]:
    """A class (not a subgroup) that has lesson marks in October, and that month's range."""
    lesson_class = {les.id: les.class_id for les in school.lessons}
    homerooms = {c.id for c in school.classes if c.parent_id is None}
    for mark in school.marks:
        cls = lesson_class.get(mark.lesson_id or "")
        if mark.kind is MarkKind.LESSON and cls in homerooms and mark.date and mark.date.month == 10:
            return cls, dt.date(2026, 10, 1), dt.date(2026, 10, 30)
    raise AssertionError("the fixture school has no class with October marks")


def test_the_sync_client_reads_school_groups_persons_lessons_and_marks(
    served: tuple[dnevnik.DnevnikEmulator, str], school: SchoolSnapshot
) -> None:
    emulator, base_url = served
    code = school.school.code
    api = DiaryAPI(token=emulator.admin_token)
    api.host = f"{base_url}/v2/"
    with api:
        schools = api.get_school()
        assert [s["id"] for s in schools] == [platform_id("school", code)]
        school_id = schools[0]["id"]

        groups = api.get_school_groups(school_id)
        assert {g["name"] for g in groups} == {c.name for c in school.classes}

        class_id, first, last = _class_with_marks(school)
        group_id = platform_id("group", code, class_id)
        pupils = api.get_groups_pupils(group_id)
        enrolled = {e.person_id for e in school.enrollments if e.class_id == class_id}
        students = {p.id for p in school.persons if Role.STUDENT in p.roles}
        assert {p["id"] for p in pupils} == {platform_id("person", code, pid) for pid in enrolled & students}

        start, end = dt.datetime.combine(first, dt.time()), dt.datetime.combine(last, dt.time())
        lessons = api.get_group_lessons_info(group_id, start, end)
        expected = [les for les in school.lessons if les.class_id == class_id and first <= les.date <= last]
        assert {les["id"] for les in lessons} == {platform_id("lesson", code, les.id) for les in expected}
        assert all(les["group"] == group_id for les in lessons)

        marks = api.get_group_marks_period(group_id, start, end)
        # by entry date: late marks of earlier lessons and the quarter's finals (students of the class) count too
        class_lessons = {les.id for les in school.lessons if les.class_id == class_id}
        want = {
            platform_id("mark", code, m.id)
            for m in school.marks
            if m.date
            and first <= m.date <= last
            and (m.lesson_id in class_lessons or (m.kind is MarkKind.PERIOD_FINAL and m.person_id in enrolled))
        }
        assert want
        assert {m["id"] for m in marks} == want


def test_the_sync_client_sees_the_platforms_own_errors(served: tuple[dnevnik.DnevnikEmulator, str]) -> None:
    emulator, base_url = served
    api = DiaryAPI(token=emulator.admin_token)
    api.host = f"{base_url}/v2/"
    with api:
        group = next(iter(emulator.world.edu_groups))
        # more than 30 days: the client's own parameterInvalid check raises with the platform's description
        with pytest.raises(DiaryError, match="30 дней"):
            api.get_group_marks_period(group, dt.datetime(2026, 9, 1), dt.datetime(2026, 11, 1))


async def test_the_async_client_reads_the_same_school(
    served: tuple[dnevnik.DnevnikEmulator, str], school: SchoolSnapshot
) -> None:
    emulator, base_url = served
    api = AsyncDiaryAPI(token=emulator.admin_token)
    api.host = f"{base_url}/v2/"
    try:
        schools = await api.get_school()
        groups = await api.get_school_groups(schools[0]["id"])
        assert len(groups) == len(school.classes)
        info = await api.get_info()
        assert info["personId"] == emulator.world.person_of_user(emulator.admin_user)["id"]
    finally:
        await api.close_session()
