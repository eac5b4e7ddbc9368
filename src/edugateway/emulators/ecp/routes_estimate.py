"""Marks: `/api/estimate` and its selectors `/periods`, `/years`, `/subjects`.

From public clients (Egov66Client DTOs, dnevnik66): the parameters; the selectors' shapes; that the chosen
period decides the table (`«Текущая неделя»` → weekGradesTable, a quarter or half → periodGradesTable,
`«Итоговые оценки»` → yearGradesTable, the others null); marks as arrays of arrays of strings; presence
codes Н/У/Б; the all-subjects GUID; the `finalyGrade`/`finallygrade` spellings; that /periods needs classId.
Inferred: one inner array per mark, averages rounded to two places, the week table's paging like the
schedule's, and quarters for grades 1–9 but halves for 10–11 (as the synthetic school has them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.domain.marks import mark_score
from edugateway.emulators.ecp import dates, params, shapes
from edugateway.emulators.ecp.auth import Auth, Session
from edugateway.emulators.ecp.errors import EcpError, EcpJSONResponse
from edugateway.emulators.ecp.ids import ALL_SUBJECTS
from edugateway.emulators.ecp.routes_schedule import requested_week
from edugateway.emulators.ecp.state import state_of
from edugateway.emulators.ecp.world import EcpWorld, Row

router = APIRouter(prefix="/api/estimate")
SENIOR_GRADE = 10  # from this grade the year is split into halves, below it into quarters


def _context(world: EcpWorld, session: Session, request: Request, *, class_required: bool) -> tuple[Row, Row, str]:
    """(student, class, school year) of a request; classId, when given, must be the student's class."""
    query = request.query_params
    student = params.visible_student(world, session, query.get("studentId"))
    class_id = params.guid(query.get("classId"), "classId", required=class_required) or student["classId"]
    if class_id != student["classId"]:
        raise EcpError.parameter("classId", f"The value '{class_id}' is not valid.")
    homeroom = world.classes[class_id]
    return student, homeroom, params.school_year(query.get("schoolYear"), homeroom["schoolYear"])


def _periods_of(world: EcpWorld, homeroom: Row, year: str) -> list[Row]:
    terms = "half" if homeroom["grade"] >= SENIOR_GRADE else "quarter"
    return [p for p in world.periods_of_year(year) if p["kind"] in ("week", "final", terms)]


@router.get("/years")
async def years(request: Request, session: Auth) -> Response:
    world = state_of(request).world
    student = params.visible_student(world, session, request.query_params.get("studentId"))
    year = world.classes[student["classId"]]["schoolYear"]
    item = {"id": year, "text": f"{year}/{int(year) + 1}"}
    return EcpJSONResponse({"currentYear": item, "schoolYears": [item]})


@router.get("/periods")
async def periods(request: Request, session: Auth) -> Response:
    world = state_of(request).world
    _, homeroom, year = _context(world, session, request, class_required=True)
    return EcpJSONResponse({"periods": [shapes.id_name(p) for p in _periods_of(world, homeroom, year)]})


@router.get("/subjects")
async def subjects(request: Request, session: Auth) -> Response:
    world = state_of(request).world
    student, _, _ = _context(world, session, request, class_required=True)
    taught = {
        les["subjectId"] for g in world.groups_of_student.get(student["id"], []) for les in world.lessons_by_class[g]
    }
    rows = sorted((world.subjects[s] for s in taught), key=lambda s: s["name"])
    return EcpJSONResponse(
        {"subjects": [{"id": ALL_SUBJECTS, "name": "Все предметы"}] + [shapes.id_name(s) for s in rows]}
    )


@router.get("")
async def estimate(request: Request, session: Auth) -> Response:
    state = state_of(request)
    world = state.world
    student, homeroom, year = _context(world, session, request, class_required=False)
    query = request.query_params
    subject = params.guid(query.get("subjectId"), "subjectId", required=False)
    subject = None if subject == ALL_SUBJECTS else subject
    period_id = params.guid(query.get("periodId"), "periodId", required=False)
    available = {p["id"]: p for p in _periods_of(world, homeroom, year)}
    if period_id is not None and period_id not in available:
        raise EcpError.parameter("periodId", f"The value '{period_id}' is not valid.")
    period = available.get(period_id or "") or next((p for p in available.values() if p["kind"] == "week"), None)
    body: dict[str, Any] = {
        "weekGradesTable": None,
        "periodGradesTable": None,
        "yearGradesTable": None,
        "showAverageWeighted": True,
    }
    kind = period["kind"] if period else "week"
    if kind == "week":
        page = requested_week(state, request, int(year), "weekNumber")
        body["weekGradesTable"] = _week_table(world, student, int(year), page, subject)
    elif kind == "final":
        terms = [p for p in available.values() if p["kind"] not in ("week", "final")]
        body["yearGradesTable"] = _year_table(world, student, terms, subject)
    else:
        assert period is not None
        body["periodGradesTable"] = _period_table(world, student, period, subject)
    return EcpJSONResponse(body)


def _marks(world: EcpWorld, student_id: str, lesson_id: str) -> list[list[str]]:
    return [[e["value"]] for e in world.estimates_by_student_lesson.get((student_id, lesson_id), [])]


