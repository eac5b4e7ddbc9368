"""Errors in two shapes, as the two services behind one host would word them.

- The family API (`/api/...`, ASP.NET Core, inferred from its `/api/auth/Auth/Login`-style routes) answers
  RFC 7807 ProblemDetails: `{type, title, status, detail, traceId}` and, for bad parameters, the
  `errors: {name: [messages]}` map of ASP.NET's validation problem.
- The edu-upload service (a Spring Boot app: its OpenAPI document is springdoc's "Generated server url")
  declares 400 and 500 without a body schema; the emulator answers Spring Boot's default error attributes
  `{timestamp, status, error, message, path}` plus `errors: [{file, line, column, message}]` per rejected row.
  Both the shape and the per-row list are inferred; no value from the file is echoed (personal data).

Faults from FaultInjector cannot tell the two apart, so they come as ProblemDetails; 502/504 are nginx's.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from edugateway.emulators.faults import HTML_ERROR_PAGE, FaultKind

UPLOAD_PREFIX = "/api/edu-upload"
PROBLEM_TYPES = {
    400: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
    401: "https://tools.ietf.org/html/rfc9110#section-15.5.2",
    403: "https://tools.ietf.org/html/rfc9110#section-15.5.4",
    404: "https://tools.ietf.org/html/rfc9110#section-15.5.5",
    405: "https://tools.ietf.org/html/rfc9110#section-15.5.6",
    415: "https://tools.ietf.org/html/rfc9110#section-15.5.16",
    429: "https://tools.ietf.org/html/rfc6585#section-4",
    500: "https://tools.ietf.org/html/rfc9110#section-15.6.1",
    503: "https://tools.ietf.org/html/rfc9110#section-15.6.4",
}
MAINTENANCE_STATUS = 550
MAINTENANCE_TEXT = "Ведутся технические работы. Зайдите позже."


class EcpJSONResponse(JSONResponse):
    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class ProblemResponse(EcpJSONResponse):
    media_type = "application/problem+json; charset=utf-8"


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Service Unavailable"


def problem(status: int, detail: str | None = None, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPES.get(status, PROBLEM_TYPES[500]),
        "title": "One or more validation errors occurred." if errors else _reason(status),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body["traceId"] = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"
    return body


class EcpError(Exception):
    """A family-API error; `headers` carries WWW-Authenticate on 401."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {detail or ''}".strip())
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}

    @classmethod
    def parameter(cls, name: str, message: str) -> EcpError:
        return cls(400, errors={name: [message]})

    def response(self) -> Response:
        return ProblemResponse(problem(self.status, self.detail, self.errors), self.status, headers=self.headers)


@dataclass(frozen=True)
class RowError:
    """One reason a row (or, with line 0, the whole file) was refused."""

    file: str
    line: int
    column: str | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "message": self.message}


@dataclass
class UploadError(Exception):
    """An edu-upload refusal: the request is rejected as a whole and nothing is stored."""

    status: int
    message: str
    errors: list[RowError] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.message}")

    def response(self, path: str) -> Response:
        return EcpJSONResponse(spring_error(self.status, self.message, path, self.errors), self.status)


def spring_error(status: int, message: str, path: str, errors: list[RowError] | None = None) -> dict[str, Any]:
    return {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "status": status,
        "error": _reason(status),
        "message": message,
        "path": path,
        "errors": [e.as_json() for e in errors or []],
    }


def _is_upload(request: Request) -> bool:
    return request.url.path.startswith(UPLOAD_PREFIX)


async def on_ecp_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, EcpError)
    return exc.response()


async def on_upload_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UploadError)
    return exc.response(request.url.path)


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Unknown routes and wrong methods in the shape of the service the path belongs to."""
    assert isinstance(exc, StarletteHTTPException)
    if _is_upload(request):
        return UploadError(exc.status_code, _reason(exc.status_code)).response(request.url.path)
    return EcpError(exc.status_code).response()


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors: dict[str, list[str]] = {}
    for err in exc.errors():
        errors.setdefault(str(err.get("loc", ("?",))[-1]), []).append(str(err.get("msg", "invalid")))
    if _is_upload(request):
        message = "; ".join(f"{name}: {', '.join(msgs)}" for name, msgs in errors.items())
        return UploadError(400, message).response(request.url.path)
    return EcpError(400, errors=errors).response()


async def on_unexpected(request: Request, exc: Exception) -> Response:
    if _is_upload(request):
        return UploadError(500, "Внутренняя ошибка.").response(request.url.path)
    return EcpError(500).response()


def render_fault(kind: FaultKind, status: int, retry_after: float | None) -> tuple[int, dict[str, str], bytes]:
    """Fault bodies for FaultInjector: ProblemDetails from the app, nginx's HTML page for 502 and 504."""
    if status in (502, 504):
        title = {502: b"502 Bad Gateway", 504: b"504 Gateway Time-out"}[status]
        return status, {"content-type": "text/html"}, HTML_ERROR_PAGE.replace(b"502 Bad Gateway", title)
    if kind is FaultKind.RATE_LIMITED:
        detail = "Слишком много запросов. Повторите позже."
    elif kind is FaultKind.MAINTENANCE or status == 503:
        detail = MAINTENANCE_TEXT
    else:
        detail = None
    body = problem(status, detail)
    return status, {"content-type": ProblemResponse.media_type}, json.dumps(body, ensure_ascii=False).encode()
