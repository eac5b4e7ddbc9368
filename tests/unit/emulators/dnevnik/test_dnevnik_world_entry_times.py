"""The Дневник world's entry times are realistic: the timetable's bells match the lessons, homework is mostly sent
within 1.5 h of the class's last lesson and sometimes later, attendance is mostly entered on the lesson day and
sometimes on a later one; every time in the platform's naive local format."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import DnevnikWorld
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.synthetic import generate_school

UNTIL = dt.date(2026, 10, 20)
NAIVE = "%Y-%m-%dT%H:%M:%S"


@pytest.fixture(scope="module")
def school() -> SchoolSnapshot:
    return generate_journal(generate_school(students=110, classes=11).snapshot, until=UNTIL, seed=3)


@pytest.fixture(scope="module")
def world(school: SchoolSnapshot) -> DnevnikWorld:
    return dnevnik.world_from_snapshot(school, admin_password="pw", client_secret="s3cret")


def _day_ends(world: DnevnikWorld) -> dict[tuple[int, dt.date], dt.datetime]:
    """(class, day) -> end of the class's last lesson, from the lessons and the served timetable alone."""
    (table,) = world.timetables.values()
    finish = {item["LessonNumber"]: dt.datetime.strptime(item["Finish"], NAIVE).time() for item in table["Items"]}
    ends: dict[tuple[int, dt.date], dt.datetime] = {}
    for lesson in world.lessons.values():
        group = world.edu_groups[lesson["group"]]
        homeroom = (group["parentIds"] or [group["id"]])[0]
        start = dt.datetime.strptime(lesson["date"], NAIVE)
        end = dt.datetime.combine(start.date(), finish[lesson["number"]])
        key = (homeroom, start.date())
        ends[key] = max(end, ends.get(key, end))
    return ends


def test_each_lesson_starts_at_its_timetable_bell(world: DnevnikWorld) -> None:
    (table,) = world.timetables.values()
    start = {item["LessonNumber"]: item["Start"][11:] for item in table["Items"]}
    assert all(lesson["date"][11:] == start[lesson["number"]] for lesson in world.lessons.values())
    assert all(group["timetable"] in world.timetables for group in world.edu_groups.values())


def test_homework_is_mostly_sent_within_90_minutes_of_the_class_day_and_sometimes_later(world: DnevnikWorld) -> None:
    ends = _day_ends(world)
    outcome: defaultdict[str, int] = defaultdict(int)
    for work in world.works.values():
        if work["type"] != "Homework":
            continue
        lesson = world.lessons[work["lesson"]]
        group = world.edu_groups[lesson["group"]]
        sent = dt.datetime.strptime(work["sentDate"], NAIVE)  # naive local, no fraction
        end = ends[((group["parentIds"] or [group["id"]])[0], _day(lesson))]
        assert sent >= dt.datetime.strptime(lesson["date"], NAIVE)
        outcome["late" if sent > end + dt.timedelta(minutes=90) else "in time"] += 1
    total = sum(outcome.values())
    assert total > 1000
    assert 0.03 < outcome["late"] / total < 0.15


def _day(lesson: dict[str, object]) -> dt.date:
    return dt.date.fromisoformat(str(lesson["date"])[:10])


def test_attendance_is_mostly_entered_on_the_lesson_day_and_sometimes_later(world: DnevnikWorld) -> None:
    later = 0
    for entry in world.log_entries.values():
        lesson = world.lessons[entry["lesson"]]
        created = dt.datetime.strptime(entry["createdDate"], NAIVE + ".%f")
        assert len(entry["createdDate"]) == len("2019-09-15T16:35:53.853")
        assert created >= dt.datetime.strptime(lesson["date"], NAIVE)
        later += created.date() > _day(lesson)
    assert len(world.log_entries) > 500
    assert 0.02 < later / len(world.log_entries) < 0.12


def test_the_same_school_gives_the_same_times(school: SchoolSnapshot, world: DnevnikWorld) -> None:
    again = dnevnik.world_from_snapshot(school, admin_password="pw", client_secret="s3cret")
    assert again.works == world.works
    assert again.log_entries == world.log_entries
