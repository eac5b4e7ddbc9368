"""Sign-in as the diary's API did it: `POST /api/auth/Auth/Login {login, password}` gives a JWT access token
and a refresh token; `Token/Refresh {refreshToken}` rotates both (each refresh token works once);
`Token/Revoke` ends the session. Every other call needs `Authorization: Bearer <token>`; the cookie the SPA sets itself,
`Aiss2Auth=Bearer%20<token>`, is accepted as well (one public client sends it alongside the header).

From public clients: the routes, the refresh body and answer `{accessToken, refreshToken}`, the JWT with an
`exp` claim. Inferred: the login answer (the same pair plus `expiresIn`), the 1-hour lifetime, and the
revoke body. The real service stopped password sign-in on 1 July 2024 (Госуслуги only); the emulator keeps
it because a server-to-server connector needs a non-interactive way in.
`FaultConfig.token_ttl_s` makes tokens die sooner than `exp` says: the mid-run expiry a connector must survive.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from edugateway.emulators.ecp.errors import EcpError, EcpJSONResponse
from edugateway.emulators.ecp.state import EmulatorState, state_of
from edugateway.emulators.ecp.world import Row

EXPIRES_IN = 3600
COOKIE = "Aiss2Auth"


@dataclass(frozen=True)
class Session:
    token: Row
    account: Row

    @property
    def is_admin(self) -> bool:
        return self.account.get("role") == "admin"

    def may_see(self, student_id: str) -> bool:
        return self.is_admin or student_id in self.account.get("studentIds", [])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(state: EmulatorState, claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(state.signing_key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def issue_token(state: EmulatorState, account: Row) -> Row:
    """Stores and returns a token row for the account; the JWT carries no personal data, only the account id."""
    now = state.clock()
    claims = {"sub": account["id"], "iat": int(now), "exp": int(now) + EXPIRES_IN, "jti": secrets.token_hex(8)}
    row: Row = {
        "accessToken": _jwt(state, claims),
        "refreshToken": _b64(secrets.token_bytes(32)),
        "login": str(account["login"]).lower(),
        "issuedAt": now,
        "expiresIn": EXPIRES_IN,
    }
    state.world.tokens[row["accessToken"]] = row
    return row


def token_json(row: Row) -> dict[str, Any]:
    return {"accessToken": row["accessToken"], "refreshToken": row["refreshToken"], "expiresIn": row["expiresIn"]}


def is_expired(state: EmulatorState, row: Row) -> bool:
    lifetime = float(row["expiresIn"])
    if state.faults.token_ttl_s is not None:
        lifetime = min(lifetime, state.faults.token_ttl_s)
    return bool(row.get("revoked")) or state.clock() >= float(row["issuedAt"]) + lifetime


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    cookie = unquote(request.cookies.get(COOKIE, ""))
    if cookie.lower().startswith("bearer "):
        return cookie[7:].strip() or None
    return None


def _unauthorized(error: str | None = None, description: str | None = None) -> EcpError:
    """401 with the WWW-Authenticate header ASP.NET's JwtBearer handler writes."""
    challenge = "Bearer" if error is None else f'Bearer error="{error}", error_description="{description}"'
    return EcpError(401, description, headers={"www-authenticate": challenge})


def authenticate(request: Request) -> Session:
    state = state_of(request)
    token = _bearer(request)
    if token is None:
        raise _unauthorized()
    row = state.world.tokens.get(token)
    if row is None:
        raise _unauthorized("invalid_token", "The signature key was not found")
    if is_expired(state, row):
        raise _unauthorized("invalid_token", "The token expired")
    account = state.world.accounts.get(row["login"])
    if account is None:
        raise _unauthorized("invalid_token", "The account no longer exists")
    return Session(row, account)


async def _session(request: Request) -> Session:
    return authenticate(request)


Auth = Annotated[Session, Depends(_session)]

router = APIRouter(prefix="/api/auth")


async def json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EcpError(400, "Тело запроса не является JSON") from exc
    if not isinstance(body, dict):
        raise EcpError(400, "Ожидался JSON-объект")
    return body


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise EcpError.parameter(name, f"The {name} field is required.")
    return value


@router.post("/Auth/Login")
async def login(request: Request) -> Response:
    state = state_of(request)
    body = await json_object(request)
    name, password = _text(body, "login"), _text(body, "password")
    account = state.world.accounts.get(name.lower())
    if account is None or not secrets.compare_digest(str(account["password"]), password):
        raise EcpError(401, "Неверный логин или пароль")
    return EcpJSONResponse(token_json(issue_token(state, account)))


@router.post("/Token/Refresh")
async def refresh(request: Request) -> Response:
    state = state_of(request)
    presented = _text(await json_object(request), "refreshToken")
    old = next(
        (t for t in state.world.tokens.values() if t["refreshToken"] == presented and not t.get("refreshUsed")), None
    )
    account = state.world.accounts.get(old["login"]) if old else None
    if old is None or account is None or old.get("revoked"):
        raise EcpError(401, "Недействительный токен обновления")
    old["refreshUsed"] = True  # refresh tokens rotate: each one works once
    return EcpJSONResponse(token_json(issue_token(state, account)))


@router.post("/Token/Revoke")
async def revoke(request: Request, session: Auth) -> Response:
    """Ends the caller's session: the access token and its refresh token stop working."""
    session.token["revoked"] = True
    return Response(status_code=200)
