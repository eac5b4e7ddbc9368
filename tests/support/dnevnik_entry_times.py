"""What the entry-time rules must find in a Дневник world, worked out from the world's own JSON alone: the
timetable's bells, the works' `sentDate` and the log entries' `createdDate` (naive local times of the school, so
their date is the school's). Shared by the compliance world test and the planted reconcile test."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection

from edugateway.domain.person_names import short_name
from edugateway.emulators.dnevnik import DnevnikWorld

NAIVE = "%Y-%m-%dT%H:%M:%S"
HOMEWORK = "compliance.homework_late"
ATTENDANCE = "compliance.attendance_late"


def _day_ends(world: DnevnikWorld) -> dict[tuple[int, str], dt.datetime]:
    """(class, day) -> when its last lesson (its subgroups' included) ends by the served timetable."""
    finish = {
        item["LessonNumber"]: dt.datetime.strptime(item["Finish"], NAIVE).time()
        for table in world.timetables.values()
        for item in table["Items"]
    }
    ends: dict[tuple[int, str], dt.datetime] = {}
    for lesson in world.lessons.values():
        group = world.edu_groups[lesson["group"]]
        key = ((group["parentIds"] or [group["id"]])[0], lesson["date"][:10])
        end = dt.datetime.combine(dt.date.fromisoformat(key[1]), finish[lesson["number"]])
        ends[key] = max(end, ends.get(key, end))
    return ends


def late_entries(
    world: DnevnikWorld, *, homework_minutes: int = 90, persons: Collection[str] | None = None
) -> dict[str, Counter[tuple[str, ...]]]:
    """Section key -> (subject, lesson day, lesson number) of each lesson whose homework was sent late, and
    (pupil, lesson day, lesson number) of each attendance entry made after the lesson day; `persons` (local ids)
    limits the entries to pupils the school has."""
    ends = _day_ends(world)
    limit = dt.timedelta(minutes=homework_minutes)
    found: dict[str, Counter[tuple[str, ...]]] = {HOMEWORK: Counter(), ATTENDANCE: Counter()}
    for work in world.works.values():
        if work["type"] != "Homework" or not work.get("sentDate") or not work.get("text"):
            continue
        lesson = world.lessons[work["lesson"]]
        group = world.edu_groups[lesson["group"]]
        end = ends[((group["parentIds"] or [group["id"]])[0], lesson["date"][:10])]
        if dt.datetime.strptime(work["sentDate"], NAIVE) > end + limit:
            subject = world.subjects[lesson["subject"]]["name"]
            found[HOMEWORK][(subject, lesson["date"][:10], str(lesson["number"]))] += 1
    for entry in world.log_entries.values():
        lesson = world.lessons[entry["lesson"]]
        person = world.persons[entry["person"]]
        if persons is not None and person["localId"] not in persons:
            continue
        if entry["status"] != "Attend" and entry["createdDate"][:10] > lesson["date"][:10]:
            pupil = short_name(person["lastName"], person["firstName"], person.get("middleName"))
            found[ATTENDANCE][(pupil, lesson["date"][:10], str(lesson["number"]))] += 1
    return found


def found_key(key: str, row: dict[str, object]) -> tuple[str, ...]:
    """The identifying columns of a row of the two sections, as `late_entries` names them."""
    who = row["subject"] if key == HOMEWORK else row["student"]
    return (str(who), str(row["lesson_date"]), str(row["lesson_number"]))
