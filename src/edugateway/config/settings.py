"""pydantic-settings models of gateway.toml.

Precedence, highest first: keyword arguments, EDUGATEWAY_* environment variables (nested keys joined
with `__`, e.g. EDUGATEWAY_PLATFORMS__DNEVNIK__BASE_URL), the TOML file. The file is the one passed
as --config, else $EDUGATEWAY_CONFIG, else ./gateway.toml when it exists. Secrets are never values in
the file: a platform names the environment variable or file that holds each one.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from edugateway.errors import ConfigError

DEFAULT_CONFIG_FILE = Path("gateway.toml")
DEFAULT_DATABASE_URL = "sqlite:///var/edugateway.sqlite3"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SecretRef(_Strict):
    """Where a secret lives: an environment variable or a file (Docker/Kubernetes secrets)."""

    env: str | None = None
    file: Path | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if bool(self.env) == bool(self.file):
            raise ValueError("name exactly one of `env` (a variable name) or `file` (a path)")
        return self

    def resolve(self, what: str) -> str:
        if self.env:
            value = os.environ.get(self.env)
            if not value:
                raise ConfigError(f"{what}: environment variable {self.env} is not set; export it or use `file`")
            return value
        assert self.file is not None
        try:
            return self.file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{what}: cannot read secret file {self.file}: {exc.strerror}") from exc


class PlatformKind(StrEnum):
    DNEVNIK = "dnevnik"  # Дневник.ру and ИСУОД «Школьный портал» (same API, other base URL)
    ECP = "ecp"  # ГИС «Единое цифровое пространство», Sverdlovsk region
    ESIA = "esia"  # ЕСИА account lookup through СМЭВ 3


class ComplianceSettings(_Strict):
    """Deadlines of how the journal is kept (DOMAIN.md rules), checked on the data this platform delivers.
    Unset keys take the platform kind's defaults (COMPLIANCE_DEFAULTS), so ЕЦП and Дневник.ру differ."""

    topic_deadline_days: int = Field(default=0, ge=0, le=60, description="a lesson's topic is due this many days after")
    mark_deadline_days: int = Field(default=0, ge=0, le=60, description="a lesson mark is due this many days after")
    work_mark_deadline_days: int = Field(
        default=7, ge=0, le=60, description="a written work's mark is due this many days after the work"
    )
    accumulation_lessons: int = Field(
        default=4, ge=1, le=30, description="at most this many lessons of a subject a student attends without a mark"
    )
    marked_from_grade: int = Field(default=2, ge=0, le=12, description="first grade is taught without marks")
    half_year_grades: list[int] = Field(
        default_factory=list, description="grades graded by полугодия instead of четверти (often 10 and 11)"
    )


# Regulations by platform kind (DOMAIN.md): ЕЦП allows topics and marks up to 7 days late, Дневник.ру and ИСУОД
# want them on the lesson day.
COMPLIANCE_DEFAULTS: dict[str, dict[str, object]] = {
    "ecp": {"topic_deadline_days": 7, "mark_deadline_days": 7},
    "dnevnik": {"topic_deadline_days": 0, "mark_deadline_days": 0},
}


