"""`/_emulator/…` levers of this emulator only; stats and faults are every emulator's (emulators/control.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.emulators.dnevnik.auth import ADMIN_SCOPE, issue_code, issue_token, token_json
from edugateway.emulators.dnevnik.errors import ApiError
from edugateway.emulators.dnevnik.params import json_object, ok, parse_id

if TYPE_CHECKING:
    from edugateway.emulators.dnevnik.app import DnevnikEmulator

router = APIRouter(prefix="/_emulator")


def _emulator(request: Request) -> DnevnikEmulator:
    return request.app.state.emulator  # type: ignore[no-any-return]


@router.post("/tokens")
async def new_token(request: Request) -> Response:
    """A token for any user (default: the administrator), as if they had signed in through /oauth2."""
    emulator = _emulator(request)
    body: dict[str, Any] = await json_object(request)
    user = parse_id(body["user"], "user") if body.get("user") else emulator.admin_user
    row = issue_token(emulator.state, user, str(body.get("scope") or ADMIN_SCOPE), body.get("client_id"))
    return ok(token_json(row))


@router.post("/codes")
async def new_code(request: Request) -> Response:
    """The one-time code login.dnevnik.ru would redirect with, for the code exchange at /v2.0/authorizations."""
    emulator = _emulator(request)
    body = await json_object(request)
    code = issue_code(emulator.state, parse_id(body.get("user", ""), "user"), str(body.get("client_id", "")))
    return ok({"code": code})


@router.post("/save")
async def save(request: Request) -> Response:
    body = await json_object(request)
    if not isinstance(body.get("dir"), str):
        raise ApiError.parameter("dir", "ожидался путь к каталогу мира")
    return ok({"saved": str(_emulator(request).world.save(Path(body["dir"])))})
