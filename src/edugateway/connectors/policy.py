"""The HTTP policy of one platform, from its settings: every limit explicit, never a library default."""

from __future__ import annotations

from edugateway.config.settings import SchoolPlatformBase
from edugateway.connectors.http import HttpPolicy


def policy_for(settings: SchoolPlatformBase) -> HttpPolicy:
    return HttpPolicy(
        timeout_s=settings.timeout_s,
        connect_timeout_s=settings.connect_timeout_s,
        rate_limit_rps=settings.rate_limit_rps,
        rate_limit_burst=settings.rate_limit_burst,
        max_concurrency=settings.max_concurrency,
        retries=settings.retries,
        backoff_max_s=settings.backoff_max_s,
    )
