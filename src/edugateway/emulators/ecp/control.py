"""`/_emulator/…` levers of this emulator only; stats and faults are every emulator's (emulators/control.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.emulators.ecp.auth import issue_token, json_object, token_json
from edugateway.emulators.ecp.errors import EcpError, EcpJSONResponse
from edugateway.emulators.ecp.upload_tables import TABLES

if TYPE_CHECKING:
    from edugateway.emulators.ecp.app import EcpEmulator

router = APIRouter(prefix="/_emulator")


def _emulator(request: Request) -> EcpEmulator:
    return request.app.state.emulator  # type: ignore[no-any-return]


@router.post("/tokens")
async def new_token(request: Request) -> Response:
    """A token for an account (default: the administrator), as if it had signed in."""
    emulator = _emulator(request)
    body = await json_object(request)
    login = str(body.get("login") or emulator.admin_login).lower()
    account = emulator.world.accounts.get(login)
    if account is None:
        raise EcpError(404, f"Учётной записи {login} нет")
    return EcpJSONResponse(token_json(issue_token(emulator.state, account)))


@router.get("/edu-upload/{table}")
async def uploaded(request: Request, table: str) -> Response:
    """What the edu-upload service has received for a table: the stored CSV rows as objects."""
    if table not in TABLES:
        raise EcpError(404, f"Таблицы {table} нет; есть: {', '.join(TABLES)}")
    return EcpJSONResponse({"table": table, "rows": list(_emulator(request).world.uploads[table].values())})


@router.post("/save")
async def save(request: Request) -> Response:
    body = await json_object(request)
    if not isinstance(body.get("dir"), str):
        raise EcpError.parameter("dir", "ожидался путь к каталогу мира")
    return EcpJSONResponse({"saved": str(_emulator(request).world.save(Path(body["dir"])))})
