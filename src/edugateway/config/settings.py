"""pydantic-settings models of gateway.toml.

Precedence, highest first: keyword arguments, EDUGATEWAY_* environment variables (nested keys joined
with `__`, e.g. EDUGATEWAY_PLATFORMS__DNEVNIK__BASE_URL), the TOML file. The file is the one passed
as --config, else $EDUGATEWAY_CONFIG, else ./gateway.toml when it exists. Secrets are never values in
the file: a platform names the environment variable or file that holds each one, and what that resolves to is a
SecretStr. No message about a secret field repeats what was written there (config/explain.py, `SECRET`).
"""

from __future__ import annotations

import os
import re
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, ClassVar, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, IPvAnyNetwork, SecretStr, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings.exceptions import SettingsError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from edugateway.config.explain import SECRET, Problem, Sources, explain, toml_syntax_problem
from edugateway.domain.entities import Direction, Entity
from edugateway.errors import ConfigError

DEFAULT_CONFIG_FILE = Path("gateway.toml")
DEFAULT_DATABASE_URL = "sqlite:///var/edugateway.sqlite3"
# What an environment variable's name looks like; anything else named in `env` is shown to nobody, since it is
# most likely the secret itself written where its variable's name belongs.
_VARIABLE_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


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

    def resolve(self, what: str) -> SecretStr:
        if self.env:
            value = os.environ.get(self.env)
            if not value:
                if not _VARIABLE_NAME.fullmatch(self.env):
                    raise ConfigError(
                        f"{what}: `env` names no variable that is set, and its text (not shown) does not look like "
                        'a variable\'s name; write the name, e.g. env = "EDUGATEWAY_DNEVNIK_TOKEN", never the secret'
                    )
                raise ConfigError(f"{what}: environment variable {self.env} is not set; export it or use `file`")
            return SecretStr(value)
        assert self.file is not None
        try:
            return SecretStr(self.file.read_text(encoding="utf-8").strip())
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
    work_mark_deadline_days: int | None = Field(
        default=None,
        ge=0,
        le=60,
        description="a written work's mark is due this many days after the work (ИСУОД: 003 приказ §2.3.3, 7); "
        "unset: the rule is not applied (Дневник.ру 001 §2.5 and ЕЦП 000 set no such limit)",
    )
    accumulation_lessons: int = Field(
        default=4,
        ge=1,
        le=30,
        description="накопляемость (004 §4.2.4 «не реже 1 раза в 3–4 урока»): a mark at least every this many "
        "attended lessons of a subject; a run of this many attended lessons without a mark is a finding",
    )
    marked_from_grade: int = Field(default=2, ge=0, le=12, description="first grade is taught without marks")
    half_year_grades: list[int] = Field(
        default_factory=list, description="grades graded by полугодия instead of четверти (often 10 and 11)"
    )
    final_deadline_days: int = Field(
        default=0,
        ge=0,
        le=30,
        description="a period or year final is due by the period's last day + this many days (001 §2.7, 003 §2.8)",
    )
    homework_deadline_minutes: int = Field(
        default=90,
        ge=0,
        le=24 * 60,
        description="homework is sent at most this many minutes after the class's last lesson of the day ends",
    )


# Regulations by platform kind (DOMAIN.md): ЕЦП allows topics and marks up to 7 days late, Дневник.ру and ИСУОД
# want them on the lesson day.
COMPLIANCE_DEFAULTS: dict[str, dict[str, object]] = {
    "ecp": {"topic_deadline_days": 7, "mark_deadline_days": 7},
    "dnevnik": {"topic_deadline_days": 0, "mark_deadline_days": 0},
}
# Homework: 1.5 h after the class's lessons on Дневник.ру and ИСУОД (001 §2.6, 003 §2.7), 2 h on ЕЦП (000 §3.3.7).
COMPLIANCE_DEFAULTS["ecp"]["homework_deadline_minutes"] = 120


class PlatformBase(_Strict):
    """What every kind of platform has: where it answers and the limits of every call (explicit, never a
    library's defaults)."""

    base_url: str = Field(min_length=1)
    timeout_s: float = Field(default=30.0, gt=0)
    connect_timeout_s: float = Field(default=5.0, gt=0)
    rate_limit_rps: float = Field(default=5.0, gt=0)
    max_concurrency: int = Field(default=4, ge=1, le=64)
    retries: int = Field(default=5, ge=0, le=20)
    backoff_max_s: float = Field(default=60.0, gt=0)


