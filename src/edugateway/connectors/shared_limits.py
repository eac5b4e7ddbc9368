"""Which rate limiter a school platform's clients get: this process's own, or the bucket in the database shared by
every process that uses the same partner token (`[platforms.NAME] rate_limit_scope = "shared"`)."""

from __future__ import annotations

from edugateway.config.settings import DnevnikSettings, SchoolPlatformSettings, Settings
from edugateway.connectors.http import LimiterFactory, RateLimiter
from edugateway.connectors.shared_rate_limit import SharedRateLimiter, bucket_key
from edugateway.store.rate_buckets import shared_buckets


def platform_limiters(settings: Settings, name: str, platform: SchoolPlatformSettings) -> LimiterFactory | None:
    """None for the process scope (the client builds its own token bucket)."""
    if platform.rate_limit_scope != "shared":
        return None
    buckets = shared_buckets(settings.database_url)
    identity = _token_identity(name, platform)

    def limiter(base_url: str) -> RateLimiter:
        key = bucket_key(platform.kind.value, base_url, identity)
        return SharedRateLimiter(buckets, key, platform.rate_limit_rps, platform.rate_limit_burst)

    return limiter


def _token_identity(name: str, platform: SchoolPlatformSettings) -> str:
    """What the platform counts requests against: the partner application (client id) or the token itself on
    Дневник.ру, the login on ЕЦП. Only hashed into the bucket's key."""
    if isinstance(platform, DnevnikSettings):
        if platform.client_id:
            return f"client_id:{platform.client_id}"
        if platform.token is not None:
            return "token:" + platform.token.resolve(f"platforms.{name}.token").get_secret_value()
        return ""
    return f"login:{platform.login or ''}"
