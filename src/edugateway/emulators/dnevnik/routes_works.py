"""Work writes: `POST works` (a lesson's work or homework, or a group's period/year final work) and
`PUT works/{id}` (a homework's text). Validated the way a strict server would; every refusal is the API's
`parameterInvalid` (400) or `apiResourceUnavailable` (404) body (API.md §4.5, §5)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.emulators.dnevnik import shapes
from edugateway.emulators.dnevnik.dates import fmt, parse_datetime
from edugateway.emulators.dnevnik.errors import ApiError
from edugateway.emulators.dnevnik.finals import FINAL_KINDS, group_periods
from edugateway.emulators.dnevnik.ids import with_str
from edugateway.emulators.dnevnik.params import Edu, json_object, ok, parse_id
from edugateway.emulators.dnevnik.state import now_at_school, state_of
from edugateway.emulators.dnevnik.vocab import MARK_VALUES, WORK_TYPES
from edugateway.emulators.dnevnik.world import DnevnikWorld, Row

router = APIRouter()


def _given(body: dict[str, Any], key: str) -> bool:
    return body.get(key) not in (None, 0, "")


def _placement(world: DnevnikWorld, body: dict[str, Any], kind: str) -> tuple[Row | None, int, int]:
    """(lesson, group, subject): a lesson's work takes both from its lesson, a final work from the body."""
    if kind in FINAL_KINDS:
        if _given(body, "lesson"):
            raise ApiError.parameter("lesson", f"работа {kind} не относится к уроку")
        if not _given(body, "eduGroup"):
            raise ApiError.parameter("eduGroup", f"для работы {kind} нужна группа")
        if not _given(body, "subjectId"):
            raise ApiError.parameter("subjectId", f"для работы {kind} нужен предмет")
        group_id = int(world.group(parse_id(body["eduGroup"], "eduGroup"))["id"])
        subject = world.subject(parse_id(body["subjectId"], "subjectId"))
        if subject.get("school") not in (None, world.group(group_id)["school"]):
            raise ApiError.parameter("subjectId", "предмет не относится к школе группы")
        return None, group_id, int(subject["id"])
    lesson = world.lesson(parse_id(body.get("lesson") or body.get("lesson_str") or "", "lesson"))
    group_id = int(lesson["group"])
    if _given(body, "eduGroup") and parse_id(body["eduGroup"], "eduGroup") != group_id:
        raise ApiError.parameter("eduGroup", "группа не совпадает с группой урока")
    if _given(body, "subjectId") and parse_id(body["subjectId"], "subjectId") != lesson["subject"]:
        raise ApiError.parameter("subjectId", "предмет не совпадает с предметом урока")
    return lesson, group_id, int(lesson["subject"])


def _period(world: DnevnikWorld, body: dict[str, Any], kind: str, group_id: int) -> Row | None:
    """A PeriodMark's period, named by `reportingPeriod` (id) or `periodNumber` + `periodType`; other kinds none."""
    named = _given(body, "reportingPeriod") or body.get("periodNumber") is not None or _given(body, "periodType")
    if kind != "PeriodMark":
        if kind == "YearMark" and named:
            raise ApiError.parameter("reportingPeriod", "итоговая работа за год не относится к периоду")
        return None
    periods = group_periods(world, group_id)
    if _given(body, "reportingPeriod"):
        period_id = parse_id(body["reportingPeriod"], "reportingPeriod")
        found = next((p for p in periods if p["id"] == period_id), None)
    else:
        number, type_ = body.get("periodNumber"), body.get("periodType")
        found = next((p for p in periods if p["number"] == number and p["type"] == type_), None)
    if found is None:
        raise ApiError.parameter("reportingPeriod", "у группы нет такого отчётного периода")
    return found


