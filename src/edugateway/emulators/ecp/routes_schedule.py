"""`/api/schedule?studentId&pageNumber` (or `&date`): one school week a page, in the captured reply's shape.

From the captured reply: every field name, the week paging (pageSize 1, 52 pages), Monday to Saturday,
dates at local midnight with the offset, times possibly null. Inferred: an out-of-range page answers
`pageNumberOutOfRange: true` with `scheduleModel: null`; `isCelebration` is always false (no holiday
calendar in the world).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.emulators.ecp import dates, params, shapes
from edugateway.emulators.ecp.auth import Auth
from edugateway.emulators.ecp.errors import EcpJSONResponse
from edugateway.emulators.ecp.state import EmulatorState, state_of
from edugateway.emulators.ecp.world import Row

router = APIRouter(prefix="/api")
LessonsOf = Callable[[str, str], list[Row]]  # (student id, YYYY-MM-DD) -> lessons by number


def requested_week(state: EmulatorState, request: Request, year: int, page_param: str) -> int:
    """The page asked for by number or by a date in it; by default the current week, kept inside the year."""
    page = params.integer(request.query_params.get(page_param), page_param)
    if page is not None:
        return page
    day = params.date(request.query_params.get("date"), "date")
    if day is None:
        day = dt.datetime.fromtimestamp(state.clock(), state.world.timezone()).date()
        return dates.clamp_week(dates.week_number(day, year))
    return dates.week_number(day, year)


@router.get("/schedule")
async def schedule(request: Request, session: Auth) -> Response:
    state = state_of(request)
    world = state.world
    student = params.visible_student(world, session, request.query_params.get("studentId"))
    year = world.classes[student["classId"]]["schoolYear"]
    page = requested_week(state, request, int(year), "pageNumber")
    body: dict[str, Any] = {"schoolYear": year, "paginationData": dates.pagination(page), "scheduleModel": None}
    if 1 <= page <= dates.WEEKS_IN_YEAR:
        body["scheduleModel"] = week_model(world.timezone(), int(year), page, student, world.lessons_of_student)
    return EcpJSONResponse(body)


def week_model(tz: ZoneInfo, year: int, page: int, student: Row, lessons_of: LessonsOf) -> dict[str, Any]:
    monday = dates.week_start(year, page)
    days = []
    for offset in range(dates.SCHOOL_DAYS):
        day = monday + dt.timedelta(days=offset)
        days.append(
            {
                "date": dates.local_midnight(day, tz),
                "isWeekend": False,
                "isCelebration": False,
                "dayOfWeekName": dates.DAY_NAMES[day.weekday()],
                "scheduleDayLessonModels": [
                    shapes.schedule_lesson(les) for les in lessons_of(student["id"], day.isoformat())
                ],
            }
        )
    return {
        "beginDate": dates.local_midnight(monday, tz),
        "endDate": dates.local_midnight(monday + dt.timedelta(days=dates.SCHOOL_DAYS - 1), tz),
        "weekNumber": page,
        "days": days,
    }
