"""Jinja2 set-up and the one function every page renders through: it adds who is signed in, the CSRF token,
the Russian titles, and the flash message left by the last action (and clears it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from edugateway.config.settings import Settings
from edugateway.identity.case_types import CASE_TITLES, DETAIL_TITLES, STATUS_TITLES
from edugateway.web.accounts import ROLE_TITLES
from edugateway.web.case_view import show_date
from edugateway.web.context import FLASH_COOKIE, SignedIn, take_flash, web_state

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")


def make_templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    # Times are stored in UTC and shown in the gateway's (first school's) zone, as the clerk's wall clock.
    zone = ZoneInfo(settings.schools[0].timezone if settings.schools else "Europe/Moscow")

    def local_time(value: dt.datetime | None) -> str:
        if value is None:
            return "—"
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(zone).strftime("%d.%m.%Y %H:%M")

    env = templates.env
    env.filters["local_time"] = local_time
    env.filters["show_date"] = show_date
    env.globals.update(
        case_titles=CASE_TITLES,
        detail_titles=DETAIL_TITLES,
        status_titles=STATUS_TITLES,
        role_titles=ROLE_TITLES,
    )
    return templates


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    who: SignedIn | None = None,
    status_code: int = 200,
) -> Response:
    state = web_state(request)
    flash = take_flash(request)
    values = {
        "who": who.account if who else None,
        "csrf_token": who.session.csrf_token if who else None,
        "flash": flash,
    } | context
    response = state.templates.TemplateResponse(request, name, values, status_code=status_code)
    if flash:
        response.delete_cookie(FLASH_COOKIE)
    return response
