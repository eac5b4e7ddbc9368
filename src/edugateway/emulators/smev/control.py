"""`/_emulator/…` levers of this emulator only; stats and faults are every emulator's (emulators/control.py)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from starlette.responses import JSONResponse, Response

from edugateway.emulators.smev.world import SmevSettings

if TYPE_CHECKING:
    from edugateway.emulators.smev.app import SmevEmulator

router = APIRouter(prefix="/_emulator")


class ExchangeSettings(BaseModel):
    """What PUT /_emulator/settings may change; fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    response_delay_s: float | None = Field(default=None, ge=0)
    quota_requests: int | None = Field(default=None, ge=1)
    quota_interval_s: float | None = Field(default=None, gt=0)
    no_quota: bool = False
    senders: dict[str, str] | None = None


def _emulator(request: Request) -> SmevEmulator:
    return request.app.state.emulator  # type: ignore[no-any-return]


def _ok(body: dict[str, Any]) -> Response:
    return JSONResponse(body)


def _bad(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


async def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(await request.body() or b"{}")
    except json.JSONDecodeError:
        return None
    return body if isinstance(body, dict) else None


@router.post("/reset-queue")
async def reset_queue(request: Request) -> Response:
    """Drops every queued answer, the quota windows and the exchange counters."""
    _emulator(request).exchange.clear()
    return Response(status_code=204)


@router.get("/settings")
async def get_settings(request: Request) -> Response:
    return _ok(_settings(_emulator(request)))


@router.put("/settings")
async def put_settings(request: Request) -> Response:
    """Response delay, quota and senders at run time, e.g. `{"response_delay_s": 0}` or `{"no_quota": true}`."""
    emulator = _emulator(request)
    body = await _json_object(request)
    if body is None:
        return _bad("expected a JSON object of settings")
    try:
        change = ExchangeSettings.model_validate(body)
        current = emulator.world.settings.model_dump()
        updates = change.model_dump(exclude_none=True, exclude={"response_delay_s", "no_quota"})
        settings = SmevSettings.model_validate({**current, **updates})
    except PydanticValidationError as exc:
        return _bad(str(exc))
    if change.no_quota:
        settings = settings.model_copy(update={"quota_requests": None})
    emulator.world.settings = settings
    if change.response_delay_s is not None:
        emulator.set_response_delay(change.response_delay_s)
    return _ok(_settings(emulator))


def _settings(emulator: SmevEmulator) -> dict[str, Any]:
    return {"response_delay_s": emulator.response_delay_s, **emulator.world.settings.model_dump(mode="json")}