class PlatformSettings(_Strict):
    kind: PlatformKind
    base_url: str
    # Credentials: a ready token (Дневник.ру), a login/password pair (ЕЦП), client id/secret for refresh.
    token: SecretRef | None = None
    refresh_token: SecretRef | None = None
    client_id: str | None = None
    client_secret: SecretRef | None = None
    login: str | None = None
    password: SecretRef | None = None
    # Calls: explicit limits instead of library defaults.
    timeout_s: float = Field(default=30.0, gt=0)
    connect_timeout_s: float = Field(default=5.0, gt=0)
    rate_limit_rps: float = Field(default=5.0, gt=0)
    max_concurrency: int = Field(default=4, ge=1, le=64)
    retries: int = Field(default=5, ge=0, le=20)
    backoff_max_s: float = Field(default=60.0, gt=0)
    wsdl: Path | None = None  # ЕСИА/СМЭВ: a local WSDL file; the package's own when empty
    # Per entity, which side is master: push, pull or compare; unset entities take the defaults (sync/directions.py).
    directions: dict[str, str] = Field(default_factory=dict)
    # ЕЦП: the SMEV adapter's edu-upload service, e.g. http://smev-agent.local:8080/api/edu-upload/v1/ (a host of
    # its own, sent no token); unset, it is edu-upload/v1/ under base_url, as the emulator serves it.
    upload_url: str | None = None
    # ЕСИА through СМЭВ 3: the information system's mnemonic (sent as NodeID), the GOST key and certificate
    # (PEM files) that sign every message, and how long to poll for an answer (СМЭВ answers take minutes).
    sender_mnemonic: str | None = None
    signing_key: Path | None = None
    signing_certificate: Path | None = None
    response_deadline_s: float = Field(default=600.0, gt=0)
    poll_max_s: float = Field(default=30.0, gt=0)
    # How the journal kept on this platform is checked (reconciliation/compliance.py); defaults by kind.
    compliance: ComplianceSettings = Field(default_factory=ComplianceSettings)

    @model_validator(mode="before")
    @classmethod
    def _compliance_defaults_of_kind(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        defaults = COMPLIANCE_DEFAULTS.get(str(data.get("kind")), {})
        given = data.get("compliance") or {}
        if isinstance(given, ComplianceSettings):
            given = given.model_dump(exclude_unset=True)
        return {**data, "compliance": {**defaults, **given}} if isinstance(given, dict) else data


class SchoolSettings(_Strict):
    code: str
    name: str | None = None
    timezone: str = "Europe/Moscow"
    # The school's id on each platform it is served by, keyed by platform name.
    platform_ids: dict[str, str] = Field(default_factory=dict)


class JobSettings(_Strict):
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["sync", "verify", "reconcile", "archive"]
    cron: str = Field(description="five-field cron expression, in the school's timezone")
    schools: list[str] = Field(default_factory=lambda: ["*"])
    platform: str | None = None
    retries: int = Field(default=2, ge=0, le=20, description="a failed run is tried again this many times")
    retry_backoff_s: float = Field(
        default=60.0, ge=0, description="the pause before the first retry; it doubles before each next one"
    )
    misfire_grace_s: int = Field(
        default=6 * 3600,
        ge=1,
        description="a run missed while no daemon was up still runs once when it is at most this late",
    )
    entities: list[str] | None = Field(default=None, description="sync only: the entities (default: all)")
    force: bool = Field(default=False, description="verify only: ask ЕСИА about everyone, not only changed persons")


class SchedulerSettings(_Strict):
    lease_ttl_s: float = Field(
        default=60.0, gt=0, description="a dead daemon's lease on a school and platform expires after this long"
    )
    max_parallel: int = Field(default=4, ge=1, le=64, description="runs of different schools or platforms at once")


class AlertSettings(_Strict):
    """Where a failed job is reported besides the log (an error-level `job.alert` event, always written)."""

    # A URL, or {env = ...} / {file = ...} when the URL carries a token (Slack, Mattermost, Telegram bots).
    webhook_url: str | SecretRef | None = None
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretRef | None = None
    smtp_from: str | None = None
    smtp_to: list[str] = Field(default_factory=list)
    smtp_timeout_s: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _mail_complete(self) -> Self:
        if self.smtp_host and (not self.smtp_from or not self.smtp_to):
            raise ValueError("alerts.smtp_host is set: set smtp_from and smtp_to (a list of addresses) too")
        if bool(self.smtp_username) != bool(self.smtp_password):
            raise ValueError("alerts: set both smtp_username and smtp_password, or neither")
        return self


class IdentitySettings(_Strict):
    esia_platform: str = Field(default="esia", description="the platforms entry of kind esia to ask")
    reverify_after_days: int = Field(
        default=30, ge=0, description="ask ЕСИА again about an unchanged person whose last answer is older"
    )
    review_probability: float = Field(
        default=0.5, gt=0, le=1, description="candidates below this are not shown to the clerk"
    )


class ReconcileSettings(_Strict):
    reports_dir: Path | None = Field(
        default=None, description="where the rendered reports are written; empty: <data_dir>/reports"
    )
    journal_days: int = Field(
        default=35, ge=1, le=400, description="the journal days (up to yesterday) read again from the platform"
    )


class ArchiveSettings(_Strict):
    dir: Path | None = Field(
        default=None,
        description="where the summary sheets are archived, <dir>/<school>/<year>-<year+1>/; empty: <data_dir>/archive",
    )


class WebSettings(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    session_idle_minutes: int = Field(default=30, ge=1, description="a session ends after this long unused")
    session_max_hours: int = Field(default=12, ge=1, description="and after this long in any case")
    secure_cookies: bool = Field(default=False, description="set behind HTTPS: cookies only over TLS")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="EDUGATEWAY_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    database_url: str = DEFAULT_DATABASE_URL
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    data_dir: Path = Path("var")
    mass_delete_share: float = Field(
        default=0.10,
        gt=0,
        le=1,
        description="a bulk import or sync that would remove more than this share stops",
    )
    schools: list[SchoolSettings] = Field(default_factory=list)
    platforms: dict[str, PlatformSettings] = Field(default_factory=dict)
    jobs: list[JobSettings] = Field(default_factory=list)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    identity: IdentitySettings = Field(default_factory=IdentitySettings)
    web: WebSettings = Field(default_factory=WebSettings)
    reconcile: ReconcileSettings = Field(default_factory=ReconcileSettings)
    archive: ArchiveSettings = Field(default_factory=ArchiveSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


def chosen_config_file(config_file: Path | None = None) -> Path | None:
    """The TOML file `load_settings` reads (see module docstring); None when there is none to read."""
    path = config_file or (Path(os.environ["EDUGATEWAY_CONFIG"]) if os.environ.get("EDUGATEWAY_CONFIG") else None)
    if path is not None and not path.is_file():
        raise ConfigError(f"configuration file {path} does not exist; copy config/gateway.example.toml there")
    if path is None and DEFAULT_CONFIG_FILE.is_file():
        path = DEFAULT_CONFIG_FILE
    return path


def load_settings(config_file: Path | None = None, **overrides: object) -> Settings:
    """Settings from the chosen TOML file (see module docstring) and the environment."""
    path = chosen_config_file(config_file)

    class _FromFile(Settings):
        model_config = SettingsConfigDict(toml_file=path)

    try:
        return _FromFile(**overrides)  # type: ignore[arg-type]
    except ValueError as exc:
        where = f" in {path}" if path else ""
        raise ConfigError(f"invalid configuration{where}: {exc}") from exc
