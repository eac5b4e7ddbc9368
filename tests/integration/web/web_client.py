"""The clerk's pages served by uvicorn on loopback (as in production) and a client that keeps cookies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from edugateway.config.settings import Settings
from edugateway.emulators.server import BackgroundServer
from edugateway.store.db import Database
from edugateway.web.app import UVICORN_OPTIONS, create_app
from edugateway.web.throttle import LoginThrottle, ThrottleLimits
from support.clerk_school import PASSWORD, ClerkSchool, cheap_passwords

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    db: Database
    school: ClerkSchool
    client: httpx.Client

    def sign_in(self, username: str, password: str = PASSWORD) -> str:
        """Signs in and returns the session's CSRF token (from the queue page's sign-out form)."""
        form = self.client.get("/login")
        token = CSRF.search(form.text)
        assert token, form.text
        answer = self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token.group(1), "next": "/cases"},
        )
        assert answer.status_code == 303, answer.text
        return self.csrf("/cases")

    def csrf(self, path: str) -> str:
        page = self.client.get(path)
        found = CSRF.search(page.text)
        assert found, page.text
        return found.group(1)


@contextmanager
def serve(db: Database, settings: Settings | None = None, **options: Any) -> Iterator[httpx.Client]:
    """The app on 127.0.0.1, served as `serve web` serves it, and a client that keeps cookies, as a browser does
    (redirects are not followed)."""
    options = {"passwords": cheap_passwords(), "throttle": LoginThrottle(ThrottleLimits(failure_delay_s=0))} | options
    app = create_app(db, settings or Settings(), **options)
    with (
        BackgroundServer(app, **UVICORN_OPTIONS) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        yield client
