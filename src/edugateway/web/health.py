"""`GET /healthz` for container healthchecks and load balancers: no sign-in, no personal data, just whether the
database answers. A plain `def` route: FastAPI runs it in a worker thread, so a slow database never blocks pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from edugateway.web.context import WebState

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz(request: Request) -> JSONResponse:
    web: WebState = request.app.state.web
    try:
        with web.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})
