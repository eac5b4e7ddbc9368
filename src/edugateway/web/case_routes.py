"""The case page and the clerk's actions on it.

A case of a school the account does not read is "not found" (404) on the page and to every action, which then
change nothing: the account's school scope goes into every store query (`load_case`, `identity.actions`).

Every action needs a reason, is refused to viewers (403), checks the CSRF token, and goes through
`identity.actions`, which writes the audit table and the case history and re-verifies the person with ЕСИА at
once. Input is checked here first, in Russian, so the clerk learns what to fix without a round trip to ЕСИА;
`identity.actions` checks it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from edugateway.errors import ConnectorError, GatewayError, StoreError, ValidationError
from edugateway.identity import actions
from edugateway.logs import get_logger
from edugateway.spreadsheet_text import looks_like_formula
from edugateway.web.accounts import assignable_users
from edugateway.web.case_view import load_case
from edugateway.web.context import Changer, Poster, Reader, SignedIn, set_flash, web_state
from edugateway.web.row_ids import RowId, parse_index
from edugateway.web.snils_input import judge_snils
from edugateway.web.templating import render

router = APIRouter()
log = get_logger(__name__)

NO_REASON = "Укажите причину: она сохраняется в журнале вместе с изменением."
Text = Annotated[str, Form()]


@dataclass
class Problem:
    """A refused form: which one, what to fix, and what the clerk typed (shown again, not lost)."""

    form: str
    message: str
    values: dict[str, str] = field(default_factory=dict)
    detail: str | None = None


def _page(
    request: Request,
    who: SignedIn,
    case_id: int,
    *,
    problem: Problem | None = None,
    revealed: str | None = None,
    status_code: int = 200,
) -> Response:
    state = web_state(request)
    view = load_case(state.db, case_id, who.account.schools)
    if view is None:
        return render(request, "not_found.html", {"what": f"Случай № {case_id}"}, who=who, status_code=404)
    response = render(
        request,
        "case.html",
        {
            "case": view,
            "assignees": assignable_users(state.db, view.school_id) if who.account.can_change else [],
            "problem": problem,
            "revealed": revealed,
        },
        who=who,
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"  # personal data: not kept in the browser's cache
    return response


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: RowId, who: Reader) -> Response:
    return _page(request, who, case_id)


@router.post("/cases/{case_id}/reveal-snils")
def reveal_snils(request: Request, case_id: RowId, who: Changer) -> Response:
    view = load_case(web_state(request).db, case_id, who.account.schools)
    if view is None:
        return _page(request, who, case_id)
    db, scope = web_state(request).db, who.account.schools
    try:
        value = actions.reveal_snils(db, view.person_id, actor=who.account.actor, scope=scope)
    except StoreError:
        return _page(request, who, case_id)  # the person is gone (or left the account's schools) meanwhile
    return _page(request, who, case_id, revealed=value or "нет")


def _act(
    request: Request,
    who: SignedIn,
    case_id: int,
    form: str,
    values: dict[str, str],
    action: Callable[[], actions.ActionResult],
) -> Response:
    """Runs an action; on success back to the case page with its message, else the page with the problem. A form
    this case type does not offer (sent by hand or from an old page) is refused: it cannot fix the case."""
    view = load_case(web_state(request).db, case_id, who.account.schools)
    if view is None:
        return _page(request, who, case_id)
    if view.is_open and not view.offers(form):
        message = f"Этот случай так не исправить. {view.remedy.next_step}"
        return _page(request, who, case_id, problem=Problem(form, message, values), status_code=400)
    try:
        result = action()
    except ValidationError as exc:
        return _page(request, who, case_id, problem=_explain(form, values, exc), status_code=400)
    except StoreError:
        return _page(request, who, case_id)  # the case is gone: the page says so
    except ConnectorError as exc:
        log.warning("web.action_unverified", case_id=case_id, action=form, error=str(exc))
        message = "ЕСИА сейчас недоступна, действие не выполнено. Повторите позже."
        return _page(request, who, case_id, problem=Problem(form, message, values), status_code=503)
    except GatewayError as exc:
        log.warning("web.action_failed", case_id=case_id, action=form, error=str(exc))
        message = "Действие не выполнено. Повторите; если не выйдет, сообщите администратору."
        return _page(request, who, case_id, problem=Problem(form, message, values), status_code=400)
    log.info("web.case_action", case_id=case_id, action=form, user=who.account.username, status=result.status)
    response = RedirectResponse(f"/cases/{case_id}", status_code=303)
    set_flash(response, result.message, secure=web_state(request).settings.web.secure_cookies)
    return response


_REFUSALS = {
    "reason": NO_REASON,
    "case": "Случай уже закрыт: исправления принимаются только по открытым случаям.",
    "snils": "СНИЛС не принят: этот номер уже записан у другого человека школы. Если он записан там по ошибке, "
    "сначала исправьте ту запись.",
    "candidate": "Этого кандидата выбрать нельзя: у него нет СНИЛС или он уже не предлагается.",
    "assignee": "Исполнитель уже назначен так.",
    "last_name": "Фамилия и имя обязательны.",
    "first_name": "Фамилия и имя обязательны.",
    "birth_date": "Такой даты рождения быть не может: проверьте год.",
    None: "Изменений нет: введены те же значения, что уже записаны.",
}


def _explain(form: str, values: dict[str, str], exc: ValidationError) -> Problem:
    """The refusal in the clerk's words; the English reason of `identity.actions` is for the log only."""
    log.info("web.action_refused", action=form, field=exc.field, reason=exc.reason)
    return Problem(form, _REFUSALS.get(exc.field, "Действие не выполнено."), values)