class SchoolPlatformBase(PlatformBase):
    """A platform that keeps a school's roster and journal: what sync and reconciliation work with."""

    # Per entity, which side is master: push, pull or compare; unset entities take the defaults (sync/directions.py).
    directions: dict[Entity, Direction] = Field(default_factory=dict)
    # How the journal kept on this platform is checked (reconciliation/compliance.py); defaults by kind.
    compliance: ComplianceSettings = Field(default_factory=ComplianceSettings)
    # Requests at once after a quiet spell, then rate_limit_rps; unset, the rate rounded down (at least 1).
    rate_limit_burst: int | None = Field(default=None, ge=1)
    # "process": each process paces itself (one daemon). "shared": every process using this platform with the same
    # token draws from one bucket in the database (procrastinate workers, several daemons): the platform limits
    # the token, not the process (connectors/shared_rate_limit.py).
    rate_limit_scope: Literal["process", "shared"] = "process"

    @model_validator(mode="before")
    @classmethod
    def _compliance_defaults_of_kind(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        kind = cls.model_fields["kind"].default if "kind" in cls.model_fields else None
        defaults = COMPLIANCE_DEFAULTS.get(str(kind), {})
        given = data.get("compliance") or {}
        if isinstance(given, ComplianceSettings):
            given = given.model_dump(exclude_unset=True)
        return {**data, "compliance": {**defaults, **given}} if isinstance(given, dict) else data


class DnevnikSettings(SchoolPlatformBase):
    """Дневник.ру partner API v2, and ИСУОД «Школьный портал» (the same API under another base URL)."""

    kind: Literal[PlatformKind.DNEVNIK] = PlatformKind.DNEVNIK
    # A ready access token; refresh_token with client_id and client_secret renew it.
    token: SecretRef | None = None
    refresh_token: SecretRef | None = None
    client_id: str | None = None
    client_secret: SecretRef | None = None
    # A pushed journal mark or log entry a teacher changed on the platform since the last push: "report" refuses
    # the write with its reason (run log, summary) for a person to decide; "overwrite" replaces it
    # (sync/journal_send.py).
    journal_conflicts: Literal["report", "overwrite"] = "report"


class EcpSettings(SchoolPlatformBase):
    """ГИС «Единое цифровое пространство» (Sverdlovsk region): signs in with a login and a password."""

    kind: Literal[PlatformKind.ECP] = PlatformKind.ECP
    login: str | None = None
    password: SecretRef | None = None
    # The SMEV adapter's edu-upload service, e.g. http://smev-agent.local:8080/api/edu-upload/v1/ (a host of
    # its own, sent no token); unset, it is edu-upload/v1/ under base_url, as the emulator serves it.
    upload_url: str | None = None


class EsiaSettings(PlatformBase):
    """ЕСИА account lookup through СМЭВ 3: `base_url` is the СМЭВ SOAP endpoint."""

    kind: Literal[PlatformKind.ESIA] = PlatformKind.ESIA
    wsdl: Path | None = None  # a local WSDL file; the package's own when empty
    # The information system's mnemonic (sent as NodeID), the GOST key and certificate (PEM files) that sign
    # every message, and how long to poll for an answer (СМЭВ answers take minutes).
    sender_mnemonic: str | None = None
    signing_key: Path | None = None
    signing_certificate: Path | None = None
    response_deadline_s: float = Field(default=600.0, gt=0)
    poll_max_s: float = Field(default=30.0, gt=0)


# One [platforms.NAME] entry: its `kind` chooses the model, so a key of another kind is refused at load.
PlatformSettings = Annotated[DnevnikSettings | EcpSettings | EsiaSettings, Field(discriminator="kind")]
# The platforms a school's roster is synced with and reconciled against.
SchoolPlatformSettings = DnevnikSettings | EcpSettings


class SchoolSettings(_Strict):
    code: str = Field(min_length=1)
    name: str | None = None
    timezone: str = "Europe/Moscow"
    # The school's id on each platform it is served by, keyed by platform name.
    platform_ids: dict[str, str] = Field(default_factory=dict)
    # Who gets the nightly reconciliation report by e-mail (its summary in the body, the workbook attached),
    # sent through [alerts]' SMTP server after each reconcile job of the school.
    report_to: list[str] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone; use e.g. Asia/Yekaterinburg") from None
        return value


class JobBase(_Strict):
    """What every kind of job has: its name, when it runs, for which schools, and how a failure is retried."""

    name: str = Field(min_length=1, max_length=100)
    cron: str = Field(description="five-field cron expression, in the school's timezone")
    schools: list[str] = Field(default_factory=lambda: ["*"])
    retries: int = Field(default=2, ge=0, le=20, description="a failed run is tried again this many times")
    retry_backoff_s: float = Field(
        default=60.0, ge=0, description="the pause before the first retry; it doubles before each next one"
    )
    misfire_grace_s: int = Field(
        default=6 * 3600,
        ge=1,
        description="a run missed while no daemon was up still runs once when it is at most this late",
    )
    priority: int | None = Field(
        default=None,
        ge=-100,
        le=100,
        description="procrastinate: workers take queued fires of a higher priority first (default: by kind, "
        "sync 30, verify 20, reconcile and reports 10, archive 0)",
    )


class SyncJob(JobBase):
    kind: Literal["sync"] = "sync"
    platform: str = Field(min_length=1, description="the [platforms.NAME] to sync with")
    entities: list[Entity] | None = Field(default=None, description="the entities (default: all)")


class ReconcileJob(JobBase):
    kind: Literal["reconcile"] = "reconcile"
    platform: str = Field(min_length=1, description="the [platforms.NAME] to reconcile against")
    entities: list[Entity] | None = Field(default=None, description="the entities to compare (default: all)")


class VerifyJob(JobBase):
    scope_note: ClassVar[str] = "a verify job asks ЕСИА through the platform identity.esia_platform names"

    kind: Literal["verify"] = "verify"
    force: bool = Field(default=False, description="ask ЕСИА about everyone, not only changed persons")


class ArchiveJob(JobBase):
    scope_note: ClassVar[str] = "an archive job reads the local database only"

    kind: Literal["archive"] = "archive"


class MonthReportJob(JobBase):
    """The deputy's monthly report (004 §5.2) of the calendar month before the trigger fires."""

    scope_note: ClassVar[str] = "a month-report job reads the local database only"

    kind: Literal["month-report"] = "month-report"


class PeriodReportJob(JobBase):
    """The progress and attendance reports (004 §5.3) of the periods (and the year) ended before the trigger."""

    scope_note: ClassVar[str] = "a period-report job reads the local database only"

    kind: Literal["period-report"] = "period-report"


class ArchiveVerifyJob(JobBase):
    scope_note: ClassVar[str] = "an archive-verify job reads the archive's destinations only"

    kind: Literal["archive-verify"] = "archive-verify"


# One [[jobs]] entry: its `kind` chooses the model, so a key another kind needs or refuses is caught at load.
JobSettings = Annotated[
    SyncJob | ReconcileJob | VerifyJob | ArchiveJob | ArchiveVerifyJob | MonthReportJob | PeriodReportJob,
    Field(discriminator="kind"),
]


class SchedulerSettings(_Strict):
    lease_ttl_s: float = Field(
        default=60.0,
        gt=0,
        description="a run's lease on a school and platform outlives a process that stopped renewing it this long",
    )
    max_parallel: int = Field(default=4, ge=1, le=64, description="runs of different schools or platforms at once")
    executor: Literal["local", "procrastinate"] = Field(
        default="local",
        description="local: the daemon runs each fire in its own threads; procrastinate: the daemon defers each "
        "fire to the PostgreSQL queue and `edugateway worker` processes, on any machines, run them",
    )
    stalled_after_s: float = Field(
        default=120.0,
        gt=0,
        description="procrastinate: a worker silent this long is dead and its running job is retried by another; "
        "keep it at least lease_ttl_s, so that the dead worker's lease has expired when the retry starts",
    )
    worker_concurrency: int = Field(default=2, ge=1, le=64, description="procrastinate: jobs one worker runs at once")


class AlertSettings(_Strict):
    """Where a failed job is reported besides the log (an error-level `job.alert` event, always written)."""

    # A URL, or {env = ...} / {file = ...} when the URL carries a token (Slack, Mattermost, Telegram bots); a URL
    # written here is kept as a secret too, since it often carries one.
    webhook_url: SecretStr | SecretRef | None = None
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
    """Where the yearly archive goes. 000 §3.8 wants it on at least two media kept in different rooms: list both
    in `dirs`; `dir` (one destination) is the older spelling of `dirs = [dir]`."""

    dir: Path | None = Field(
        default=None,
        description="deprecated, the same as dirs = [dir]: one destination, <dir>/<school>/<year>-<year+1>/",
    )
    dirs: list[Path] = Field(
        default_factory=list,
        description="every destination (medium) the archive is written to and verified in; empty: <data_dir>/archive",
    )

    @model_validator(mode="after")
    def _one_spelling_distinct_dirs(self) -> Self:
        if self.dir is not None and self.dirs:
            raise ValueError("set archive.dirs only (archive.dir is its older one-destination spelling), not both")
        seen: dict[Path, Path] = {}
        for path in self.dirs:
            same = Path(os.path.normpath(path.expanduser().absolute()))
            if same in seen:
                raise ValueError(f"archive.dirs names {path} twice: list each medium once, two different media")
            seen[same] = path
        return self


class ImportSettings(_Strict):
    """Limits of the files `edugateway import` reads; a file beyond one is refused before it is parsed. The
    defaults are far above a real school's files and far below what exhausts the memory of a small server."""

    max_xlsx_part_mb: float = Field(
        default=32, gt=0, description="one part of an XLSX (a sheet, the shared strings), uncompressed"
    )
    max_xlsx_total_mb: float = Field(default=128, gt=0, description="all parts of an XLSX together, uncompressed")
    max_xlsx_ratio: float = Field(
        default=100, gt=1, description="a part over 1 MB that compresses further than this is refused as a zip bomb"
    )
    max_csv_mb: float = Field(default=64, gt=0, description="one CSV file of a OneRoster set")
    max_field_chars: int = Field(default=4096, ge=64, description="one field of a CSV file")


class WebSettings(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    session_idle_minutes: int = Field(default=30, ge=1, description="a session ends after this long unused")
    session_max_hours: int = Field(default=12, ge=1, description="and after this long in any case")
    secure_cookies: bool = Field(default=False, description="set behind HTTPS: cookies only over TLS")
    trusted_proxies: list[IPvAnyNetwork] = Field(
        default_factory=list,
        description="addresses or networks of the reverse proxies in front; only their X-Forwarded-For is believed",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="EDUGATEWAY_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    # May carry a password (postgresql://user:password@host/db): never repeated in a message.
    database_url: str = Field(default=DEFAULT_DATABASE_URL, json_schema_extra=SECRET)
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
    imports: ImportSettings = Field(default_factory=ImportSettings)
    reconcile: ReconcileSettings = Field(default_factory=ReconcileSettings)
    archive: ArchiveSettings = Field(default_factory=ArchiveSettings)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            make_url(value)
        except (ArgumentError, ValueError):  # a bad port is a ValueError; either message may quote the URL
            raise ValueError(
                'is not a database URL; write e.g. "postgresql://edugateway@db.local/edugateway" or '
                '"sqlite:///var/edugateway.sqlite3" (the value is not shown: it may hold a password)'
            ) from None
        return value

    def school_platform(self, name: str) -> SchoolPlatformSettings:
        """The platform `name`, of a kind that keeps a school's roster and journal; ConfigError otherwise."""
        platform = self.platforms.get(name)
        if platform is None:
            known = ", ".join(sorted(self.platforms)) or "none configured"
            raise ConfigError(f"no platform {name!r} in the configuration ([platforms.NAME]); known: {known}")
        if isinstance(platform, EsiaSettings):
            raise ConfigError(
                f"platform {name} is of kind esia, which has no roster to sync or reconcile; "
                "name a dnevnik or ecp platform"
            )
        return platform

    @model_validator(mode="after")
    def _queue_needs_postgresql(self) -> Self:
        if self.scheduler.executor == "procrastinate" and not self.database_url.startswith("postgresql"):
            raise ValueError(
                'scheduler.executor = "procrastinate" needs a PostgreSQL database_url (its queue, locks and worker '
                'heartbeats live in PostgreSQL); use executor = "local" with SQLite'
            )
        return self

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        problems = reference_problems(self)
        if problems:
            summary = "; ".join(f"{'.'.join(str(k) for k in p.path)}: {p.message}" for p in problems)
            raise PydanticCustomError("config_reference", "{summary}", {"summary": summary, "problems": problems})
        return self

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


def reference_problems(settings: Settings) -> list[Problem]:
    """Names that must refer to other entries: each job's platform and schools, unique job names, and the ЕСИА
    platform a verify job asks. Checked at load, so a wrong job fails every command, not the 3 a.m. run."""
    problems: list[Problem] = []
    schools = {s.code for s in settings.schools}
    seen: set[str] = set()
    for index, job in enumerate(settings.jobs):
        at = ("jobs", index)
        if job.name in seen:
            problems.append(Problem((*at, "name"), f"{job.name!r} is used twice; give each [[jobs]] its own name"))
        seen.add(job.name)
        if isinstance(job, SyncJob | ReconcileJob):
            platform = settings.platforms.get(job.platform)
            if platform is None:
                known = ", ".join(sorted(settings.platforms)) or "none configured"
                problems.append(
                    Problem((*at, "platform"), f"no platform {job.platform!r} in [platforms]; known: {known}")
                )
            elif isinstance(platform, EsiaSettings):
                problems.append(
                    Problem(
                        (*at, "platform"),
                        f"platform {job.platform!r} is of kind esia, which has no roster to {job.kind}; "
                        "name a dnevnik or ecp platform",
                    )
                )
        if job.schools == ["*"] and not schools:
            problems.append(
                Problem((*at, "schools"), "runs for all schools, but there is no [[schools]] entry; add one")
            )
        for code in job.schools:
            if code != "*" and code not in schools:
                problems.append(
                    Problem((*at, "schools"), f"names school {code!r}, which has no [[schools]] entry; add it")
                )
    name = settings.identity.esia_platform
    verify = next((job.name for job in settings.jobs if isinstance(job, VerifyJob)), None)
    if verify is not None and not isinstance(settings.platforms.get(name), EsiaSettings):
        problems.append(
            Problem(
                ("identity", "esia_platform"),
                f"is {name!r}, but platforms.{name} is not an entry of kind esia, and job {verify!r} asks ЕСИА "
                "through it; add it (base_url of the СМЭВ adapter, sender_mnemonic, signing key) or name another",
            )
        )
    for index, school in enumerate(settings.schools):
        if school.report_to and not settings.alerts.smtp_host:
            problems.append(
                Problem(
                    ("schools", index, "report_to"),
                    "the report is mailed through [alerts]' SMTP server: set alerts.smtp_host, smtp_from and smtp_to",
                )
            )
    return problems


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
        text = path.read_text(encoding="utf-8") if path is not None else None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration file {path}: {exc}; check its permissions and encoding") from exc
    sources = Sources(
        file=path,
        text=text,
        environ=dict(os.environ),
        overrides=frozenset(overrides),
    )
    try:
        return _FromFile(**overrides)  # type: ignore[arg-type]
    except PydanticValidationError as exc:
        problems = explain(exc, Settings, sources)
        raise ConfigError(_summary(problems, path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(toml_syntax_problem(exc, sources)) from None
    except SettingsError as exc:  # a variable whose value should be JSON (a list or a table) is not
        field = re.search(r'field "(\w+)"', str(exc))
        variable = f"EDUGATEWAY_{field.group(1).upper()}" if field else "an EDUGATEWAY_* variable"
        raise ConfigError(
            f"{variable}: not valid JSON; a list or a table in a variable is written as JSON, "
            'e.g. EDUGATEWAY_SCHOOLS=\'[{"code": "sch125"}]\''
        ) from None


def _summary(problems: list[str], path: Path | None) -> str:
    if len(problems) == 1:
        return problems[0]
    return f"{len(problems)} problems in the configuration; fix each, then run again:\n" + "\n".join(
        f"  {p}" for p in problems
    )
