"""Lessons (one, many, by group and date range) and works (read, batch); work writes are in routes_works."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.emulators.dnevnik import shapes
from edugateway.emulators.dnevnik.dates import day_of, parse_range
from edugateway.emulators.dnevnik.params import Edu, id_array, ok, parse_id
from edugateway.emulators.dnevnik.state import state_of
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
