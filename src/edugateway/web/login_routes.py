"""Sign-in and sign-out.

A wrong password and an unknown name get the same answer, after the same argon2 work and the same delay, so
the form does not tell which names exist. Every try is counted by the throttle before the password is checked
and slowed or refused past its limits (`throttle.py`, whose docstring is the policy); the client is the address
`client_address.py` resolves. Signing in always starts a new session (a cookie planted before cannot be taken
over).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from edugateway.logs import get_logger
from edugateway.web import csrf
from edugateway.web.accounts import authenticate
from edugateway.web.client_address import request_client
from edugateway.web.context import Poster, safe_next, web_state
from edugateway.web.sessions import COOKIE
from edugateway.web.templating import render

router = APIRouter()
log = get_logger(__name__)

REFUSED = "Неверное имя пользователя или пароль."


def _login_page(request: Request, *, next_path: str, error: str | None = None, status_code: int = 200) -> Response:
    token = csrf.new_token()
    response = render(
        request,
        "login.html",
        {"login_csrf": token, "next_path": next_path, "error": error},
        status_code=status_code,
    )
    secure = web_state(request).settings.web.secure_cookies
    response.set_cookie(csrf.LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/login")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    state = web_state(request)
    if state.sessions.load(request.cookies.get(COOKIE)) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_path=safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/cases",
) -> Response:
    state = web_state(request)
    target = safe_next(next)
    if not csrf.tokens_match(request.cookies.get(csrf.LOGIN_COOKIE), csrf_token):
        return _login_page(
            request, next_path=target, error="Форма входа устарела. Введите имя и пароль ещё раз.", status_code=403
        )
    address = request_client(request, state.settings.web.trusted_proxies)
    name = username.strip().lower()[:64]  # the throttle's key; never longer than a valid name
    admission = state.throttle.admit(address, name)
    if admission.attempt is None:
        log.warning("web.sign_in_throttled", client=address, user=name, retry_after_s=round(admission.wait_s))
        return _login_page(request, next_path=target, error=_come_back(admission.wait_s), status_code=429)
    if admission.wait_s > 0:
        await state.throttle.sleep(admission.wait_s)
    try:
        account = await run_in_threadpool(authenticate, state.db, state.passwords, username, password)
    except Exception:
        state.throttle.release(admission.attempt)  # not a wrong password: the check itself failed
        raise
    if account is None:
        log.warning("web.sign_in_refused", client=address, user=name)  # never the password
        await state.throttle.sleep(state.throttle.limits.failure_delay_s)
        return _login_page(request, next_path=target, error=REFUSED, status_code=401)
    state.throttle.succeeded(admission.attempt)
    state.sessions.end(request.cookies.get(COOKIE))  # whatever session the browser had before
    started = state.sessions.start(account.id)
    log.info("web.signed_in", client=address, user=account.username, role=account.role)
    response = RedirectResponse(target, status_code=303)
    # No max_age: a browser session cookie; the server-side expiry is what counts.
    response.set_cookie(
        COOKIE, started.token, httponly=True, samesite="lax", secure=state.settings.web.secure_cookies, path="/"
    )
    response.delete_cookie(csrf.LOGIN_COOKIE, path="/login")
    return response


def _come_back(wait_s: float) -> str:
    if wait_s < 60:
        return f"Слишком много неудачных попыток входа. Повторите через {max(1, round(wait_s))} с."
    return f"Слишком много неудачных попыток входа. Повторите через {round(wait_s / 60)} мин."


@router.post("/logout")
def logout(request: Request, who: Poster) -> Response:
    state = web_state(request)
    state.sessions.end(who.token)
    log.info("web.signed_out", user=who.account.username)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
