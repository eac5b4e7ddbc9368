"""Errors the way the partner API words them: JSON `{type, description}` with the documented type codes.

Auth errors use the short codes (`invalidToken`, `tokenRequired`, `outOfScope`) because those are the ones
clients check on the wire (C# client, id247 wrapper); the rest use the `api…`/`parameterInvalid` codes.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from edugateway.emulators.faults import HTML_ERROR_PAGE, FaultKind

# Russian texts from the official error table, as a public client copied it (docs/platforms/dnevnik.md, Errors).
DESCRIPTIONS = {
    "invalidRequest": "Неверный запрос",
    "parameterInvalid": "Неверное значение одного из параметров",
    "apiResourceUnavailable": "Ресурс не существует",
    "apiMethodNotSupported": "Метод не поддерживается для этого ресурса",
    "apiRequestLimit": "Превышен лимит запросов для данного токена",
    "apiServerError": "Ошибка на сервере",
    "invalidToken": "Неверный или неактивный токен",
    "tokenRequired": "Для доступа к ресурсу нужна авторизация",
    "outOfScope": "Токен содержит недостаточно прав доступа",
    "authorizationFailed": "Can't authorize",
    "invalid_client": "Invalid client",
}


class DnevnikJSONResponse(JSONResponse):
    """ASP.NET writes the charset; aiohttp-based clients need `application/json` on every answer."""

    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class ApiError(Exception):
    def __init__(self, status: int, type_: str, description: str | None = None) -> None:
        super().__init__(f"{status} {type_}")
        self.status = status
        self.type = type_
        self.description = description or DESCRIPTIONS.get(type_, type_)

    @classmethod
    def parameter(cls, name: str, reason: str) -> ApiError:
        return cls(400, "parameterInvalid", f"{DESCRIPTIONS['parameterInvalid']}: {name}: {reason}")

    @classmethod
    def not_found(cls, what: str, value: object) -> ApiError:
        return cls(404, "apiResourceUnavailable", f"{DESCRIPTIONS['apiResourceUnavailable']}: {what} {value}")

    def response(self) -> Response:
        return DnevnikJSONResponse({"type": self.type, "description": self.description}, status_code=self.status)


def error_response(status: int, type_: str, description: str | None = None) -> Response:
    return ApiError(status, type_, description).response()


async def on_api_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def on_http_error(_: Request, exc: Exception) -> Response:
    """Unknown routes and wrong methods, in the platform's shape instead of FastAPI's `{detail}`."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        return error_response(405, "apiMethodNotSupported")
    if exc.status_code == 404:
        return error_response(404, "apiResourceUnavailable")
    return error_response(exc.status_code, "invalidRequest")


async def on_validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    names = ", ".join(str(err.get("loc", ("?",))[-1]) for err in exc.errors())
    return ApiError.parameter(names or "?", "неверное значение").response()


async def on_unexpected(_: Request, exc: Exception) -> Response:
    return error_response(500, "apiServerError")


# The platform's own HTML error page: pydnevnikruapi scrapes <div class="error__description"> … <p>TEXT</p>.
_HTML_PAGE = (
    '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Дневник.ру</title></head><body>'
    '<div class="error"><div class="error__title">{title}</div>'
    '<div class="error__description"><p>{text}</p></div></div></body></html>'
)


def render_fault(kind: FaultKind, status: int, retry_after: float | None) -> tuple[int, dict[str, str], bytes]:
    """Fault bodies: 429 and 500 come from the API itself (JSON); 503 and 550 are the site's maintenance page
    (text/html, exactly, as the sync pydnevnikruapi compares the header verbatim); 502/504 come from nginx."""
    json_type = {"content-type": "application/json; charset=utf-8"}
    if kind is FaultKind.RATE_LIMITED:
        body = {"type": "apiRequestLimit", "description": DESCRIPTIONS["apiRequestLimit"]}
        return status, json_type, json.dumps(body, ensure_ascii=False).encode()
    if kind is FaultKind.MAINTENANCE or status == 503:
        page = _HTML_PAGE.format(title="Технические работы", text="Ведутся технические работы. Зайдите позже.")
        return status, {"content-type": "text/html"}, page.encode()
    if status == 500:
        body = {"type": "apiServerError", "description": DESCRIPTIONS["apiServerError"]}
        return status, json_type, json.dumps(body, ensure_ascii=False).encode()
    title = _NGINX_TITLES.get(status, f"{status} Bad Gateway").encode()
    return status, {"content-type": "text/html"}, HTML_ERROR_PAGE.replace(b"502 Bad Gateway", title)


_NGINX_TITLES = {502: "502 Bad Gateway", 504: "504 Gateway Time-out"}
