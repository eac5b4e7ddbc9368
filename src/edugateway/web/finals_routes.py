"""The deputy's permission for a final changed after its period closed (regulation 000 §3.3.11), recorded from a
report's «изменены после закрытия периода» rows: one small form per change.

Only admins and deputies record it (a clerk or viewer gets 403); the form carries the session's CSRF token like
every other; a report of a school the account does not read, or a mark the report does not list as changed, is
"not found" (404). store/final_justifications.py writes the justification and its audit row.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from edugateway.errors import ValidationError
from edugateway.logs import get_logger
from edugateway.reconciliation.report import Report
from edugateway.store import final_justifications as fj
from edugateway.web.context import Refused, SignedIn, checked_post, set_flash, signed_in, web_state
from edugateway.web.report_history import load_report
from edugateway.web.row_ids import RowId
from edugateway.web.templating import render

router = APIRouter()
log = get_logger(__name__)

CHANGED = "compliance.final_changed_after_close"
NOT_ALLOWED = "Записать разрешение на изменение итоговой отметки может заместитель директора или администратор."


def _may_justify(who: SignedIn) -> SignedIn:
    if not who.account.may_justify_finals:
        raise Refused(NOT_ALLOWED)
    return who


def _reader(who: Annotated[SignedIn, Depends(signed_in)]) -> SignedIn:
    return _may_justify(who)


def _poster(who: Annotated[SignedIn, Depends(checked_post)]) -> SignedIn:
    return _may_justify(who)


Justifier = Annotated[SignedIn, Depends(_reader)]
JustifyPost = Annotated[SignedIn, Depends(_poster)]


def changed_finals(who: SignedIn, report: Report | None) -> list[dict[str, Any]]:
    """The report's changed-finals rows, for an account that may justify them (else none)."""
    section = report.section(CHANGED) if report is not None and who.account.may_justify_finals else None
    return list(section.rows) if section else []


def _change(request: Request, who: SignedIn, report_id: int, mark: str) -> tuple[dict[str, Any], fj.JustifiedFinal]:
    """The report's row of this final and the final as it is now; 404 when either is not there."""
    stored = load_report(web_state(request).db, report_id, who.account.schools)
    rows = changed_finals(who, stored.report if stored else None)
    row = next((r for r in rows if r.get("mark") == mark), None)
    db = web_state(request).db
    with db.session() as session:
        where = fj.reported_school(session, who.account.schools, report_id)
        final = fj.find_final(session, who.account.schools, *where, mark) if where and row else None
    if row is None or final is None:
        raise HTTPException(status_code=404)
    return row, final


def _page(
    request: Request,
    who: SignedIn,
    report_id: int,
    mark: str,
    *,
    problem: str | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    row, final = _change(request, who, report_id, mark)
    on_record = fj.justifications_of(web_state(request).db, who.account.schools, final.school_id, mark_key=mark)
    response = render(
        request,
        "final_justification.html",
        {
            "report_id": report_id,
            "row": row,
            "final": final,
            "on_record": on_record,
            "problem": problem,
            "typed": typed or {},
        },
        who=who,
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/reports/{report_id:int}/finals")
def justification_form(
    request: Request, who: Justifier, report_id: RowId, mark: Annotated[str, Query(max_length=128)] = ""
) -> Response:
    return _page(request, who, report_id, mark)


@router.post("/reports/{report_id:int}/finals")
def record_justification(
    request: Request,
    who: JustifyPost,
    report_id: RowId,
    mark: Annotated[str, Form(max_length=128)] = "",
    permitted_by: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    document: Annotated[str, Form()] = "",
) -> Response:
    _, final = _change(request, who, report_id, mark)
    typed = {"permitted_by": permitted_by, "reason": reason, "document": document}
    try:
        done = fj.record(
            web_state(request).db,
            who.account.schools,
            school_id=final.school_id,
            platform=final.platform,
            mark_key=mark,
            given=fj.NewJustification(permitted_by, reason, document),
            actor=who.account.actor,
        )
    except ValidationError as exc:
        message = _russian(exc)
        return _page(request, who, report_id, mark, problem=message, typed=typed, status_code=400)
    log.info("web.final_justified", report_id=report_id, justification=done.id, user=who.account.username)
    response = RedirectResponse(f"/reports/{report_id}", status_code=303)
    message = f"Разрешение записано (№ {done.id}): в следующем отчёте изменение будет указано как обоснованное."
    set_flash(response, message, secure=web_state(request).settings.web.secure_cookies)
    return response


def _russian(exc: ValidationError) -> str:
    if exc.field in ("permitted_by", "reason", "document"):
        return "Укажите, кто разрешил изменение, причину и документ: регламент (000 §3.3.11) требует всех трёх."
    if "justified already" in exc.reason:
        return "Это изменение уже обосновано: сначала отзовите прежнее разрешение (edugateway finals withdraw)."
    return f"Разрешение не записано: {exc.reason}"
