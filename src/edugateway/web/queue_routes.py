"""The queue page, its Excel export and its bulk actions (assign or dismiss many cases with one reason)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from edugateway.identity.case_types import CaseStatus, CaseType
from edugateway.store.case_lists import queue_lines
from edugateway.web.accounts import assignable_users
from edugateway.web.bulk_actions import BULK_ACTIONS, run_bulk
from edugateway.web.context import Changer, Reader, set_flash, web_state
from edugateway.web.queue import (
    ANY_STATUS,
    MINE,
    NOBODY,
    ROLE_CHOICES,
    SORT_TITLES,
    QueueFilter,
    load_names,
    load_queue,
    queue_row,
)
from edugateway.web.queue_export import EXPORT_LIMIT, queue_workbook
from edugateway.web.row_ids import parse_id
from edugateway.web.templating import render

router = APIRouter()

STATUSES = [s.value for s in CaseStatus]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/")
def home() -> Response:
    return RedirectResponse("/cases", status_code=303)


def _filter(request: Request) -> QueueFilter:
    """From the query string; a value that makes no sense is ignored rather than refused, as a link may be old."""
    query = request.query_params
    school = query.get("school", "")
    case_type = query.get("type", "")
    status = query.get("status", CaseStatus.OPEN.value)
    page = query.get("page", "1")
    role = query.get("role", "")
    sort = query.get("sort", "opened")
    return QueueFilter(
        school_id=parse_id(school),
        class_name=query.get("class", "").strip()[:50] or None,
        case_type=case_type if case_type in {t.value for t in CaseType} else None,
        status=status if status in (*STATUSES, ANY_STATUS) else CaseStatus.OPEN.value,
        page=parse_id(page) or 1,  # past the last page: the last page
        search=" ".join(query.get("q", "").split())[:100],
        role=role if role in ROLE_CHOICES else None,
        assignee=query.get("assignee", "").strip()[:100],
        sort=sort if sort in SORT_TITLES else "opened",
    )


@router.get("/cases")
def queue(request: Request, who: Reader) -> Response:
    chosen = _filter(request)
    db = web_state(request).db
    found = load_queue(db, chosen, who.account.schools, me=who.account.username)
    schools = [sid for sid, _ in found.schools]
    # Whom a bulk action may give cases to: accounts that read every school in view (a case's own school is
    # checked again per case when it is assigned).
    assignable = {a.username: a.shown_name for sid in schools[:1] for a in assignable_users(db, sid)}
    for sid in schools[1:]:
        allowed = {a.username for a in assignable_users(db, sid)}
        assignable = {k: v for k, v in assignable.items() if k in allowed}
    return render(
        request,
        "queue.html",
        {
            "queue": found,
            "chosen": chosen,
            "case_types": [t.value for t in CaseType],
            "statuses": STATUSES,
            "any_status": ANY_STATUS,
            "no_school": who.account.schools.empty,
            "roles": ROLE_CHOICES,
            "sorts": SORT_TITLES,
            "mine": MINE,
            "nobody": NOBODY,
            "assignable": sorted(assignable.items(), key=lambda pair: pair[1]),
            "bulk_actions": BULK_ACTIONS,
            "here": "/cases?" + urlencode(chosen.query(page=chosen.page)),
        },
        who=who,
    )


@router.get("/cases/export.xlsx")
def export(request: Request, who: Reader) -> Response:
    """The whole filtered queue (every page) as an XLSX."""
    chosen = _filter(request)
    state = web_state(request)
    lines = queue_lines(state.db, chosen.cases(who.account.username), scope=who.account.schools, limit=EXPORT_LIMIT)
    names = load_names(state.db)
    settings = state.settings
    zone = ZoneInfo(settings.schools[0].timezone if settings.schools else "Europe/Moscow")
    body = queue_workbook([queue_row(line, names) for line in lines], zone)
    day = dt.datetime.now(zone).date().isoformat()
    return Response(
        body,
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="cases-{day}.xlsx"',
            "Cache-Control": "no-store",  # names of pupils: not kept in the browser's cache
        },
    )


@router.post("/cases/bulk")
def bulk(
    request: Request,
    who: Changer,
    action: Annotated[str, Form()] = "",
    case_ids: Annotated[list[str] | None, Form(alias="case")] = None,
    assignee: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "/cases",
) -> Response:
    """One action with one reason on each chosen case, each case journaled on its own; a case that is not the
    account's school's, closed meanwhile, or of a type the action cannot fix is left alone and counted."""
    state = web_state(request)
    outcome = run_bulk(
        state.db, who.account, action, [parse_id(c) for c in case_ids or []], assignee=assignee, reason=reason
    )
    target = back if back.startswith("/cases") and not back.startswith("//") else "/cases"
    response = RedirectResponse(target, status_code=303)
    set_flash(response, outcome, secure=state.settings.web.secure_cookies)
    return response
