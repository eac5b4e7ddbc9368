"""What every request of the clerk's pages shares (the app's state), who is asking, and the checks a page needs:
signed in, CSRF token matches, allowed to change things."""

from __future__ import annotations

import threading
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from edugateway.config.settings import Settings
from edugateway.store.db import Database
from edugateway.store.web_sessions import LiveSession, SessionStore
from edugateway.web import csrf
from edugateway.web.accounts import Account, load_account
from edugateway.web.passwords import Passwords
from edugateway.web.sessions import COOKIE
from edugateway.web.throttle import LoginThrottle

if TYPE_CHECKING:
    from edugateway.identity.verify import Verifier

FLASH_COOKIE = "edugateway_flash"


class SignInRequired(Exception):
    """No live session: the page answers with a redirect to the sign-in form."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign-in required")
        self.next_path = next_path


class Refused(Exception):
    """A request the page will not serve (403): a viewer asking for a change, or a CSRF token that is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VerifierHolder:
    """The ЕСИА verifier is built on the first action that needs it, not at start-up: the pages work (read-only)
    even while the СМЭВ settings are incomplete."""

    def __init__(self, settings: Settings, verifier: Verifier | None) -> None:
        self._settings = settings
        self._verifier = verifier
        self._lock = threading.Lock()

    def get(self) -> Verifier:
        with self._lock:
            if self._verifier is None:
                from edugateway.identity.verify import Verifier

                self._verifier = Verifier.from_settings(self._settings)
            return self._verifier


@dataclass
class WebState:
    db: Database
    settings: Settings
    passwords: Passwords
    sessions: SessionStore
    throttle: LoginThrottle
    verifier: VerifierHolder
    templates: Jinja2Templates


@dataclass(frozen=True, slots=True)
class SignedIn:
    account: Account
    session: LiveSession
    token: str


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def signed_in(request: Request) -> SignedIn:
    state = web_state(request)
    token = request.cookies.get(COOKIE)
    live = state.sessions.load(token)
    account = load_account(state.db, live.user_id) if live else None
    if live is None or account is None or token is None:
        raise SignInRequired(_here(request))
    return SignedIn(account, live, token)


async def checked_post(request: Request, who: Annotated[SignedIn, Depends(signed_in)]) -> SignedIn:
    """Signed in and carrying this session's CSRF token, as a form field or the X-CSRF-Token header."""
    given = request.headers.get(csrf.HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()  # cached by Starlette: the route's Form() fields read the same parse
        value = form.get(csrf.FIELD)
        given = value if isinstance(value, str) else None
    if not csrf.tokens_match(who.session.csrf_token, given):
        raise Refused("Форма устарела или пришла не с этой страницы. Обновите страницу и повторите.")
    return who


def may_change(who: Annotated[SignedIn, Depends(checked_post)]) -> SignedIn:
    if not who.account.can_change:
        raise Refused("У вашей учётной записи доступ только для просмотра: изменять случаи нельзя.")
    return who


Reader = Annotated[SignedIn, Depends(signed_in)]  # any signed-in account, for pages that only read
Poster = Annotated[SignedIn, Depends(checked_post)]  # a POST with the right CSRF token
Changer = Annotated[SignedIn, Depends(may_change)]  # a POST that changes data: admins and clerks only


def _here(request: Request) -> str:
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query and request.method == "GET" else path


def safe_next(value: str | None) -> str:
    """Only a path on this site: never `//host` or a full URL an attacker could plant in a sign-in link."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/cases"
    return value


def take_flash(request: Request) -> str | None:
    raw = request.cookies.get(FLASH_COOKIE)
    return urllib.parse.unquote(raw) if raw else None


def set_flash(response: Any, message: str, *, secure: bool) -> None:
    # A cookie, not the URL: the message may name the person, and URLs end up in access logs.
    response.set_cookie(
        FLASH_COOKIE, urllib.parse.quote(message), max_age=60, httponly=True, samesite="lax", secure=secure
    )
