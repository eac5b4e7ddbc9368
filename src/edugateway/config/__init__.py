"""Settings from gateway.toml and EDUGATEWAY_* environment variables."""

from edugateway.config.settings import (
    ArchiveJob,
    ArchiveVerifyJob,
    DnevnikSettings,
    EcpSettings,
    EsiaSettings,
    JobSettings,
    PlatformSettings,
    ReconcileJob,
    SchoolPlatformSettings,
    SchoolSettings,
    SecretRef,
    Settings,
    SyncJob,
    VerifyJob,
    load_settings,
)

__all__ = [
    "ArchiveJob",
    "ArchiveVerifyJob",
    "DnevnikSettings",
    "EcpSettings",
    "EsiaSettings",
    "JobSettings",
    "PlatformSettings",
    "ReconcileJob",
    "SchoolPlatformSettings",
    "SchoolSettings",
    "SecretRef",
    "Settings",
    "SyncJob",
    "VerifyJob",
    "load_settings",
]
