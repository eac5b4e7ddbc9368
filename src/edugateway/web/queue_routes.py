"""The queue page and the pages every signed-in person can read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from edugateway.identity.case_types import CaseStatus, CaseType
from edugateway.web.context import Reader, web_state
from edugateway.web.queue import ANY_STATUS, QueueFilter, load_queue
from edugateway.web.row_ids import parse_id
from edugateway.web.templating import render

router = APIRouter()

STATUSES = [s.value for s in CaseStatus]


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
    return QueueFilter(
        school_id=parse_id(school),
        class_name=query.get("class", "").strip()[:50] or None,
        case_type=case_type if case_type in {t.value for t in CaseType} else None,
        status=status if status in (*STATUSES, ANY_STATUS) else CaseStatus.OPEN.value,
        page=parse_id(page) or 1,  # past the last page: the last page
    )


@router.get("/cases")
def queue(request: Request, who: Reader) -> Response:
    chosen = _filter(request)
    found = load_queue(web_state(request).db, chosen, who.account.schools)
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
        },
        who=who,
    )
