"""Attendance: lesson log entries (statuses Attend/Absent/Ill/Late/Pass), reads by lesson, group, person and
date range, and the writes POST/PUT/DELETE lessons/{lesson}/log-entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.emulators.dnevnik import shapes
from edugateway.emulators.dnevnik.dates import fmt_ms, parse_range
from edugateway.emulators.dnevnik.errors import ApiError
from edugateway.emulators.dnevnik.ids import with_str
from edugateway.emulators.dnevnik.params import Edu, json_object, no_content, ok, parse_id, parse_ids
from edugateway.emulators.dnevnik.routes_lessons import lessons_in_range
from edugateway.emulators.dnevnik.state import now_at_school, state_of
from edugateway.emulators.dnevnik.vocab import LOG_STATUSES
from edugateway.emulators.dnevnik.world import DnevnikWorld, Row

router = APIRouter()


def _entries(world: DnevnikWorld, lessons: list[Row], person_id: int | None = None) -> list[dict[str, Any]]:
    out = []
    for lesson in lessons:
        for pid, entry in world.log_by_lesson.get(int(lesson["id"]), {}).items():
            if person_id is None or pid == person_id:
                out.append(shapes.log_entry(entry))
    return out


def _person_lessons(world: DnevnikWorld, person_id: int, first: dt.date, last: dt.date) -> list[Row]:
    groups = dict.fromkeys(int(m["eduGroup"]) for m in world.members_by_person.get(person_id, []))
    lessons = [lesson for g in groups for lesson in lessons_in_range(world, g, first, last)]
    return sorted(lessons, key=lambda lesson: (lesson["date"], lesson["number"]))


@router.get("/lesson-log-entries/statuses")
async def statuses(session: Edu) -> Response:
    return ok(LOG_STATUSES)


@router.get("/lesson-log-entries")
async def entries_of_lessons(request: Request, session: Edu) -> Response:
    world = state_of(request).world
    ids = parse_ids(request.query_params.getlist("lessons"), "lessons")
    return ok(_entries(world, [world.lessons[i] for i in ids if i in world.lessons]))


@router.get("/lesson-log-entries/lesson/{lesson}/person/{person}")
async def entry_of_person(request: Request, lesson: str, person: str, session: Edu) -> Response:
    world = state_of(request).world
    lesson_id = int(world.lesson(parse_id(lesson, "lesson"))["id"])
    person_id = int(world.person(parse_id(person, "person"))["id"])
    entry = world.log_by_lesson.get(lesson_id, {}).get(person_id)
    if entry is None:
        raise ApiError.not_found("lessonLogEntry", f"{lesson_id}/{person_id}")
    return ok(shapes.log_entry(entry))


@router.get("/lesson-log-entries/group/{group}")
async def entries_of_group(request: Request, group: str, session: Edu) -> Response:
    world = state_of(request).world
    group_id = int(world.group(parse_id(group, "eduGroup"))["id"])
    query = request.query_params
    first, last = parse_range(query.get("from"), query.get("to"), "from", "to")
    lessons = lessons_in_range(world, group_id, first, last)
    if query.get("subject"):
        subject_id = int(world.subject(parse_id(query["subject"], "subject"))["id"])
        lessons = [lesson for lesson in lessons if lesson["subject"] == subject_id]
    return ok(_entries(world, lessons))


@router.get("/lesson-log-entries/person/{person}/subject/{subject}")
async def entries_of_person_subject(request: Request, person: str, subject: str, session: Edu) -> Response:
    world = state_of(request).world
    person_id = int(world.person(parse_id(person, "personID"))["id"])
    subject_id = int(world.subject(parse_id(subject, "subjectID"))["id"])
    first, last = parse_range(request.query_params.get("from"), request.query_params.get("to"), "from", "to")
    lessons = [x for x in _person_lessons(world, person_id, first, last) if x["subject"] == subject_id]
    return ok(_entries(world, lessons, person_id))


@router.get("/persons/{person}/lesson-log-entries")
async def entries_of_person(request: Request, person: str, session: Edu) -> Response:
    """`{logEntries, lessons}` as the 2025 client reads it; an older one reads a plain list (docs/platforms)."""
    world = state_of(request).world
    person_id = int(world.person(parse_id(person, "person"))["id"])
    query = request.query_params
    first, last = parse_range(query.get("startDate"), query.get("endDate"), "startDate", "endDate")
    lessons = _person_lessons(world, person_id, first, last)
    entries = _entries(world, lessons, person_id)
    seen = {int(e["lesson"]) for e in entries}
    return ok({"logEntries": entries, "lessons": [shapes.lesson(world, x) for x in lessons if x["id"] in seen]})


@router.get("/lessons/{lesson}/log-entries")
async def entries_of_lesson(request: Request, lesson: str, session: Edu) -> Response:
    world = state_of(request).world
    return ok(_entries(world, [world.lesson(parse_id(lesson, "lesson"))]))


# ---- writes -----------------------------------------------------------------------------------------
def _target(world: DnevnikWorld, lesson: Row, person_value: object) -> int:
    person_id = int(world.person(parse_id(person_value, "person"))["id"])
    if not world.is_active_member(int(lesson["group"]), person_id):
        raise ApiError.parameter("person", "ученик не состоит в группе урока")
    return person_id


def _fields(body: dict[str, Any], lesson: Row) -> tuple[str, str | None]:
    if body.get("lesson") not in (None, 0, "") and parse_id(body["lesson"], "lesson") != lesson["id"]:
        raise ApiError.parameter("lesson", "урок в теле запроса не совпадает с уроком в адресе")
    status = body.get("status")
    if status not in LOG_STATUSES:
        raise ApiError.parameter("status", f"ожидалось одно из {', '.join(LOG_STATUSES)}")
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ApiError.parameter("comment", "ожидалась строка")
    return str(status), comment


@router.post("/lessons/{lesson}/log-entries")
async def create_entry(request: Request, lesson: str, session: Edu) -> Response:
    """A new entry for (lesson, person). [I] (API.md §4.7 gives POST for a new entry and PUT for a change): a
    second POST for the same pair is refused with `parameterInvalid` (400) and the entry is left as it was; PUT
    changes it, DELETE removes it."""
    state = state_of(request)
    world = state.world
    row = world.lesson(parse_id(lesson, "lesson"))
    body = await json_object(request)
    person_id = _target(world, row, body.get("person") or body.get("person_str") or "")
    status, comment = _fields(body, row)
    if person_id in world.log_by_lesson.get(int(row["id"]), {}):
        raise ApiError.parameter("person", "запись посещаемости уже существует; измените её методом PUT")
    entry: dict[str, Any] = {}
    with_str(entry, "person", person_id)
    with_str(entry, "lesson", int(row["id"]))
    entry.update(comment=comment, status=status, createdDate=fmt_ms(now_at_school(state, int(row["group"]))))
    world.put_log_entry(entry)
    return ok(shapes.log_entry(entry))


@router.put("/lessons/{lesson}/log-entries")
async def update_entry(request: Request, lesson: str, session: Edu) -> Response:
    state = state_of(request)
    world = state.world
    row = world.lesson(parse_id(lesson, "lesson"))
    body = await json_object(request)
    person_id = _target(world, row, request.query_params.get("person") or body.get("person") or "")
    status, comment = _fields(body, row)
    entry = world.log_by_lesson.get(int(row["id"]), {}).get(person_id)
    if entry is None:
        raise ApiError.not_found("lessonLogEntry", f"{row['id']}/{person_id}")
    entry.update(status=status, comment=comment)
    return ok(shapes.log_entry(entry))


@router.delete("/lessons/{lesson}/log-entries")
async def delete_entry(request: Request, lesson: str, session: Edu) -> Response:
    world = state_of(request).world
    row = world.lesson(parse_id(lesson, "lesson"))
    person_id = int(world.person(parse_id(request.query_params.get("person", ""), "person"))["id"])
    if person_id not in world.log_by_lesson.get(int(row["id"]), {}):
        raise ApiError.not_found("lessonLogEntry", f"{row['id']}/{person_id}")
    world.delete_log_entry(int(row["id"]), person_id)
    return no_content()
