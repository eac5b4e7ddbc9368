"""What the Дневник emulator writes when a record is entered through its API: `createdDate` of an attendance entry
and `sentDate` of a work are the emulator's clock as the school's local time, in the platform's formats."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import httpx

from edugateway.domain.models import Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from support.fake_clock import FakeClock

Served = tuple[dnevnik.DnevnikEmulator, str]


def test_an_entry_made_through_the_api_is_stamped_with_the_school_local_time(
    served: Served, school: SchoolSnapshot, clock: FakeClock
) -> None:
    emulator, base = served
    headers = {"Access-Token": emulator.admin_token}
    code = school.school.code
    lesson = next(les for les in school.lessons if les.date.month == 11)
    student = next(
        e.person_id
        for e in school.enrollments
        if e.class_id == lesson.class_id
        and Role.STUDENT in next(p for p in school.persons if p.id == e.person_id).roles
    )
    lesson_id, person_id = platform_id("lesson", code, lesson.id), platform_id("person", code, student)
    clock.advance(3600.25)
    local = dt.datetime.fromtimestamp(clock.now, ZoneInfo(school.school.timezone)).replace(tzinfo=None)

    httpx.delete(f"{base}/v2.0/lessons/{lesson_id}/log-entries", headers=headers, params={"person": str(person_id)})
    entry = {"person": str(person_id), "lesson": str(lesson_id), "status": "Absent"}
    created = httpx.post(f"{base}/v2.0/lessons/{lesson_id}/log-entries", headers=headers, json=entry)
    assert created.status_code == 200, created.text
    assert created.json()["createdDate"] == local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}"

    work = httpx.post(
        f"{base}/v2.0/works", headers=headers, json={"lesson": str(lesson_id), "type": "Homework", "text": "§ 4"}
    )
    assert work.status_code == 200, work.text
    assert work.json()["sentDate"] == local.strftime("%Y-%m-%dT%H:%M:%S")
