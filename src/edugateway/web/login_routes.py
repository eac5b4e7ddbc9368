"""Sign-in and sign-out.

A wrong password and an unknown name get the same answer, after the same argon2 work and the same delay, so
the form does not tell which names exist. Too many failures from one address are refused for a while
(`throttle.py`); the address is the client `client_address.py` resolves. Signing in always starts a new
session (a cookie planted before cannot be taken over).
"""

from __future__ import annotations

import asyncio
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
    address, name = request_client(request, state.settings.web.trusted_proxies), username.strip().lower()
    wait = state.throttle.retry_after(address, name)
    if wait > 0:
        log.warning("web.sign_in_throttled", client=address, user=name, retry_after_s=round(wait))
        minutes = max(1, round(wait / 60))
        message = f"Слишком много неудачных попыток входа. Повторите через {minutes} мин."
        return _login_page(request, next_path=target, error=message, status_code=429)
    account = await run_in_threadpool(authenticate, state.db, state.passwords, username, password)
    if account is None:
        state.throttle.failed(address, name)
        log.warning("web.sign_in_refused", client=address, user=name)  # never the password
        await asyncio.sleep(state.throttle.limits.failure_delay_s)
        return _login_page(request, next_path=target, error=REFUSED, status_code=401)
    state.throttle.succeeded(address, name)
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


@router.post("/logout")
def logout(request: Request, who: Poster) -> Response:
    state = web_state(request)
    state.sessions.end(who.token)
    log.info("web.signed_out", user=who.account.username)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