def _averages(estimates: Iterable[Row]) -> tuple[float | None, float | None]:
    scored = [(s, int(e.get("weight") or 1)) for e in estimates if (s := mark_score(e["value"])) is not None]
    if not scored:
        return None, None
    plain = sum(s for s, _ in scored) / len(scored)
    weighted = sum(s * w for s, w in scored) / sum(w for _, w in scored)
    return round(plain, 2), round(weighted, 2)


def _week_table(world: EcpWorld, student: Row, year: int, page: int, subject: str | None) -> dict[str, Any]:
    tz = world.timezone()
    monday = dates.week_start(year, min(max(page, 1), dates.WEEKS_IN_YEAR))
    days = []
    for offset in range(dates.SCHOOL_DAYS):
        day = monday + dt.timedelta(days=offset)
        lessons = [
            les
            for les in world.lessons_of_student(student["id"], day.isoformat())
            if subject in (None, les["subjectId"])
        ]
        days.append(
            {
                "date": dates.local_midnight(day, tz),
                "lessonGrades": [
                    {
                        "lessonId": les["id"],
                        "name": les["lessonName"],
                        "sequenceNumber": les["number"],
                        **shapes.pick(les, shapes.LESSON_TIME_FIELDS),
                        "presence": world.presence_of.get((student["id"], les["id"])),
                        "grades": _marks(world, student["id"], les["id"]),
                    }
                    for les in lessons
                ],
            }
        )
    last = monday + dt.timedelta(days=dates.SCHOOL_DAYS - 1)
    return {
        "paginationData": dates.pagination(page),
        "beginDate": dates.local_midnight(monday, tz),
        "endDate": dates.local_midnight(last, tz),
        "days": days,
    }


def _lessons_between(world: EcpWorld, student: Row, begin: str, end: str, subject: str | None) -> list[Row]:
    lessons = [
        les
        for g in world.groups_of_student.get(student["id"], [])
        for les in world.lessons_by_class[g]
        if begin <= les["date"] <= end and subject in (None, les["subjectId"])
    ]
    return sorted(lessons, key=lambda les: (les["date"], les["number"]))


def _finals(world: EcpWorld, student_id: str, kind: str) -> dict[tuple[str, str], str]:
    """(period id, subject id) -> the final mark of that kind."""
    return {
        (e["periodId"], e["subjectId"]): e["value"]
        for e in world.estimates_by_student.get(student_id, [])
        if e["kind"] == kind and e.get("periodId")
    }


def _period_table(world: EcpWorld, student: Row, period: Row, subject: str | None) -> dict[str, Any]:
    tz = world.timezone()
    sid = student["id"]
    lessons = _lessons_between(world, student, period["beginDate"], period["endDate"], subject)
    finals = _finals(world, sid, "period")
    by_subject: defaultdict[str, list[Row]] = defaultdict(list)
    for les in lessons:
        by_subject[les["subjectId"]].append(les)
    disciplines = []
    for subject_id, subject_lessons in sorted(by_subject.items(), key=lambda kv: world.subjects[kv[0]]["name"]):
        marks = [e for les in subject_lessons for e in world.estimates_by_student_lesson.get((sid, les["id"]), [])]
        average, weighted = _averages(marks)
        disciplines.append(
            {
                "name": world.subjects[subject_id]["name"],
                "averageGrade": average,
                "averageWeightedGrade": weighted,
                "totalGrade": finals.get((period["id"], subject_id)),
                "grades": [
                    {
                        "presence": world.presence_of.get((sid, les["id"])),
                        "lessonId": les["id"],
                        "date": dates.local_midnight(dt.date.fromisoformat(les["date"]), tz),
                        "grades": _marks(world, sid, les["id"]),
                    }
                    for les in subject_lessons
                ],
            }
        )
    days = sorted({les["date"] for les in lessons})
    return {
        "days": [{"date": dates.local_midnight(dt.date.fromisoformat(d), tz)} for d in days],
        "disciplines": disciplines,
    }


def _year_table(world: EcpWorld, student: Row, terms: list[Row], subject: str | None) -> dict[str, Any]:
    sid = student["id"]
    period_finals = _finals(world, sid, "period")
    year_finals = {s: v for (_, s), v in _finals(world, sid, "year").items()}
    begin = min((t["beginDate"] for t in terms), default="0000-00-00")
    end = max((t["endDate"] for t in terms), default="9999-99-99")
    lessons = _lessons_between(world, student, begin, end, subject)
    subject_ids = sorted({les["subjectId"] for les in lessons}, key=lambda s: world.subjects[s]["name"])
    rows = []
    for subject_id in subject_ids:
        grades = []
        for term in terms:
            in_term = [
                les
                for les in lessons
                if les["subjectId"] == subject_id and term["beginDate"] <= les["date"] <= term["endDate"]
            ]
            marks = [e for les in in_term for e in world.estimates_by_student_lesson.get((sid, les["id"]), [])]
            average, weighted = _averages(marks)
            grades.append(
                {
                    "averageGrade": average,
                    "averageWeightedGrade": weighted,
                    "finallygrade": period_finals.get((term["id"], subject_id)),
                    "periodId": term["id"],
                }
            )
        rows.append(
            {
                "lesson": shapes.id_name(world.subjects[subject_id]),
                "yearGrade": year_finals.get(subject_id),
                "testGrade": None,
                "finalyGrade": None,
                "grades": grades,
            }
        )
    return {"lessonGrades": rows, "periods": [shapes.id_name(t) for t in terms]}
