"""The ЕЦП emulator with its edu-upload service going down on cue while the diary's API stays up: a push fails
part-way through a run whose reads succeeded. The emulator's own FaultInjector faults every route alike."""

from __future__ import annotations

from typing import Any

from edugateway.emulators.ecp.errors import render_fault
from edugateway.emulators.faults import FaultKind


class UploadOutage:
    """ASGI middleware: passes everything through, except that once `lands` upload requests have been let
    through, every further one is answered 503 («технические работы»). `lands=None`: the service is up."""

    def __init__(self, app: Any, lands: int | None = None) -> None:
        self.app = app
        self.lands = lands
        self.refused = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and "/edu-upload/" in scope.get("path", "") and self.lands is not None:
            if self.lands <= 0:
                self.refused += 1
                status, headers, body = render_fault(FaultKind.MAINTENANCE, 503, None)
                raw = [(k.encode(), v.encode()) for k, v in headers.items()]
                raw.append((b"content-length", str(len(body)).encode()))
                await send({"type": "http.response.start", "status": status, "headers": raw})
                await send({"type": "http.response.body", "body": body})
                return
            self.lands -= 1
        await self.app(scope, receive, send)
