"""Marks (by id, work, lesson, group or person and date range), mark writes, final marks, mark systems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.emulators.dnevnik import shapes
from edugateway.emulators.dnevnik.dates import day_of, fmt, parse_datetime, parse_range
from edugateway.emulators.dnevnik.errors import ApiError
from edugateway.emulators.dnevnik.finals import add_final, remove_final, update_final
from edugateway.emulators.dnevnik.ids import with_str
from edugateway.emulators.dnevnik.params import Edu, id_array, json_object, no_content, ok, parse_id
from edugateway.emulators.dnevnik.state import state_of
from edugateway.emulators.dnevnik.vocab import MARK_VALUES, MOODS, TEXT_VALUES, counts_in_average, mood_of
from edugateway.emulators.dnevnik.world import DnevnikWorld, Row

router = APIRouter()


def _marks(world: DnevnikWorld, ids: Iterable[int], keep: Callable[[Row], bool] = lambda _: True) -> list[Any]:
    rows = [world.marks[m] for m in ids if m in world.marks]
    rows = [m for m in rows if keep(m)]
    rows.sort(key=lambda m: (m.get("date") or "", m["id"]))
    return [shapes.mark(m) for m in rows]


def _in_range(first: dt.date, last: dt.date) -> Callable[[Row], bool]:
    def keep(mark: Row) -> bool:
        day = day_of(mark.get("date"))
        return day is not None and first <= day <= last

    return keep


def _group_work_marks(world: DnevnikWorld, group_id: int) -> list[int]:
    return [m for w in world.works_by_group.get(group_id, []) for m in world.marks_by_work.get(w, [])]


@router.get("/marks/values")
async def mark_values(session: Edu) -> Response:
    return ok(MARK_VALUES)


@router.get("/marks/values/type/{kind}")
async def mark_values_of(kind: str, session: Edu) -> Response:
    if kind not in MARK_VALUES:
        raise ApiError.parameter("type", f"'{kind}' не является системой оценок")
    return ok(MARK_VALUES[kind])


@router.get("/marks/{mark}")
async def mark_by_id(request: Request, mark: str, session: Edu) -> Response:
    return ok(shapes.mark(state_of(request).world.mark(parse_id(mark, "mark"))))


@router.get("/works/{work}/marks")
async def work_marks(request: Request, work: str, session: Edu) -> Response:
    world = state_of(request).world
    work_id = int(world.work(parse_id(work, "work"))["id"])
    return ok(_marks(world, world.marks_by_work.get(work_id, [])))


@router.get("/lessons/{lesson}/marks")
async def lesson_marks(request: Request, lesson: str, session: Edu) -> Response:
    world = state_of(request).world
    lesson_id = int(world.lesson(parse_id(lesson, "lesson"))["id"])
    return ok(_marks(world, [m for w in world.works_by_lesson.get(lesson_id, []) for m in world.marks_by_work[w]]))


@router.post("/lessons/marks")
@router.post("/lessons/many/marks")
async def lessons_marks(request: Request, session: Edu) -> Response:
    world = state_of(request).world
    ids = await id_array(request, "lessons", wrapped_key="lessons")
    return ok(
        _marks(world, [m for lid in ids for w in world.works_by_lesson.get(lid, []) for m in world.marks_by_work[w]])
    )


@router.get("/edu-groups/{group}/marks/{start}/{end}")
async def group_marks(request: Request, group: str, start: str, end: str, session: Edu) -> Response:
    world = state_of(request).world
    group_id = int(world.group(parse_id(group, "group"))["id"])
    first, last = parse_range(start, end, "startDate", "endDate")
    return ok(_marks(world, _group_work_marks(world, group_id), _in_range(first, last)))


@router.get("/edu-groups/{group}/subjects/{subject}/marks/{start}/{end}")
async def group_subject_marks(
    request: Request, group: str, subject: str, start: str, end: str, session: Edu
) -> Response:
    world = state_of(request).world
    group_id = int(world.group(parse_id(group, "group"))["id"])
    subject_id = int(world.subject(parse_id(subject, "subject"))["id"])
    first, last = parse_range(start, end, "startDate", "endDate")
    ids = [
        m
        for w in world.works_by_group.get(group_id, [])
        if world.works[w].get("subjectId") == subject_id
        for m in world.marks_by_work.get(w, [])
    ]
    return ok(_marks(world, ids, _in_range(first, last)))


def _person_marks(world: DnevnikWorld, person: str, keep_work: Callable[[Row], bool]) -> list[int]:
    person_id = int(world.person(parse_id(person, "person"))["id"])
    return [m for m in world.marks_by_person.get(person_id, []) if keep_work(world.works[int(world.marks[m]["work"])])]


@router.get("/persons/{person}/schools/{school}/marks/{start}/{end}")
async def person_school_marks(
    request: Request, person: str, school: str, start: str, end: str, session: Edu
) -> Response:
    world = state_of(request).world
    school_id = int(world.school(parse_id(school, "school"))["id"])
    first, last = parse_range(start, end, "startDate", "endDate")
    ids = _person_marks(world, person, lambda w: world.edu_groups[int(w["eduGroup"])].get("school") == school_id)
    return ok(_marks(world, ids, _in_range(first, last)))


@router.get("/persons/{person}/edu-groups/{group}/marks/{start}/{end}")
async def person_group_marks(request: Request, person: str, group: str, start: str, end: str, session: Edu) -> Response:
    world = state_of(request).world
    group_id = int(world.group(parse_id(group, "group"))["id"])
    first, last = parse_range(start, end, "startDate", "endDate")
    ids = _person_marks(world, person, lambda w: w["eduGroup"] == group_id)
    return ok(_marks(world, ids, _in_range(first, last)))


@router.get("/persons/{person}/subjects/{subject}/marks/{start}/{end}")
async def person_subject_marks(
    request: Request, person: str, subject: str, start: str, end: str, session: Edu
) -> Response:
    world = state_of(request).world
    subject_id = int(world.subject(parse_id(subject, "subject"))["id"])
    first, last = parse_range(start, end, "startDate", "endDate")
    ids = _person_marks(world, person, lambda w: w.get("subjectId") == subject_id)
    return ok(_marks(world, ids, _in_range(first, last)))


@router.get("/persons/{person}/lessons/{lesson}/marks")
async def person_lesson_marks(request: Request, person: str, lesson: str, session: Edu) -> Response:
    world = state_of(request).world
    lesson_id = int(world.lesson(parse_id(lesson, "lesson"))["id"])
    return ok(_marks(world, _person_marks(world, person, lambda w: w.get("lesson") == lesson_id)))


@router.get("/persons/{person}/works/{work}/marks")
async def person_work_marks(request: Request, person: str, work: str, session: Edu) -> Response:
    world = state_of(request).world
    work_id = int(world.work(parse_id(work, "work"))["id"])
    return ok(_marks(world, _person_marks(world, person, lambda w: w["id"] == work_id)))


# ---- writes -----------------------------------------------------------------------------------------
def _value(body: dict[str, Any], mark_type: str) -> str:
    value = body.get("value")
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value) not in MARK_VALUES[mark_type]:
        raise ApiError.parameter("value", f"'{value}' не является оценкой системы {mark_type}")
    return str(value)


def _mood(body: dict[str, Any], value: str) -> str:
    mood = body.get("mood") or mood_of(value)
    if mood not in MOODS:
        raise ApiError.parameter("mood", f"ожидалось одно из {', '.join(MOODS)}")
    return str(mood)


@router.post("/persons/{person}/works/{work}/mark")
async def put_mark(request: Request, person: str, work: str, session: Edu) -> Response:
    """«Выставить оценку ученику по работе». Body `{value, mood?, date?}` ([I]: no source shows the body).
    A mark on a PeriodMark/YearMark work is the person's final: the final-marks reads serve it too."""
    world = state_of(request).world
    student = world.person(parse_id(person, "person"))
    work_row = world.work(parse_id(work, "work"))
    body = await json_object(request)
    if not world.is_active_member(int(work_row["eduGroup"]), int(student["id"])):
        raise ApiError.parameter("person", "ученик не состоит в группе этой работы")
    value = _value(body, str(work_row["markType"]))
    given = [m for m in world.marks_by_work.get(int(work_row["id"]), []) if world.marks[m]["person"] == student["id"]]
    if len(given) >= max(1, int(work_row.get("markCount") or 1)):
        raise ApiError.parameter("work", "по этой работе ученику уже выставлено допустимое число оценок")
    lesson = world.lessons.get(int(work_row["lesson"])) if work_row.get("lesson") else None
    when = parse_datetime(str(body["date"]), "date") if body.get("date") else None
    mark: dict[str, Any] = {}
    with_str(mark, "id", world.new_id("mark"))
    mark.update(type=work_row["markType"], value=value)
    if value in TEXT_VALUES:
        mark["textValue"] = TEXT_VALUES[value]
    with_str(mark, "person", int(student["id"]))
    with_str(mark, "work", int(work_row["id"]))
    with_str(mark, "lesson", int(lesson["id"]) if lesson else None)
    mark.update(number=len(given), date=fmt(when) if when else (lesson["date"] if lesson else None))
    mark.update(workType=work_row["workType"], mood=_mood(body, value), use_avg_calc=counts_in_average(value))
    world.add_mark(mark)
    add_final(world, work_row, mark)
    return ok(shapes.mark(mark))


