"""A Дневник.ру connector from a platform's settings: credentials resolved from their env vars or files."""

from __future__ import annotations

import httpx

from edugateway.config.settings import DnevnikSettings
from edugateway.connectors.dnevnik.auth import DnevnikTokenAuth
from edugateway.connectors.dnevnik.connector import DnevnikConnector
from edugateway.connectors.dnevnik.errors import ERROR_TYPES
from edugateway.connectors.emulated import optional_secret
from edugateway.connectors.http import LimiterFactory, PlatformClient, Timer
from edugateway.connectors.policy import policy_for


def build_dnevnik_connector(
    name: str,
    settings: DnevnikSettings,
    school_id: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timer: Timer | None = None,
    limiters: LimiterFactory | None = None,
) -> DnevnikConnector:
    """`name` is the platform's key in the configuration (`[platforms.NAME]`); it names errors and logs.
    `limiters` gives the client its rate limiter (default: this process's own)."""

    def secret(field: str) -> str | None:
        ref = getattr(settings, field)
        return ref.resolve(f"platforms.{name}.{field}").get_secret_value() if ref is not None else None

    auth = DnevnikTokenAuth(
        secret("token") or "",
        # They renew the token: an emulator's token does not need renewing (connectors/emulated.py).
        refresh_token=optional_secret(settings.refresh_token, f"platforms.{name}.refresh_token", settings.base_url),
        client_id=settings.client_id,
        client_secret=optional_secret(settings.client_secret, f"platforms.{name}.client_secret", settings.base_url),
    )
    client = PlatformClient(
        name,
        settings.base_url,
        policy=policy_for(settings),
        auth=auth,
        error_types=ERROR_TYPES,
        transport=transport,
        timer=timer,
        limiter=limiters(settings.base_url) if limiters else None,
    )
    return DnevnikConnector(client, school_id, platform=name)
