"""A ГИС ЕЦП connector from a platform's settings: the password resolved from its env var or file."""

from __future__ import annotations

import httpx

from edugateway.config.settings import EcpSettings
from edugateway.connectors.ecp.auth import EcpPasswordAuth
from edugateway.connectors.ecp.connector import EcpConnector
from edugateway.connectors.ecp.errors import ERROR_TYPES
from edugateway.connectors.http import LimiterFactory, PlatformClient, Timer
from edugateway.connectors.policy import policy_for
from edugateway.errors import ConfigError


def build_ecp_connector(
    name: str,
    settings: EcpSettings,
    school_id: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    org_ogrn: str | None = None,
    timer: Timer | None = None,
    limiters: LimiterFactory | None = None,
) -> EcpConnector:
    """`name` is the platform's key in the configuration (`[platforms.NAME]`); it names errors and logs.
    `base_url` is the diary's API root (`https://dnevnik.egov66.ru/api/`); `org_ogrn` the school's ОГРН,
    needed only to push pupils. `limiters` gives each client its rate limiter (default: this process's own)."""
    if settings.password is None or not settings.login:
        raise ConfigError(
            f"ГИС ЕЦП needs a login and a password: set platforms.{name}.login and platforms.{name}.password "
            '(password = {env = "VAR"} or {file = "path"})'
        )
    password = settings.password.resolve(f"platforms.{name}.password").get_secret_value()
    auth = EcpPasswordAuth(settings.login, password, settings_name=name)
    policy = policy_for(settings)
    client = PlatformClient(
        name,
        settings.base_url,
        policy=policy,
        auth=auth,
        error_types=ERROR_TYPES,
        transport=transport,
        timer=timer,
        limiter=limiters(settings.base_url) if limiters else None,
    )
    upload = (
        PlatformClient(
            name,
            settings.upload_url,
            policy=policy,
            error_types=ERROR_TYPES,
            transport=transport,
            timer=timer,
            limiter=limiters(settings.upload_url) if limiters else None,
        )
        if settings.upload_url
        else None
    )
    return EcpConnector(client, school_id, platform=name, org_ogrn=org_ogrn, upload_client=upload)