@router.put("/marks/{mark}")
async def change_mark(request: Request, mark: str, session: Edu) -> Response:
    world = state_of(request).world
    row = world.mark(parse_id(mark, "mark"))
    body = await json_object(request)
    value = _value(body, str(row["type"]))
    row.update(value=value, mood=_mood(body, value), use_avg_calc=counts_in_average(value))
    row.pop("textValue", None)
    if value in TEXT_VALUES:
        row["textValue"] = TEXT_VALUES[value]
    update_final(world, row)
    return ok(shapes.mark(row))


@router.delete("/marks/{mark}")
async def delete_mark(request: Request, mark: str, session: Edu) -> Response:
    world = state_of(request).world
    mark_id = int(world.mark(parse_id(mark, "mark"))["id"])
    world.remove_mark(mark_id)
    remove_final(world, mark_id)
    return no_content()


# ---- final marks ------------------------------------------------------------------------------------
def _finals(world: DnevnikWorld, group_id: int, keep: Callable[[Row], bool] = lambda _: True) -> list[Row]:
    return [f for f in world.final_marks if f["group"] == group_id and keep(f)]


@router.get("/edu-groups/{group}/final-marks")
async def group_final_marks(request: Request, group: str, session: Edu) -> Response:
    """PJ's shape: one row per student and period (null for the year), marks per subject inside."""
    world = state_of(request).world
    group_id = int(world.group(parse_id(group, "group"))["id"])
    rows: dict[tuple[int, int | None], dict[str, Any]] = {}
    for final in _finals(world, group_id):
        key = (int(final["person"]), final.get("reportingPeriod"))
        row = rows.get(key)
        if row is None:
            row = rows[key] = {}
            with_str(row, "person", key[0])
            with_str(row, "group", group_id)
            with_str(row, "reportingPeriod", key[1])
            row["per-subject-final-marks"] = []
        row["per-subject-final-marks"].append(_subject_final(final))
    return ok(list(rows.values()))