def _require_reason(form: str, values: dict[str, str]) -> Problem | None:
    return None if values.get("reason", "").strip() else Problem(form, NO_REASON, values)


@router.post("/cases/{case_id}/snils")
def correct_snils(request: Request, case_id: RowId, who: Changer, snils: Text = "", reason: Text = "") -> Response:
    values = {"snils": snils, "reason": reason}
    judged = judge_snils(snils)
    problem = (
        Problem("snils", f"СНИЛС не принят: {judged.message}.", values)
        if not judged.valid
        else _require_reason("snils", values)
    )
    if problem:
        return _page(request, who, case_id, problem=problem, status_code=400)
    state = web_state(request)
    return _act(
        request,
        who,
        case_id,
        "snils",
        values,
        lambda: actions.correct_snils(
            state.db,
            case_id,
            snils,
            actor=who.account.actor,
            reason=reason,
            verifier=state.verifier.get(),
            scope=who.account.schools,
        ),
    )


@router.post("/cases/{case_id}/person")
def correct_person(
    request: Request,
    case_id: RowId,
    who: Changer,
    last_name: Text = "",
    first_name: Text = "",
    middle_name: Text = "",
    birth_date: Text = "",
    reason: Text = "",
) -> Response:
    values = {
        "last_name": last_name,
        "first_name": first_name,
        "middle_name": middle_name,
        "birth_date": birth_date,
        "reason": reason,
    }
    born: dt.date | None = None
    problem = None
    if not last_name.strip() or not first_name.strip():
        problem = Problem("person", "Фамилия и имя обязательны.", values)
    elif any(looks_like_formula(name.strip()) for name in (last_name, first_name, middle_name)):
        # Names go into every report and export: one a spreadsheet would run is refused here, as imports do.
        problem = Problem(
            "person", "ФИО не может начинаться со знака =, +, - или @: таблица выполнит его как формулу.", values
        )
    elif birth_date.strip():
        try:
            born = dt.date.fromisoformat(birth_date.strip())
        except ValueError:
            problem = Problem("person", "Дата рождения не распознана: введите её как ДД.ММ.ГГГГ.", values)
    problem = problem or _require_reason("person", values)
    if problem:
        return _page(request, who, case_id, problem=problem, status_code=400)
    state = web_state(request)
    return _act(
        request,
        who,
        case_id,
        "person",
        values,
        lambda: actions.correct_person(
            state.db,
            case_id,
            last_name=last_name,
            first_name=first_name,
            middle_name=middle_name or None,
            birth_date=born,
            actor=who.account.actor,
            reason=reason,
            verifier=state.verifier.get(),
            scope=who.account.schools,
        ),
    )


