"""The connector factory: the platform's kind picks the connector, and what is missing is named in the message;
the optional capabilities each kind's connector offers."""

from __future__ import annotations

from typing import Any

import pytest

from edugateway.config.settings import Settings
from edugateway.connectors.base import Connector, FilesYearFinalsUnderSyntheticPeriod, SearchesBySnils
from edugateway.connectors.dnevnik import DnevnikConnector
from edugateway.connectors.ecp import EcpConnector
from edugateway.connectors.esia import EsiaLookup
from edugateway.connectors.factory import open_connector, open_ecp, open_esia_lookup
from edugateway.domain.models import School
from edugateway.errors import ConfigError

PLATFORMS: dict[str, Any] = {
    "dnevnik": {"kind": "dnevnik", "base_url": "https://api.dnevnik.ru/v2/", "token": {"env": "DNEVNIK_TOKEN"}},
    "ecp": {
        "kind": "ecp",
        "base_url": "https://dnevnik.egov66.ru/api/",
        "login": "gateway",
        "password": {"env": "ECP_PASSWORD"},
    },
    "esia": {"kind": "esia", "base_url": "http://127.0.0.1:7575/smev/v1.3/ws", "sender_mnemonic": "GATEWAY"},
}
SCHOOL = School(code="sch1", name="Школа № 1", ogrn="1026600000001")


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DNEVNIK_TOKEN", "token")
    monkeypatch.setenv("ECP_PASSWORD", "password")
    schools = [{"code": "sch1", "name": "Школа № 1", "platform_ids": {"dnevnik": "1000"}}]
    return Settings.model_validate({"schools": schools, "platforms": PLATFORMS})


async def test_the_kind_picks_the_connector_with_the_school_ids_of_the_configuration(settings: Settings) -> None:
    dnevnik = open_connector(settings, "dnevnik", SCHOOL)
    ecp = open_connector(settings, "ecp", SCHOOL)
    try:
        assert isinstance(dnevnik, DnevnikConnector)
        assert (dnevnik.platform, dnevnik.school_id) == ("dnevnik", "1000")
        assert isinstance(ecp, EcpConnector)
        assert ecp.platform == "ecp"
        assert ecp.school_id == "sch1"  # no ЕЦП id configured: the school's own code
    finally:
        await dnevnik.aclose()
        await ecp.aclose()


def test_an_unknown_platform_is_refused_with_the_known_ones(settings: Settings) -> None:
    with pytest.raises(ConfigError, match=r"no platform 'nope'.*known: dnevnik, ecp, esia"):
        settings.school_platform("nope")
    with pytest.raises(ConfigError, match="no platform 'nope'"):
        open_connector(settings, "nope", SCHOOL)


def test_a_dnevnik_school_without_its_platform_id_names_the_setting(settings: Settings) -> None:
    other = School(code="sch2", name="Школа № 2")
    with pytest.raises(ConfigError, match=r"schools\.sch2\.platform_ids\.dnevnik is not set"):
        open_connector(settings, "dnevnik", other)


def test_a_platform_without_a_roster_or_of_another_kind_is_refused(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="kind esia, which has no roster to sync"):
        open_connector(settings, "esia", SCHOOL)
    with pytest.raises(ConfigError, match='platform dnevnik has kind dnevnik; this needs kind = "ecp"'):
        open_ecp(settings, "dnevnik", "sch1")


async def test_only_dnevnik_searches_by_snils_and_files_year_finals_under_a_synthetic_period(
    settings: Settings,
) -> None:
    dnevnik = open_connector(settings, "dnevnik", SCHOOL)
    ecp = open_connector(settings, "ecp", SCHOOL)
    try:
        for connector in (dnevnik, ecp):
            assert isinstance(connector, Connector)
        assert isinstance(dnevnik, SearchesBySnils)
        assert isinstance(dnevnik, FilesYearFinalsUnderSyntheticPeriod)
        assert dnevnik.year_period_id == "year"
        assert not isinstance(ecp, SearchesBySnils)
        assert not isinstance(ecp, FilesYearFinalsUnderSyntheticPeriod)
    finally:
        await dnevnik.aclose()
        await ecp.aclose()


def test_the_esia_lookup_is_built_for_an_esia_platform_only(settings: Settings) -> None:
    lookup = open_esia_lookup(settings, "esia")
    assert isinstance(lookup, EsiaLookup)
    assert lookup.url == "http://127.0.0.1:7575/smev/v1.3/ws"
    with pytest.raises(ConfigError, match=r"platforms\.dnevnik is not an entry of kind 'esia'"):
        open_esia_lookup(settings, "dnevnik")
