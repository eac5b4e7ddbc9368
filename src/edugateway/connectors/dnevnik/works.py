"""Дневник.ру works as the journal push sees them (KeepsJournalWorks): a Work object -> PlatformWork, a WorkOrder
-> the body of `POST works`, and a mark on a final work -> the period/year final the pull's final-marks reads give.

A PeriodMark work names its period by `periodNumber` + `periodType` only (API.md §4.5), so its period id is found
among the group's reporting periods (`edu-groups/{g}/reporting-periods`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edugateway.connectors.base import PlatformWork, WorkOrder
from edugateway.domain.models import Mark, MarkKind
from edugateway.mapping import dnevnik as m
from edugateway.mapping.errors import invalid

Json = dict[str, Any]

FINAL_WORK_KINDS = frozenset({"PeriodMark", "YearMark"})


def period_of(work: Json, periods: Sequence[Json]) -> str | None:
    """The id of a PeriodMark work's reporting period (None for other works or a period the group lacks)."""
    if work.get("type") != "PeriodMark":
        return None
    key = (work.get("periodNumber"), work.get("periodType"))
    return next((m.ident(p) for p in periods if (p.get("number"), p.get("type")) == key), None)


def platform_work(work: Json, periods: Sequence[Json] = ()) -> PlatformWork:
    return PlatformWork(
        id=m.ident(work),
        kind=str(work.get("type") or ""),
        group_id=m.ident(work, "eduGroup"),
        subject_id=m.opt_ident(work, "subjectId"),
        lesson_id=m.opt_ident(work, "lesson"),
        work_type=m.opt_ident(work, "workType"),
        period_id=period_of(work, periods),
        text=work.get("text") or None,
    )


def order_body(order: WorkOrder) -> Json:
    """`POST works`: a lesson's work names its lesson (group and subject come from it); a final work names the
    group, the subject and, for a PeriodMark, the reporting period. Marks on homework are not given (markCount 0)."""
    body: Json = {"type": order.kind, "eduGroup": order.group_id, "subjectId": order.subject_id}
    if order.lesson_id:
        body["lesson"] = order.lesson_id
    if order.period_id:
        body["reportingPeriod"] = order.period_id
    if order.work_type:
        body["workType"] = order.work_type
    if order.text is not None:
        body["text"] = order.text
    body["markCount"] = 0 if order.kind == "Homework" else 1
    return body


def final_mark(row: Json, work: Json, period_id: str | None) -> Mark:
    """A mark on a PeriodMark/YearMark work, as `mapping.dnevnik.final_marks` maps the same mark from final-marks."""
    try:
        return Mark(
            id=m.ident(row),
            person_id=m.ident(row, "person"),
            value=m.mark_value(row),
            kind=MarkKind.PERIOD_FINAL if work.get("type") == "PeriodMark" else MarkKind.YEAR_FINAL,
            subject_id=m.opt_ident(work, "subjectId"),
            period_id=period_id or m.YEAR_PERIOD,
            date=m.local_date(row.get("date")),
        )
    except ValueError as exc:
        raise invalid(m.PLATFORM, "final mark", row.get("id_str") or row.get("id"), exc) from exc