def _subject_final(final: Row) -> dict[str, Any]:
    return {
        "subject": final["subject"],
        "subject_str": final["subject_str"],
        "final-mark": shapes.mark(final["final-mark"]),
    }


@router.get("/persons/{person}/edu-groups/{group}/final-marks")
async def person_final_marks(request: Request, person: str, group: str, session: Edu) -> Response:
    world = state_of(request).world
    person_id = int(world.person(parse_id(person, "person"))["id"])
    group_id = int(world.group(parse_id(group, "group"))["id"])
    return ok([_subject_final(f) for f in _finals(world, group_id, lambda f: f["person"] == person_id)])


@router.get("/persons/{person}/edu-groups/{group}/allfinalmarks")
async def person_all_final_marks(request: Request, person: str, group: str, session: Edu) -> Response:
    world = state_of(request).world
    person_id = int(world.person(parse_id(person, "person"))["id"])
    group_id = int(world.group(parse_id(group, "group"))["id"])
    finals = _finals(world, group_id, lambda f: f["person"] == person_id)
    marks = [f["final-mark"] for f in finals]
    works = [world.works[int(m["work"])] for m in marks if int(m["work"]) in world.works]
    subjects = {int(f["subject"]): world.subjects[int(f["subject"])] for f in finals if f["subject"] in world.subjects}
    types = {
        int(w["workType"]): world.work_types[int(w["workType"])] for w in works if w["workType"] in world.work_types
    }
    return ok(
        {
            "marks": [shapes.mark(m) for m in marks],
            "works": [shapes.work(w) for w in {int(w["id"]): w for w in works}.values()],
            "subjects": [shapes.subject(s) for s in subjects.values()],
            "workTypes": [shapes.work_type_embedded(t) for t in types.values()],
        }
    )


@router.get("/edu-groups/{group}/subjects/{subject}/final-marks")
async def group_subject_final_marks(request: Request, group: str, subject: str, session: Edu) -> Response:
    world = state_of(request).world
    group_id = int(world.group(parse_id(group, "group"))["id"])
    subject_id = int(world.subject(parse_id(subject, "subject"))["id"])
    return ok([shapes.mark(f["final-mark"]) for f in _finals(world, group_id, lambda f: f["subject"] == subject_id)])
