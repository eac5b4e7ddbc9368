"""Lessons (one, many, by group and date range) and works (read, batch, create)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.emulators.dnevnik import shapes
from edugateway.emulators.dnevnik.dates import day_of, fmt, parse_datetime, parse_range
from edugateway.emulators.dnevnik.errors import ApiError
from edugateway.emulators.dnevnik.ids import with_str
from edugateway.emulators.dnevnik.params import Edu, id_array, json_object, ok, parse_id
from edugateway.emulators.dnevnik.state import now_at_school, state_of
from edugateway.emulators.dnevnik.vocab import MARK_VALUES, WORK_TYPES
from edugateway.emulators.dnevnik.world import DnevnikWorld, Row

router = APIRouter()


def lessons_in_range(world: DnevnikWorld, group_id: int, first: dt.date, last: dt.date) -> list[Row]:
    out = []
    for lesson_id in world.lessons_by_group.get(group_id, []):
        lesson = world.lessons[lesson_id]
        day = day_of(lesson["date"])
        if day is not None and first <= day <= last:
            out.append(lesson)
    return out


@router.get("/lessons/{lesson}")
async def lesson_by_id(request: Request, lesson: str, session: Edu) -> Response:
    world = state_of(request).world
    return ok(shapes.lesson(world, world.lesson(parse_id(lesson, "lesson"))))


@router.post("/lessons/many")
async def lessons_many(request: Request, session: Edu) -> Response:
    world = state_of(request).world
    ids = await id_array(request, "lessons", wrapped_key="lessons")  # PJ sends a bare array, KP {"lessons": […]}
    return ok([shapes.lesson(world, world.lessons[i]) for i in ids if i in world.lessons])


@router.get("/edu-groups/{group}/lessons/{start}/{end}")
async def group_lessons(request: Request, group: str, start: str, end: str, session: Edu) -> Response:
    world = state_of(request).world
    group_id = int(world.group(parse_id(group, "group"))["id"])
    first, last = parse_range(start, end, "startDate", "endDate")
    return ok([shapes.lesson(world, row) for row in lessons_in_range(world, group_id, first, last)])


@router.get("/edu-groups/{group}/subjects/{subject}/lessons/{start}/{end}")
async def group_subject_lessons(
    request: Request, group: str, subject: str, start: str, end: str, session: Edu
) -> Response:
    world = state_of(request).world
    group_id = int(world.group(parse_id(group, "group"))["id"])
    subject_id = int(world.subject(parse_id(subject, "subject"))["id"])
    first, last = parse_range(start, end, "startDate", "endDate")
    rows = [row for row in lessons_in_range(world, group_id, first, last) if row["subject"] == subject_id]
    return ok([shapes.lesson(world, row) for row in rows])


@router.get("/works")
async def works_of_lesson_query(request: Request, session: Edu) -> Response:
    world = state_of(request).world
    lesson_id = int(world.lesson(parse_id(request.query_params.get("lesson", ""), "lesson"))["id"])
    return ok([shapes.work(world.works[w]) for w in world.works_by_lesson.get(lesson_id, [])])


@router.get("/lessons/{lesson}/works")
async def works_of_lesson(request: Request, lesson: str, session: Edu) -> Response:
    world = state_of(request).world
    lesson_id = int(world.lesson(parse_id(lesson, "lesson"))["id"])
    return ok([shapes.work(world.works[w]) for w in world.works_by_lesson.get(lesson_id, [])])


@router.get("/works/{work}")
async def work_by_id(request: Request, work: str, session: Edu) -> Response:
    return ok(shapes.work(state_of(request).world.work(parse_id(work, "work"))))


@router.post("/works/many")
async def works_many(request: Request, session: Edu) -> Response:
    world = state_of(request).world
    ids = await id_array(request, "works")
    return ok([shapes.work(world.works[w]) for w in ids if w in world.works])


@router.post("/works")
async def create_work(request: Request, session: Edu) -> Response:
    """A new work on a lesson (homework, a test, …), validated the way a strict server would."""
    world = state_of(request).world
    body = await json_object(request)
    lesson = world.lesson(parse_id(body.get("lesson") or body.get("lesson_str") or "", "lesson"))
    group_id = int(lesson["group"])
    if body.get("eduGroup") not in (None, 0, "") and parse_id(body["eduGroup"], "eduGroup") != group_id:
        raise ApiError.parameter("eduGroup", "группа не совпадает с группой урока")
    kind = body.get("type")
    if kind not in WORK_TYPES:
        raise ApiError.parameter("type", f"ожидалось одно из {', '.join(WORK_TYPES)}")
    mark_type = body.get("markType") or "mark5"
    if mark_type not in MARK_VALUES:
        raise ApiError.parameter("markType", f"'{mark_type}' не является системой оценок")
    mark_count = body.get("markCount", 1)
    if not isinstance(mark_count, int) or isinstance(mark_count, bool) or not 0 <= mark_count <= 10:
        raise ApiError.parameter("markCount", "ожидалось целое число от 0 до 10")
    school_id = int(world.group(group_id)["school"])
    work_type = _work_type(world, school_id, body.get("workType"), kind)
    text = body.get("text") or ""
    if not isinstance(text, str):
        raise ApiError.parameter("text", "ожидалась строка")
    target = parse_datetime(str(body["targetDate"]), "targetDate") if body.get("targetDate") else None
    work: dict[str, Any] = {}
    with_str(work, "id", world.new_id("work"))
    work.update(type=kind, workType=work_type, markType=mark_type, markCount=mark_count)
    with_str(work, "lesson", int(lesson["id"]))
    work.update(displayInJournal=bool(body.get("displayInJournal", True)), status="Sent")
    with_str(work, "eduGroup", group_id)
    work.update(tasks=[], text=text, periodNumber=body.get("periodNumber"), periodType=body.get("periodType"))
    work.update(subjectId=lesson["subject"], isImportant=bool(body.get("isImportant", False)))
    sent = fmt(now_at_school(state_of(request), group_id))  # a work made through the API is sent at once
    work.update(targetDate=fmt(target) if target else lesson["date"], sentDate=sent, createdBy=session.person_id)
    work.update(files=[], oneDriveLinks=[])
    world.add_work(work)
    return ok(shapes.work(work))


def _work_type(world: DnevnikWorld, school_id: int, value: object, kind: str) -> int:
    school_types = {wid: w for wid, w in world.work_types.items() if w.get("schoolId") == school_id}
    if value in (None, 0, ""):
        default = next((wid for wid, w in school_types.items() if w.get("kind") == kind), None)
        if default is None:
            raise ApiError.parameter("workType", f"в школе нет типа работы для '{kind}'")
        return default
    type_id = parse_id(value, "workType")
    if type_id not in school_types:
        raise ApiError.parameter("workType", f"тип работы {type_id} не найден в школе")
    return type_id
