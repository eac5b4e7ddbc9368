"""`/api/homework?studentId&date`: one day's homework, paged day to day; `POST /api/homework/done`.

From public clients: the reply `{date, pagination{nextDate, previousDate}, homeworks[...]}` and its field
names, `date` optional (then the nearest day), the done-flag body `{homeworkId, isDone, studentId}`.
Inferred: a day is the day of the lesson the homework was set at; the nearest day is the first on or after
today that has homework, else the last one; times as `HH:MM:SS`.
"""

from __future__ import annotations

import bisect
import datetime as dt

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.emulators.ecp import dates, params, shapes
from edugateway.emulators.ecp.auth import Auth, json_object
from edugateway.emulators.ecp.errors import EcpError, EcpJSONResponse
from edugateway.emulators.ecp.state import state_of
from edugateway.emulators.ecp.world import EcpWorld, Row

router = APIRouter(prefix="/api/homework")


def _days_with_homework(world: EcpWorld, student_id: str) -> list[str]:
    return [d for d in world.lesson_days_of_student(student_id) if _homework_on(world, student_id, d)]


def _homework_on(world: EcpWorld, student_id: str, day: str) -> list[tuple[Row, Row]]:
    found = []
    for lesson in world.lessons_of_student(student_id, day):
        homework = world.homework_by_lesson.get(lesson["id"])
        if homework is not None:
            found.append((homework, lesson))
    return found


@router.get("")
async def homework(request: Request, session: Auth) -> Response:
    state = state_of(request)
    world = state.world
    student = params.visible_student(world, session, request.query_params.get("studentId"))
    tz = world.timezone()
    days = _days_with_homework(world, student["id"])
    asked = params.date(request.query_params.get("date"), "date")
    if asked is None:
        today = dt.datetime.fromtimestamp(state.clock(), tz).date().isoformat()
        at = bisect.bisect_left(days, today)
        asked = dt.date.fromisoformat(days[min(at, len(days) - 1)]) if days else dt.date.fromisoformat(today)
    day = asked.isoformat()
    at = bisect.bisect_left(days, day)
    later = days[at + 1 :] if at < len(days) and days[at] == day else days[at:]
    earlier = days[:at]
    return EcpJSONResponse(
        {
            "date": dates.local_midnight(asked, tz),
            "pagination": {
                "nextDate": dates.local_midnight(dt.date.fromisoformat(later[0]), tz) if later else None,
                "previousDate": dates.local_midnight(dt.date.fromisoformat(earlier[-1]), tz) if earlier else None,
            },
            "homeworks": [shapes.homework(h, les, student["id"]) for h, les in _homework_on(world, student["id"], day)],
        }
    )


@router.post("/done")
async def done(request: Request, session: Auth) -> Response:
    world = state_of(request).world
    body = await json_object(request)
    student = params.visible_student(world, session, str(body.get("studentId") or ""))
    homework_id = params.guid(str(body.get("homeworkId") or ""), "homeworkId")
    row = world.homework.get(homework_id or "")
    if row is None or row["lessonId"] not in world.lessons:
        raise EcpError(404, f"Домашнее задание {homework_id} не найдено")
    if world.lessons[row["lessonId"]]["classId"] not in world.groups_of_student.get(student["id"], []):
        raise EcpError(403, "Это задание не задано этому ученику")
    if not isinstance(body.get("isDone"), bool):
        raise EcpError.parameter("isDone", "The isDone field is required.")
    done_by = [s for s in row.get("doneBy", []) if s != student["id"]]
    row["doneBy"] = [*done_by, student["id"]] if body["isDone"] else done_by
    return Response(status_code=200)
