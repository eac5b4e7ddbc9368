"""Дневник.ру's entry times -> canonical: bell times from the timetable, a homework's `sentDate`, an attendance
entry's `createdDate`, placed in the school's `timeZone` (tests/fixtures/dnevnik/journal_entry_times.json)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from edugateway.domain.models import AttendanceCode
from edugateway.errors import ValidationError
from edugateway.mapping import dnevnik as m
from support.fixture_files import fixture_json

PLUS_5 = dt.timezone(dt.timedelta(hours=5))


@pytest.fixture(scope="module")
def payloads() -> dict[str, Any]:
    return fixture_json("dnevnik/journal_entry_times.json")  # type: ignore[no-any-return]


def test_the_school_time_zone_is_its_whole_hour_offset(payloads: dict[str, Any]) -> None:
    assert m.school_zone(payloads["GET /v2.0/schools/{school}"]) == PLUS_5
    assert m.school_zone({"id": 1}) is None  # not sent: no zone is guessed
    assert m.school_zone({"timeZone": "5"}) is None


def test_a_lesson_takes_its_bells_from_the_timetable_and_its_homework_sent_time(payloads: dict[str, Any]) -> None:
    bells = m.bells(payloads["GET /v2.0/edu-groups/{eduGroup}/timetables"])
    lesson = m.lesson(payloads["GET /v2.0/lessons/{lesson}"], homework="№ 12, 14", zone=PLUS_5, timetable=bells)
    assert lesson.starts_at == dt.datetime(2019, 9, 16, 8, 55, tzinfo=PLUS_5)
    assert lesson.ends_at == dt.datetime(2019, 9, 16, 9, 40, tzinfo=PLUS_5)
    # Two homework works: the first one sent is when homework reached the journal; the lesson work has none.
    assert lesson.homework_sent_at == dt.datetime(2019, 9, 16, 12, 10, 42, tzinfo=PLUS_5)


def test_the_bells_of_a_weekday_not_in_an_item_days_are_not_taken(payloads: dict[str, Any]) -> None:
    bells = m.bells(payloads["GET /v2.0/edu-groups/{eduGroup}/timetables"])
    saturday = dt.date(2019, 9, 21)
    assert bells.times(saturday, 1) == (dt.time(9, 0), dt.time(9, 40))
    assert bells.times(dt.date(2019, 9, 16), 1) == (dt.time(8, 0), dt.time(8, 45))
    assert bells.times(saturday, 2) is None
    assert bells.times(dt.date(2019, 8, 30), 1) is None  # before the timetable starts


def test_without_the_school_zone_or_a_timetable_no_time_is_made_up(payloads: dict[str, Any]) -> None:
    obj = payloads["GET /v2.0/lessons/{lesson}"]
    bells = m.bells(payloads["GET /v2.0/edu-groups/{eduGroup}/timetables"])
    unzoned = m.lesson(obj, homework="№ 12, 14", timetable=bells)
    assert (unzoned.starts_at, unzoned.ends_at, unzoned.homework_sent_at) == (None, None, None)
    untimed = m.lesson(obj, homework="№ 12, 14", zone=PLUS_5)
    assert (untimed.starts_at, untimed.ends_at) == (None, None)
    assert untimed.homework_sent_at is not None
    assert m.lesson(obj, zone=PLUS_5).homework_sent_at is None  # no homework text: nothing was sent


def test_an_attendance_entry_says_when_it_was_entered(payloads: dict[str, Any]) -> None:
    absent, ill, present = payloads["GET /v2.0/lesson-log-entries/group/{eduGroup}"]
    entry = m.attendance(absent, zone=PLUS_5)
    assert entry is not None
    assert entry.code is AttendanceCode.ABSENT
    assert entry.entered_at == dt.datetime(2019, 9, 15, 16, 35, 53, 853000, tzinfo=PLUS_5)
    assert entry.entered_at.astimezone(dt.UTC) == dt.datetime(2019, 9, 15, 11, 35, 53, 853000, tzinfo=dt.UTC)
    sick = m.attendance(ill, zone=PLUS_5)
    assert sick is not None
    assert sick.entered_at == dt.datetime(2019, 9, 16, 9, 1, 7, tzinfo=PLUS_5)  # no fraction: read as well
    unzoned = m.attendance(absent)
    assert unzoned is not None
    assert unzoned.entered_at is None
    assert m.attendance(present, zone=PLUS_5) is None  # present: no record


def test_a_malformed_entry_time_is_refused_with_the_value() -> None:
    entry = {"person_str": "1", "lesson_str": "2", "status": "Absent", "createdDate": "16.09.2019 09:01"}
    with pytest.raises(ValidationError, match=r"16\.09\.2019 09:01"):
        m.attendance(entry, zone=PLUS_5)
