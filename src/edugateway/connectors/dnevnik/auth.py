"""Дневник.ру credentials: the `Access-Token` header, refreshed once through the RefreshToken grant."""

from __future__ import annotations

import httpx

from edugateway.connectors.dnevnik.errors import ERROR_TYPES
from edugateway.connectors.http import RETRYABLE, PlatformClient, error_for
from edugateway.errors import AuthError, PlatformUnavailable
from edugateway.logs import get_logger

log = get_logger(__name__)

TOKEN_PATH = "authorizations"  # noqa: S105 (a path, not a secret); relative to the /v2.0/ base: POST /v2.0/authorizations


class DnevnikTokenAuth:
    """An access token from config; with a refresh token and app credentials it renews itself after a 401.

    The swagger body of `POST /v2.0/authorizations` is JSON {code, client_id, client_secret, grant_type,
    refreshToken} (docs/platforms/dnevnik.md, Signing in); the answer carries a new accessToken and
    refreshToken, both kept for the rest of the run.
    """

    def __init__(
        self,
        access_token: str,
        *,
        refresh_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> None:
        if not access_token and not refresh_token:
            raise AuthError("no Дневник.ру token configured: set platforms.<name>.token (an env var or file)")
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.refreshes = 0

    async def apply(self, request: httpx.Request, client: PlatformClient) -> None:
        request.headers["Access-Token"] = self.access_token

    async def refresh(self, client: PlatformClient) -> None:
        if not (self.refresh_token and self.client_id and self.client_secret):
            raise AuthError(
                "the access token was refused and cannot be renewed: configure refresh_token, client_id and "
                "client_secret for this platform, or put a fresh token in its token setting",
                platform=client.platform,
            )
        body = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "grant_type": "RefreshToken",
            "refreshToken": self.refresh_token,
        }
        try:
            response = await client.http.post(TOKEN_PATH, json=body)
        except httpx.TransportError as exc:
            raise PlatformUnavailable(
                f"token refresh could not reach the platform ({exc.__class__.__name__}); retry later",
                platform=client.platform,
                url=str(client.http.base_url.join(TOKEN_PATH)),
            ) from exc
        client.requests_sent += 1
        error = error_for(response, client.platform, ERROR_TYPES)
        if isinstance(error, RETRYABLE):
            raise error  # an outage or a rate limit at the token endpoint is not a bad credential: retried
        if error is not None:
            raise AuthError(
                f"token refresh refused (HTTP {response.status_code}: {response.text[:200]}); the refresh token or "
                "the app's client_id/client_secret are wrong or revoked: issue a new token",
                platform=client.platform,
            )
        data = response.json()
        self.access_token = str(data["accessToken"])
        self.refresh_token = str(data.get("refreshToken") or self.refresh_token)
        self.refreshes += 1
        log.info("dnevnik token refreshed", platform=client.platform, expires_in=data.get("expiresIn"))
