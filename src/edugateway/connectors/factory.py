"""The one place a connector is built from the configuration: sync, reconciliation and doctor all ask here.

`open_connector` gives the roster/journal connector of a platform for one school, whatever its kind;
`open_dnevnik` and `open_ecp` give the concrete connector of a kind (the doctor calls their clients directly);
`open_esia_lookup` gives the ЕСИА lookup over СМЭВ 3 that identity verification asks.
`platform` overrides the configured settings of the platform (the doctor's short timeouts, no retries).
"""

from __future__ import annotations

from typing import TypeVar

import requests

from edugateway.config.settings import DnevnikSettings, EcpSettings, EsiaSettings, SchoolPlatformSettings, Settings
from edugateway.connectors.base import Connector
from edugateway.connectors.dnevnik import DnevnikConnector, build_dnevnik_connector
from edugateway.connectors.ecp import EcpConnector, build_ecp_connector
from edugateway.connectors.esia import EsiaLookup, esia_lookup_from_settings
from edugateway.connectors.http import LimiterFactory
from edugateway.connectors.shared_limits import platform_limiters
from edugateway.domain.models import School
from edugateway.errors import ConfigError

_Kind = TypeVar("_Kind", DnevnikSettings, EcpSettings)


def school_platform_id(settings: Settings, school_code: str, name: str) -> str | None:
    """The school's id on platform `name` (`schools.CODE.platform_ids.NAME`), when configured."""
    school = next((s for s in settings.schools if s.code == school_code), None)
    return school.platform_ids.get(name) if school else None


def open_connector(
    settings: Settings, name: str, school: School, *, platform: SchoolPlatformSettings | None = None
) -> Connector:
    """The connector of platform `name` for the school, built from the configuration; its requests are paced by
    the platform's `rate_limit_scope` (the doctor's few calls, through open_dnevnik/open_ecp, pace themselves)."""
    platform = platform or settings.school_platform(name)
    remote_school = school_platform_id(settings, school.code, name)
    limiters = platform_limiters(settings, name, platform)
    if isinstance(platform, DnevnikSettings):
        if not remote_school:
            raise ConfigError(
                f"schools.{school.code}.platform_ids.{name} is not set: put the school's Дневник.ру id there"
            )
        return open_dnevnik(settings, name, remote_school, platform=platform, limiters=limiters)
    return open_ecp(
        settings, name, remote_school or school.code, org_ogrn=school.ogrn, platform=platform, limiters=limiters
    )


def open_dnevnik(
    settings: Settings,
    name: str,
    school_id: str,
    *,
    platform: DnevnikSettings | None = None,
    limiters: LimiterFactory | None = None,
) -> DnevnikConnector:
    """The Дневник.ру connector of platform `name` for the school with Дневник.ру id `school_id`."""
    platform = platform or _of_kind(settings, name, DnevnikSettings)
    return build_dnevnik_connector(name, platform, school_id, limiters=limiters)


def open_ecp(
    settings: Settings,
    name: str,
    school_id: str,
    *,
    org_ogrn: str | None = None,
    platform: EcpSettings | None = None,
    limiters: LimiterFactory | None = None,
) -> EcpConnector:
    """The ГИС ЕЦП connector of platform `name`; `org_ogrn` (the school's ОГРН) is needed only to push pupils."""
    platform = platform or _of_kind(settings, name, EcpSettings)
    return build_ecp_connector(name, platform, school_id, org_ogrn=org_ogrn, limiters=limiters)


def open_esia_lookup(
    settings: Settings,
    name: str,
    *,
    platform: EsiaSettings | None = None,
    session: requests.Session | None = None,
) -> EsiaLookup:
    """The ЕСИА lookup of platform `name` (kind esia): signed as configured, unsigned only towards an emulator
    on this machine. `session` carries the doctor's response hooks."""
    if platform is None:
        configured = settings.platforms.get(name)
        if not isinstance(configured, EsiaSettings):
            raise ConfigError(
                f"platforms.{name} is not an entry of kind 'esia'; add it (base_url of the СМЭВ adapter, "
                "sender_mnemonic, signing key) or name another"
            )
        platform = configured
    return esia_lookup_from_settings(name, platform, session=session)


def _of_kind(settings: Settings, name: str, kind: type[_Kind]) -> _Kind:
    platform = settings.school_platform(name)
    if not isinstance(platform, kind):
        wanted = kind.model_fields["kind"].default.value
        raise ConfigError(f'platform {name} has kind {platform.kind.value}; this needs kind = "{wanted}"')
    return platform
