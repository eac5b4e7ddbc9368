"""Directions: defaults by who enters the data, and a push the platform cannot take refused at start-up."""

from __future__ import annotations

import pytest

from edugateway.connectors.dnevnik import CAPABILITIES as DNEVNIK
from edugateway.connectors.ecp.connector import CAPABILITIES as ECP
from edugateway.domain.entities import Direction, Entity
from edugateway.errors import ConfigError
from edugateway.sync.directions import resolve_directions


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
    got = resolve_directions("ecp", ECP, [Entity.PERSONS], {Entity.PERSONS: Direction.COMPARE})
    assert got == {Entity.PERSONS: Direction.COMPARE}


def test_a_push_the_platform_cannot_take_is_refused_at_start_up() -> None:
    message = r"directions\.persons = push, but dnevnik does not accept persons writes"
    with pytest.raises(ConfigError, match=message):
        resolve_directions("dnevnik", DNEVNIK, [Entity.PERSONS], {Entity.PERSONS: Direction.PUSH})
