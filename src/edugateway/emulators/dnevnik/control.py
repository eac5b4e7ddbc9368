"""`/_emulator/…`: the test harness's levers (never faulted nor counted: FaultConfig.exempt_paths)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from edugateway.emulators.dnevnik.auth import ADMIN_SCOPE, issue_code, issue_token, token_json
from edugateway.emulators.dnevnik.errors import ApiError
from edugateway.emulators.dnevnik.params import json_object, no_content, ok, parse_id
from edugateway.emulators.faults import FaultConfig

if TYPE_CHECKING:
    from edugateway.emulators.dnevnik.app import DnevnikEmulator

router = APIRouter(prefix="/_emulator")


def _emulator(request: Request) -> DnevnikEmulator:
    return request.app.state.emulator  # type: ignore[no-any-return]


@router.get("/stats")
async def stats(request: Request) -> Response:
    return ok(_emulator(request).stats.snapshot())


@router.post("/reset-stats")
async def reset_stats(request: Request) -> Response:
    _emulator(request).stats.reset()
    return no_content()


@router.get("/faults")
async def get_faults(request: Request) -> Response:
    return ok(_emulator(request).faults.model_dump(mode="json"))


@router.put("/faults")
async def put_faults(request: Request) -> Response:
    try:
        config = FaultConfig.model_validate(await json_object(request))
    except ValidationError as exc:
        raise ApiError(400, "parameterInvalid", str(exc)) from exc
    _emulator(request).set_faults(config)
    return ok(config.model_dump(mode="json"))


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
