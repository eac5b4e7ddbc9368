"""Settings from gateway.toml and EDUGATEWAY_* environment variables."""

from edugateway.config.settings import (
    JobSettings,
    PlatformSettings,
    SchoolSettings,
    SecretRef,
    Settings,
    load_settings,
)

__all__ = ["JobSettings", "PlatformSettings", "SchoolSettings", "SecretRef", "Settings", "load_settings"]