def _refuse_second_final(world: DnevnikWorld, kind: str, group_id: int, subject_id: int, period: Row | None) -> None:
    """One PeriodMark work per (group, subject, period) and one YearMark per (group, subject): the journal has one
    column for each final."""
    for wid in world.works_by_group.get(group_id, []):
        work = world.works[wid]
        if work["type"] != kind or work.get("subjectId") != subject_id:
            continue
        if period is None or (work.get("periodNumber"), work.get("periodType")) == (period["number"], period["type"]):
            raise ApiError.parameter("type", f"итоговая работа {kind} по предмету уже есть: {work['id']}")


@router.post("/works")
async def create_work(request: Request, session: Edu) -> Response:
    """A new work: a lesson's work or homework (`lesson`), or a group's final work (`eduGroup`, `subjectId` and,
    for PeriodMark, `reportingPeriod` or `periodNumber`/`periodType`). Returns the Work with its new id."""
    state = state_of(request)
    world = state.world
    body = await json_object(request)
    kind = body.get("type")
    if kind not in WORK_TYPES:
        raise ApiError.parameter("type", f"ожидалось одно из {', '.join(WORK_TYPES)}")
    lesson, group_id, subject_id = _placement(world, body, str(kind))
    period = _period(world, body, str(kind), group_id)
    mark_type = body.get("markType") or "mark5"
    if mark_type not in MARK_VALUES:
        raise ApiError.parameter("markType", f"'{mark_type}' не является системой оценок")
    mark_count = body.get("markCount", 1)
    if not isinstance(mark_count, int) or isinstance(mark_count, bool) or not 0 <= mark_count <= 10:
        raise ApiError.parameter("markCount", "ожидалось целое число от 0 до 10")
    work_type = _work_type(world, int(world.group(group_id)["school"]), body.get("workType"), str(kind))
    text = body.get("text") or ""
    if not isinstance(text, str):
        raise ApiError.parameter("text", "ожидалась строка")
    if kind == "Homework" and not text.strip():
        raise ApiError.parameter("text", "у домашнего задания должен быть текст")
    if kind in FINAL_KINDS:
        _refuse_second_final(world, str(kind), group_id, subject_id, period)
    target = parse_datetime(str(body["targetDate"]), "targetDate") if body.get("targetDate") else None
    default_target = lesson["date"] if lesson else (period["finish"] if period else None)
    work: dict[str, Any] = {}
    with_str(work, "id", world.new_id("work"))
    work.update(type=kind, workType=work_type, markType=mark_type, markCount=mark_count)
    with_str(work, "lesson", int(lesson["id"]) if lesson else None)
    work.update(displayInJournal=bool(body.get("displayInJournal", True)), status="Sent")
    with_str(work, "eduGroup", group_id)
    work.update(tasks=[], text=text)
    work.update(periodNumber=period["number"] if period else None, periodType=period["type"] if period else None)
    work.update(subjectId=subject_id, isImportant=bool(body.get("isImportant", False)))
    sent = fmt(now_at_school(state, group_id))  # a work made through the API is sent at once
    work.update(targetDate=fmt(target) if target else default_target, sentDate=sent, createdBy=session.person_id)
    work.update(files=[], oneDriveLinks=[])
    world.add_work(work)
    return ok(shapes.work(work))


@router.put("/works/{work}")
async def change_work(request: Request, work: str, session: Edu) -> Response:
    """[I] A homework's text changed (`{text}`); the lesson's homework read shows it and `sentDate` moves to now.
    Other fields are fixed once the work exists: change them by deleting the marks and making a new work."""
    state = state_of(request)
    row = state.world.work(parse_id(work, "work"))
    body = await json_object(request)
    text = body.get("text")
    if not isinstance(text, str) or (row["type"] == "Homework" and not text.strip()):
        raise ApiError.parameter("text", "у домашнего задания должен быть текст")
    row.update(text=text, sentDate=fmt(now_at_school(state, int(row["eduGroup"]))))
    return ok(shapes.work(row))


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
