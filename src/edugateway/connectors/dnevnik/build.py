"""A Дневник.ру connector from a platform's settings: credentials resolved from their env vars or files."""

from __future__ import annotations

import httpx

from edugateway.config.settings import DnevnikSettings
from edugateway.connectors.dnevnik.auth import DnevnikTokenAuth
from edugateway.connectors.dnevnik.connector import DnevnikConnector
from edugateway.connectors.dnevnik.errors import ERROR_TYPES
from edugateway.connectors.http import PlatformClient, Timer
from edugateway.connectors.policy import policy_for


def build_dnevnik_connector(
    name: str,
    settings: DnevnikSettings,
    school_id: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timer: Timer | None = None,
) -> DnevnikConnector:
    """`name` is the platform's key in the configuration (`[platforms.NAME]`); it names errors and logs."""

    def secret(field: str) -> str | None:
        ref = getattr(settings, field)
        return ref.resolve(f"platforms.{name}.{field}").get_secret_value() if ref is not None else None

    auth = DnevnikTokenAuth(
        secret("token") or "",
        refresh_token=secret("refresh_token"),
        client_id=settings.client_id,
        client_secret=secret("client_secret"),
    )
    client = PlatformClient(
        name,
        settings.base_url,
        policy=policy_for(settings),
        auth=auth,
        error_types=ERROR_TYPES,
        transport=transport,
        timer=timer,
    )
    return DnevnikConnector(client, school_id, platform=name)
