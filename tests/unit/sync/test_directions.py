"""Directions: defaults by who enters the data, and a push the platform cannot take refused at start-up."""

from __future__ import annotations

import pytest

from edugateway.connectors.dnevnik import CAPABILITIES as DNEVNIK
from edugateway.connectors.ecp.connector import CAPABILITIES as ECP
from edugateway.domain.entities import Entity
from edugateway.errors import ConfigError
from edugateway.sync.directions import Direction, resolve_directions


def test_defaults_push_rosters_where_the_platform_takes_them_and_pull_the_journal() -> None:
    ecp = resolve_directions("ecp", ECP, [Entity.PERSONS, Entity.MARKS], {})
    assert ecp == {Entity.PERSONS: Direction.PUSH, Entity.MARKS: Direction.PULL}
    dnevnik = resolve_directions("dnevnik", DNEVNIK, [Entity.PERSONS, Entity.CLASSES, Entity.ATTENDANCE], {})
    assert dnevnik == {
        Entity.PERSONS: Direction.COMPARE,  # Дневник.ру takes no roster writes
        Entity.CLASSES: Direction.COMPARE,
        Entity.ATTENDANCE: Direction.PULL,
    }


def test_configuration_overrides_the_default() -> None:
    got = resolve_directions("ecp", ECP, [Entity.PERSONS], {"persons": "compare"})
    assert got == {Entity.PERSONS: Direction.COMPARE}


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ({"persons": "push"}, r"directions\.persons = push, but dnevnik does not accept persons writes"),
        ({"pupils": "push"}, "unknown entities"),
        ({"persons": "sideways"}, "use push, pull or compare"),
    ],
)
def test_impossible_or_unknown_settings_are_refused_at_start_up(configured: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_directions("dnevnik", DNEVNIK, [Entity.PERSONS], configured)
