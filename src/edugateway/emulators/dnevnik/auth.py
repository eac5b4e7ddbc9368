"""OAuth2 as the partner API does it: code and refresh-token exchange, the password grant, and the
`Access-Token` header (or `access_token` query) on every call.

Tokens announce `expiresIn` 2591999 s as the real ones do; `FaultConfig.token_ttl_s` makes them die
sooner without saying so, which is the mid-run expiry a connector has to survive.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.emulators.dnevnik.errors import ApiError, DnevnikJSONResponse
from edugateway.emulators.dnevnik.state import EmulatorState, state_of
from edugateway.emulators.dnevnik.world import Row

EXPIRES_IN = 2591999  # seconds, as captured from the real token endpoint
CODE_TTL_S = 600.0
SCOPES = frozenset(
    {
        "commoninfo",
        "contactinfo",
        "friendsandrelatives",
        "educationalinfo",
        "socialinfo",
        "files",
        "wall",
        "messages",
        "personaldata",
    }
)
ADMIN_SCOPE = "commoninfo,contactinfo,friendsandrelatives,educationalinfo,personaldata"


@dataclass(frozen=True)
class Session:
    token: Row
    user_id: int
    person_id: int
    scopes: frozenset[str]


def new_secret() -> str:
    """32 alphanumeric characters, the length of real access tokens."""
    return secrets.token_hex(16)


def normalise_scope(requested: str | None, allowed: str) -> str:
    """The lowercase comma list the server echoes: the requested scopes the app may have, in canonical order."""
    allowed_set = {s.strip().lower() for s in allowed.split(",") if s.strip()}
    wanted = {s.strip().lower() for s in (requested or allowed).split(",") if s.strip()}
    unknown = wanted - SCOPES
    if unknown:
        raise ApiError.parameter("scope", f"неизвестная область доступа {', '.join(sorted(unknown))}")
    granted = wanted & allowed_set
    if not granted:
        raise ApiError(403, "outOfScope")
    order = ["commoninfo", "contactinfo", "friendsandrelatives", "educationalinfo", "socialinfo"]
    order += ["files", "wall", "messages", "personaldata"]
    return ",".join(s for s in order if s in granted)


def issue_token(state: EmulatorState, user_id: int, scope: str, client_id: str | None) -> Row:
    """Stores and returns a token row for the user (who must exist)."""
    person = state.world.person_of_user(user_id)
    row: Row = {
        "accessToken": new_secret(),
        "refreshToken": new_secret(),
        "user": user_id,
        "user_str": str(user_id),
        "person": person["id"],
        "scope": scope,
        "client_id": client_id,
        "issuedAt": state.clock(),
        "expiresIn": EXPIRES_IN,
    }
    state.world.tokens[row["accessToken"]] = row
    return row


def token_json(row: Row) -> dict[str, Any]:
    expires = int(row["expiresIn"])
    return {
        "accessToken": row["accessToken"],
        "expiresIn": expires,
        "expiresIn_str": str(expires),
        "refreshToken": row["refreshToken"],
        "scope": row["scope"],
        "user": row["user"],
        "user_str": row["user_str"],
    }


def is_expired(state: EmulatorState, row: Row) -> bool:
    lifetime = float(row["expiresIn"])
    if state.faults.token_ttl_s is not None:
        lifetime = min(lifetime, state.faults.token_ttl_s)
    return bool(row.get("revoked")) or state.clock() >= float(row["issuedAt"]) + lifetime


def authenticate(request: Request) -> Session:
    state = state_of(request)
    token = request.headers.get("access-token") or request.query_params.get("access_token")
    if not token:
        raise ApiError(401, "tokenRequired")
    row = state.world.tokens.get(token.strip())
    if row is None or is_expired(state, row):
        raise ApiError(401, "invalidToken")
    scopes = frozenset(s for s in str(row["scope"]).split(",") if s)
    return Session(row, int(row["user"]), int(row["person"]), scopes)


def require(scope: str) -> Callable[[Request], Awaitable[Session]]:
    """A dependency: a valid token whose scope includes `scope` (lowercase)."""

    async def dependency(request: Request) -> Session:
        session = authenticate(request)
        if scope not in session.scopes:
            raise ApiError(403, "outOfScope")
        return session

    return dependency


# ---- token endpoints --------------------------------------------------------------------------------
router = APIRouter()


async def _body(request: Request) -> dict[str, str]:
    """JSON or form, as the swagger example and the refresh form both occur; values as strings."""
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        try:
            data = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError as exc:
            raise ApiError(400, "invalidRequest", "Тело запроса не является JSON") from exc
        if not isinstance(data, dict):
            raise ApiError(400, "invalidRequest", "Ожидался JSON-объект")
        return {str(k).lower(): "" if v is None else str(v) for k, v in data.items()}
    form = await request.form()
    return {k.lower(): str(v) for k, v in form.items()}


def _client(request: Request, body: dict[str, str], state: EmulatorState) -> Row:
    """The partner app from HTTP Basic or from client_id/client_secret in the body."""
    client_id, secret = body.get("client_id", ""), body.get("client_secret", "")
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ApiError(403, "invalid_client") from exc
    app = state.world.apps.get(client_id)
    if app is None or not secrets.compare_digest(str(app["client_secret"]), secret):
        raise ApiError(403, "invalid_client")
    return app


@router.post("/authorizations")
async def exchange(request: Request) -> Response:
    state = state_of(request)
    body = await _body(request)
    app = _client(request, body, state)
    grant = body.get("grant_type", "NotSet") or "NotSet"
    if grant.lower() == "refreshtoken":
        old = next(
            (
                t
                for t in state.world.tokens.values()
                if t["refreshToken"] == body.get("refreshtoken") and not t.get("refreshUsed")
            ),
            None,
        )
        if old is None or old.get("client_id") != app["client_id"]:
            raise ApiError(401, "authorizationFailed")
        old["refreshUsed"] = True  # refresh tokens rotate: each one works once
        row = issue_token(state, int(old["user"]), str(old["scope"]), app["client_id"])
        return DnevnikJSONResponse(token_json(row))
    if grant.lower() not in ("notset", "authorizationcode", "code"):
        raise ApiError.parameter("grant_type", f"'{grant}' не поддерживается")
    code = state.world.auth_codes.pop(body.get("code", ""), None)
    if code is None or code["client_id"] != app["client_id"] or state.clock() > code["issuedAt"] + CODE_TTL_S:
        raise ApiError(401, "authorizationFailed")
    row = issue_token(state, int(code["user"]), str(code["scope"]), app["client_id"])
    return DnevnikJSONResponse(token_json(row))


@router.post("/authorizations/bycredentials")
async def by_credentials(request: Request) -> Response:
    state = state_of(request)
    body = await _body(request)
    app = _client(request, body, state)
    if not app.get("passwordGrant"):
        raise ApiError(403, "invalid_client", "Client is not allowed to use password authorization")
    account = state.world.accounts.get(body.get("username", "").lower())
    if account is None or not secrets.compare_digest(str(account["password"]), body.get("password", "")):
        raise ApiError(401, "authorizationFailed")
    scope = normalise_scope(body.get("scope"), str(app["scope"]))
    row = issue_token(state, int(account["user"]), scope, app["client_id"])
    return DnevnikJSONResponse(token_json(row))


def issue_code(state: EmulatorState, user_id: int, client_id: str, scope: str | None = None) -> str:
    """What login.dnevnik.ru/oauth2 hands the partner after the user agrees: a one-time code."""
    app = state.world.apps.get(client_id)
    if app is None:
        raise ApiError(403, "invalid_client")
    state.world.person_of_user(user_id)
    code = new_secret()
    state.world.auth_codes[code] = {
        "code": code,
        "client_id": client_id,
        "user": user_id,
        "user_str": str(user_id),
        "scope": normalise_scope(scope, str(app["scope"])),
        "issuedAt": state.clock(),
    }
    return code
