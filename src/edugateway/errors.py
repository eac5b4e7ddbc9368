"""The gateway's errors, grouped by what the caller must do.

GatewayError                 base; every message says what to do next
├── ConfigError              fix the configuration, then rerun
├── ValidationError          a record is wrong: skip it, report it, go on
├── DataSafetyError          the operation would lose data; rerun with an explicit approval
├── StoreError               the local database refused; check it, then rerun
├── Busy                     another run holds the school and platform: wait for it, then rerun
└── ConnectorError           a platform call failed
    ├── AuthError            credentials rejected: fix them
    ├── RateLimited          retry after `retry_after` seconds
    ├── PlatformUnavailable  platform down or unreachable: retry later
    └── PlatformRejected     the platform refused this record: skip and report it
"""

from __future__ import annotations


class GatewayError(Exception):
    """Base of every error the gateway raises on purpose."""


class ConfigError(GatewayError):
    """The configuration is wrong or incomplete; the message names the setting."""


class ValidationError(GatewayError):
    """One record is invalid; `field` and `record` say where."""

    def __init__(self, message: str, *, field: str | None = None, record: str | None = None) -> None:
        where = ", ".join(p for p in (f"record {record}" if record else "", f"field {field}" if field else "") if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.field = field
        self.record = record
        self.reason = message


class DataSafetyError(GatewayError):
    """Refused because it would remove or overwrite too much; needs an explicit approval flag."""


class StoreError(GatewayError):
    """The local database could not be used (unreachable, not migrated, constraint broken)."""


class Busy(GatewayError):
    """Another run holds the lease on this school and platform; nothing was started."""


class ConnectorError(GatewayError):
    """A platform call failed."""

    def __init__(
        self, message: str, *, platform: str | None = None, url: str | None = None, body: object = None
    ) -> None:
        prefix = f"[{platform}] " if platform else ""
        suffix = f" (URL: {url})" if url else ""
        super().__init__(f"{prefix}{message}{suffix}")
        self.platform = platform
        self.url = url
        self.body = body  # the platform's decoded error answer, for connectors that read reasons per record


class AuthError(ConnectorError):
    """The platform rejected the credentials or token."""


class RateLimited(ConnectorError):
    """The platform asked us to slow down."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        platform: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, platform=platform, url=url)
        self.retry_after = retry_after


class PlatformUnavailable(ConnectorError):
    """The platform is down, in maintenance, or unreachable."""


class PlatformRejected(ConnectorError):
    """The platform refused one record; the rest of the batch goes on."""
