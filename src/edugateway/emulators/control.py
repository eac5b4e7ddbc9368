"""`/_emulator/…` levers every emulator has: its request counters and its faults, switched at run time.

These are the test harness's endpoints, not the platform's, so they answer plain JSON (`{"error": …}` when
refused) whatever the platform's own error shape; FaultConfig.exempt_paths keeps them unfaulted and uncounted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import JSONResponse, Response

from edugateway.emulators.faults import FaultConfig, RequestStats

PREFIX = "/_emulator"


class Controllable(Protocol):
    stats: RequestStats

    @property
    def faults(self) -> FaultConfig: ...

    def set_faults(self, config: FaultConfig) -> None: ...


def _emulator(request: Request) -> Controllable:
    return request.app.state.emulator  # type: ignore[no-any-return]


def fault_controls(extra_stats: Callable[[Any], Mapping[str, Any]] | None = None) -> APIRouter:
    """GET stats, POST reset-stats, GET and PUT faults; `extra_stats(emulator)` adds to what stats shows."""
    router = APIRouter(prefix=PREFIX)

    @router.get("/stats")
    async def stats(request: Request) -> Response:
        emulator = _emulator(request)
        return JSONResponse({**emulator.stats.snapshot(), **(extra_stats(emulator) if extra_stats else {})})

    @router.post("/reset-stats")
    async def reset_stats(request: Request) -> Response:
        _emulator(request).stats.reset()
        return Response(status_code=204)

    @router.get("/faults")
    async def get_faults(request: Request) -> Response:
        return JSONResponse(_emulator(request).faults.model_dump(mode="json"))

    @router.put("/faults")
    async def put_faults(request: Request) -> Response:
        try:
            config = FaultConfig.model_validate(json.loads(await request.body() or b"{}"))
        except (json.JSONDecodeError, ValidationError) as exc:
            return JSONResponse({"error": f"expected a JSON object of FaultConfig fields: {exc}"}, status_code=400)
        _emulator(request).set_faults(config)
        return JSONResponse(config.model_dump(mode="json"))

    return router
