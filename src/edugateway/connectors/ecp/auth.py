"""ГИС ЕЦП sign-in: a login and password give a bearer token and a refresh token.

`POST auth/Auth/Login {login, password}` -> `{accessToken, refreshToken, expiresIn}`; after a 401 the
refresh token is spent on `POST auth/Token/Refresh {refreshToken}` (each one works once), and when that is
refused the connector signs in afresh, once. Paths are relative to the API base (`…/api/`). From public
clients: the routes, the refresh body and answer; inferred: the login answer carries the same pair.
The password and the tokens are never logged.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from edugateway.connectors.ecp.errors import ERROR_TYPES
from edugateway.connectors.http import RETRYABLE, PlatformClient, error_for
from edugateway.errors import AuthError, ConfigError, PlatformUnavailable
from edugateway.logs import get_logger

log = get_logger(__name__)

LOGIN_PATH = "auth/Auth/Login"
REFRESH_PATH = "auth/Token/Refresh"


class EcpPasswordAuth:
    """Signs in on first use and puts `Authorization: Bearer <token>` on every request.

    `settings_name` is the platform's key in the configuration, so a refused sign-in names the settings to fix.
    """

    def __init__(self, login: str, password: str, *, settings_name: str = "ecp") -> None:
        if not login or not password:
            raise ConfigError(
                f"ГИС ЕЦП needs a login and a password: set platforms.{settings_name}.login and "
                f"platforms.{settings_name}.password (an env var or a file)"
            )
        self.login = login
        self._password = password
        self.settings_name = settings_name
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self.sign_ins = 0
        self.refreshes = 0
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"EcpPasswordAuth(login={self.login!r}, signed_in={self.access_token is not None})"

    async def apply(self, request: httpx.Request, client: PlatformClient) -> None:
        if self.access_token is None:
            async with self._lock:  # concurrent first requests sign in once
                if self.access_token is None:
                    await self._sign_in(client)
        request.headers["Authorization"] = f"Bearer {self.access_token}"

    async def refresh(self, client: PlatformClient) -> None:
        """Spends the refresh token; when it is refused (expired, used, revoked) signs in again, once."""
        async with self._lock:
            if self.refresh_token is not None:
                answer = await self._post(client, REFRESH_PATH, {"refreshToken": self.refresh_token})
                if answer is not None:
                    self._keep(answer, client)
                    self.refreshes += 1
                    log.info("ecp token refreshed", platform=client.platform)
                    return
                log.info("ecp refresh token refused, signing in again", platform=client.platform)
            await self._sign_in(client)

    async def _sign_in(self, client: PlatformClient) -> None:
        answer = await self._post(client, LOGIN_PATH, {"login": self.login, "password": self._password})
        if answer is None:
            raise AuthError(
                f"sign-in refused for login {self.login!r}: the login or password is wrong, or the account is "
                f"locked; fix platforms.{self.settings_name}.login / platforms.{self.settings_name}.password",
                platform=client.platform,
                url=str(client.http.base_url.join(LOGIN_PATH)),
            )
        self._keep(answer, client)
        self.sign_ins += 1
        log.info("ecp signed in", platform=client.platform)

    def _keep(self, answer: dict[str, Any], client: PlatformClient) -> None:
        token = answer.get("accessToken")
        if not isinstance(token, str) or not token:
            raise PlatformUnavailable(
                "the sign-in answer holds no accessToken; the API changed or base_url is not the diary's /api/",
                platform=client.platform,
            )
        self.access_token = token
        refresh = answer.get("refreshToken")
        self.refresh_token = refresh if isinstance(refresh, str) and refresh else None

    async def _post(self, client: PlatformClient, path: str, body: dict[str, str]) -> dict[str, Any] | None:
        """The JSON answer, or None when the platform refused the credentials (400/401/403). Outages and rate
        limits at the token endpoints raise, so they are retried rather than taken for bad credentials."""
        url = str(client.http.base_url.join(path))
        try:
            response = await client.http.post(path, json=body)
        except httpx.TimeoutException as exc:
            raise PlatformUnavailable(
                f"sign-in got no answer within {client.policy.timeout_s:g} s; the platform is slow or down",
                platform=client.platform,
                url=url,
            ) from exc
        except httpx.TransportError as exc:
            raise PlatformUnavailable(
                f"cannot connect for sign-in ({exc.__class__.__name__}: {exc}); check base_url, DNS, the network "
                "and any proxy or firewall between this machine and the platform",
                platform=client.platform,
                url=url,
            ) from exc
        client.requests_sent += 1
        error = error_for(response, client.platform, ERROR_TYPES)
        if isinstance(error, RETRYABLE):
            raise error
        if error is not None:
            return None
        try:
            answer = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise PlatformUnavailable("the sign-in answer is not JSON", platform=client.platform, url=url) from exc
        if not isinstance(answer, dict):
            raise PlatformUnavailable("the sign-in answer is not a JSON object", platform=client.platform, url=url)
        return answer