def _candidate_problem(values: dict[str, str]) -> Problem | None:
    """A candidate chosen, and a reason given, for the candidate forms (link and reject)."""
    if parse_index(values["candidate"]) is None:
        return Problem("link", "Выберите кандидата.", values)
    return _require_reason("link", values)


@router.post("/cases/{case_id}/link")
def link_candidate(request: Request, case_id: RowId, who: Changer, candidate: Text = "", reason: Text = "") -> Response:
    values = {"candidate": candidate, "reason": reason}
    problem = _candidate_problem(values)
    if problem:
        return _page(request, who, case_id, problem=problem, status_code=400)
    state = web_state(request)
    return _act(
        request,
        who,
        case_id,
        "link",
        values,
        lambda: actions.link_candidate(
            state.db,
            case_id,
            int(candidate),
            actor=who.account.actor,
            reason=reason,
            verifier=state.verifier.get,
            scope=who.account.schools,
        ),
    )


@router.post("/cases/{case_id}/reject")
def reject_candidate(
    request: Request, case_id: RowId, who: Changer, candidate: Text = "", reason: Text = ""
) -> Response:
    """ "Not this person": the candidate is dropped from the case and never proposed for the person again."""
    values = {"candidate": candidate, "reason": reason}
    problem = _candidate_problem(values)
    if problem:
        return _page(request, who, case_id, problem=problem, status_code=400)
    db = web_state(request).db
    return _act(
        request,
        who,
        case_id,
        "link",
        values,
        lambda: actions.reject_candidate(
            db, case_id, int(candidate), actor=who.account.actor, reason=reason, scope=who.account.schools
        ),
    )


@router.post("/cases/{case_id}/dismiss")
def dismiss_case(request: Request, case_id: RowId, who: Changer, reason: Text = "") -> Response:
    values = {"reason": reason}
    problem = _require_reason("dismiss", values)
    if problem:
        return _page(request, who, case_id, problem=problem, status_code=400)
    db = web_state(request).db
    return _act(
        request,
        who,
        case_id,
        "dismiss",
        values,
        lambda: actions.dismiss_case(db, case_id, actor=who.account.actor, reason=reason, scope=who.account.schools),
    )


@router.post("/cases/{case_id}/assign")
def reassign_case(request: Request, case_id: RowId, who: Changer, assignee: Text = "", reason: Text = "") -> Response:
    values = {"assignee": assignee, "reason": reason}
    db = web_state(request).db
    view = load_case(db, case_id, who.account.schools)
    if view is None:
        return _page(request, who, case_id)
    allowed = {a.username for a in assignable_users(db, view.school_id)}
    problem = (
        Problem("assign", "Такого исполнителя нет.", values)
        if assignee and assignee not in allowed
        else _require_reason("assign", values)
    )
    if problem:
        return _page(request, who, case_id, problem=problem, status_code=400)
    return _act(
        request,
        who,
        case_id,
        "assign",
        values,
        lambda: actions.reassign_case(
            db, case_id, assignee or None, actor=who.account.actor, reason=reason, scope=who.account.schools
        ),
    )


@router.post("/snils/check")
def check_snils_as_typed(who: Poster, value: Text = "") -> Response:
    """The verdict on a SNILS while the clerk types it (the page's script asks); POST, so the number stays
    out of the access log."""
    judged = judge_snils(value)
    return JSONResponse({"valid": judged.valid, "message": judged.message, "canonical": judged.canonical})
