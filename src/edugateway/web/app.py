"""The clerk's pages as one FastAPI app: server-rendered Russian pages, no external resources (the gateway
may run offline), a strict Content-Security-Policy, and personal data never cached by the browser.

Every answer carries the security headers, error pages included: 404/405/400 pass through the middleware that
sets them, and so does the 500 page for an error in a page. No error page shows a traceback or an exception's
text. The middleware answers that 500 itself rather than letting the error go on to Starlette, which would
re-raise it for uvicorn to print its traceback, unmasked, beside our masked log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from edugateway.config.settings import Settings
from edugateway.identity.verify import Verifier
from edugateway.logs import get_logger
from edugateway.store.db import Database
from edugateway.store.web_sessions import SessionStore
from edugateway.web import (
    case_routes,
    finals_routes,
    health,
    login_routes,
    queue_routes,
    report_routes,
    runs_routes,
    school_report_routes,
)
from edugateway.web.context import Refused, SignInRequired, VerifierHolder, WebState, signed_in
from edugateway.web.passwords import Passwords
from edugateway.web.sessions import SessionPolicy
from edugateway.web.templating import STATIC, make_templates, render
from edugateway.web.throttle import LoginThrottle

SECURITY_HEADERS = {
    # Scripts, styles and forms only from this site; no framing (clickjacking), no inline script.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

# How uvicorn must serve the app (`serve web`, and the tests that serve it on loopback): no rewriting of the
# client address from X-Forwarded-For (uvicorn believes it from 127.0.0.1 by default, and a local proxy or a
# forged header would then choose the address the sign-in throttle counts); the app resolves the client itself
# through `web.trusted_proxies` (client_address.py). No `server` header announcing uvicorn either.
UVICORN_OPTIONS: Final[dict[str, Any]] = {"proxy_headers": False, "forwarded_allow_ips": "", "server_header": False}

ERROR_TITLES = {
    400: ("Неверный запрос", "Адрес или форма заполнены неверно."),
    404: ("Страница не найдена", "Такой страницы нет. Вернитесь к списку случаев."),
    405: ("Так нельзя", "Эта страница так не открывается. Вернитесь к списку."),
}
UNEXPECTED = (
    "Ошибка на сервере",
    "Что-то пошло не так. Повторите позже; если ошибка повторится, сообщите администратору.",
)

log = get_logger(__name__)


def create_app(
    db: Database,
    settings: Settings,
    *,
    verifier: Verifier | None = None,
    passwords: Passwords | None = None,
    throttle: LoginThrottle | None = None,
) -> FastAPI:
    """`verifier` None: built from `settings` on the first action that re-verifies a person."""
    app = FastAPI(title="edugateway: сверка СНИЛС", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = WebState(
        db=db,
        settings=settings,
        passwords=passwords or Passwords(),
        sessions=SessionStore(db, SessionPolicy.from_settings(settings.web)),
        throttle=throttle or LoginThrottle(),
        verifier=VerifierHolder(settings, verifier),
        templates=make_templates(settings),
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(login_routes.router)
    app.include_router(queue_routes.router)
    app.include_router(case_routes.router)
    app.include_router(report_routes.router)
    app.include_router(finals_routes.router)
    app.include_router(school_report_routes.router)
    app.include_router(runs_routes.router)
    app.include_router(health.router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        try:
            response = await call_next(request)
        except Exception as exc:  # any error in a page is answered here, and logged masked
            response = _unexpected(request, exc, traceback=True)
        return _secured(response, settings)

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.method != "GET":
            # A form sent after the session ended: its data is lost anyway, go to the page it came from.
            return RedirectResponse(f"/login?next={_quoted(request.url.path)}", status_code=303)
        return RedirectResponse(f"/login?next={_quoted(exc.next_path)}", status_code=303)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        return _error_page(request, 403, "Действие запрещено", exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title, message = ERROR_TITLES.get(exc.status_code, UNEXPECTED)
        return _error_page(request, exc.status_code, title, message)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        # An id in the address that cannot be one (`/cases/abc`, `/cases/-1`, beyond the id column) names no page.
        status_code = 404 if any(error.get("loc", ("",))[0] == "path" for error in exc.errors()) else 400
        return _error_page(request, status_code, *ERROR_TITLES[status_code])

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Only an error outside the pages (in a middleware) gets here; Starlette logs its traceback after this.
        return _secured(_unexpected(request, exc, traceback=False), settings)

    return app


def _unexpected(request: Request, exc: Exception, *, traceback: bool) -> Response:
    """The 500 page; the page says nothing about the cause, the log has it with personal data masked."""
    log.error(
        "web.unexpected_error",
        method=request.method,
        path=request.url.path,
        error=type(exc).__name__,
        exc_info=exc if traceback else None,
    )
    title, message = UNEXPECTED
    try:
        return render(request, "error.html", {"title": title, "message": message}, status_code=500)
    except Exception:  # the templates themselves failed: a plain page, still in Russian
        return HTMLResponse(f"<!doctype html><title>{title}</title><p>{message}</p>", status_code=500)


def _secured(response: Response, settings: Settings) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if settings.web.secure_cookies:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _quoted(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def _error_page(request: Request, status_code: int, title: str, message: str) -> Response:
    try:
        who = signed_in(request)
    except SignInRequired:
        who = None
    return render(request, "error.html", {"title": title, "message": message}, who=who, status_code=status_code)
