"""The sysadmin's page: the run journal (sync runs, scheduled jobs, roster imports) per school, read from the
run log tables. Admins only; an admin given some schools sees only theirs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from edugateway.store.run_journal import run_journal
from edugateway.web.accounts import WebRole
from edugateway.web.context import Reader, Refused, web_state
from edugateway.web.night_view import night_view
from edugateway.web.row_ids import parse_id
from edugateway.web.run_view import run_line
from edugateway.web.templating import render

router = APIRouter()

SHOWN = 50  # the newest runs of each kind


@router.get("/runs")
def runs(request: Request, who: Reader, school: Annotated[str, Query()] = "") -> Response:
    if who.account.role != WebRole.ADMIN:
        raise Refused("Журнал запусков доступен только администратору шлюза.")
    state = web_state(request)
    school_id = parse_id(school)
    journal = run_journal(state.db, who.account.schools, school_id=school_id, limit=SHOWN)
    settings = state.settings
    response = render(
        request,
        "runs.html",
        {
            "schools": journal.schools,
            "chosen_school": school_id,
            "syncs": [run_line(r, settings) for r in journal.syncs],
            "jobs": [run_line(r, settings) for r in journal.jobs],
            "imports": [run_line(r, settings) for r in journal.imports],
            "shown": SHOWN,
            "night": night_view(state.db, settings, who.account.schools, school_id=school_id),
        },
        who=who,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
