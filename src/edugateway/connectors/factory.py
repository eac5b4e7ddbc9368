"""The one place a connector is built from the configuration: sync, reconciliation and doctor all ask here.

`open_connector` gives the roster/journal connector of a platform for one school, whatever its kind;
`open_dnevnik` and `open_ecp` give the concrete connector of a kind (the doctor calls their clients directly).
`platform` overrides the configured settings of the platform (the doctor's short timeouts, no retries).
"""

from __future__ import annotations

from edugateway.config.settings import PlatformKind, PlatformSettings, Settings
from edugateway.connectors.base import Connector
from edugateway.connectors.dnevnik import DnevnikConnector, build_dnevnik_connector
from edugateway.connectors.ecp import EcpConnector, build_ecp_connector
from edugateway.domain.models import School
from edugateway.errors import ConfigError


def platform_settings(settings: Settings, name: str) -> PlatformSettings:
    """The settings of `[platforms.NAME]`; an unknown name is a ConfigError listing the known ones."""
    if name not in settings.platforms:
        known = ", ".join(sorted(settings.platforms)) or "none configured"
        raise ConfigError(f"no platform {name!r} in the configuration ([platforms.NAME]); known: {known}")
    return settings.platforms[name]


def school_platform_id(settings: Settings, school_code: str, name: str) -> str | None:
    """The school's id on platform `name` (`schools.CODE.platform_ids.NAME`), when configured."""
    school = next((s for s in settings.schools if s.code == school_code), None)
    return school.platform_ids.get(name) if school else None


def open_connector(
    settings: Settings, name: str, school: School, *, platform: PlatformSettings | None = None
) -> Connector:
    """The connector of platform `name` for the school, built from the configuration."""
    platform = platform or platform_settings(settings, name)
    remote_school = school_platform_id(settings, school.code, name)
    if platform.kind is PlatformKind.DNEVNIK:
        if not remote_school:
            raise ConfigError(
                f"schools.{school.code}.platform_ids.{name} is not set: put the school's Дневник.ру id there"
            )
        return open_dnevnik(settings, name, remote_school, platform=platform)
    if platform.kind is PlatformKind.ECP:
        return open_ecp(settings, name, remote_school or school.code, org_ogrn=school.ogrn, platform=platform)
    raise ConfigError(f"platform {name} is of kind {platform.kind.value}, which has no roster to sync")


def open_dnevnik(
    settings: Settings, name: str, school_id: str, *, platform: PlatformSettings | None = None
) -> DnevnikConnector:
    """The Дневник.ру connector of platform `name` for the school with Дневник.ру id `school_id`."""
    return build_dnevnik_connector(name, _of_kind(settings, name, PlatformKind.DNEVNIK, platform), school_id)


def open_ecp(
    settings: Settings,
    name: str,
    school_id: str,
    *,
    org_ogrn: str | None = None,
    platform: PlatformSettings | None = None,
) -> EcpConnector:
    """The ГИС ЕЦП connector of platform `name`; `org_ogrn` (the school's ОГРН) is needed only to push pupils."""
    return build_ecp_connector(name, _of_kind(settings, name, PlatformKind.ECP, platform), school_id, org_ogrn=org_ogrn)


def _of_kind(settings: Settings, name: str, kind: PlatformKind, platform: PlatformSettings | None) -> PlatformSettings:
    platform = platform or platform_settings(settings, name)
    if platform.kind is not kind:
        raise ConfigError(f'platform {name} has kind {platform.kind.value}; this needs kind = "{kind.value}"')
    return platform
