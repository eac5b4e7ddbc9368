"""Request parsing shared by the routes: int64 ids, flags, JSON bodies, and the auth dependencies."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.responses import Response

from edugateway.emulators.dnevnik.auth import Session, require
from edugateway.emulators.dnevnik.errors import ApiError, DnevnikJSONResponse

INT64_MAX = (1 << 63) - 1

Edu = Annotated[Session, Depends(require("educationalinfo"))]
Common = Annotated[Session, Depends(require("commoninfo"))]


def parse_id(value: object, name: str) -> int:
    """An int64 id from a path, query or body (number or string, as clients send both)."""
    if isinstance(value, bool):
        raise ApiError.parameter(name, "ожидался идентификатор")
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= INT64_MAX:
        raise ApiError.parameter(name, f"'{value}' не является идентификатором")
    return int(text)


def parse_ids(values: Iterable[object], name: str) -> list[int]:
    return [parse_id(v, name) for v in values]


def flag(value: str | None, name: str, default: bool) -> bool:
    if value is None or value == "":
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise ApiError.parameter(name, f"'{value}' не является логическим значением")


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, "invalidRequest", "Тело запроса пусто; ожидался JSON")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalidRequest", "Тело запроса не является JSON") from exc


async def json_object(request: Request) -> dict[str, Any]:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "invalidRequest", "Ожидался JSON-объект")
    return body


async def id_array(request: Request, name: str, wrapped_key: str | None = None) -> list[int]:
    """A batch body: a bare JSON array of ids; `{wrapped_key: [...]}` too where a client sends that form."""
    body = await json_body(request)
    if wrapped_key and isinstance(body, dict) and isinstance(body.get(wrapped_key), list):
        body = body[wrapped_key]
    if not isinstance(body, list):
        raise ApiError(400, "invalidRequest", "Ожидался JSON-массив идентификаторов")
    return parse_ids(body, name)


def ok(data: Any, status: int = 200) -> Response:
    return DnevnikJSONResponse(data, status_code=status)


def no_content() -> Response:
    """204 that still says application/json: aiohttp's `response.json()` needs the header even with no body."""
    return Response(status_code=204, media_type="application/json; charset=utf-8")
