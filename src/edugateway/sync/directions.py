"""Which side is master, per platform and entity: push (local is master), pull (the platform is), compare
(report only). Defaults follow who enters the data in real schools (DESIGN.md): rosters, classes and
timetable are the school's, so pushed where the platform takes them and compared where it does not (Дневник.ру
takes no roster writes); lessons, topics, homework, marks and attendance are entered on the platform, so pulled.
A configured push the connector cannot do is a configuration error at start-up, not a failure at 3 a.m."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from edugateway.connectors.base import Capabilities, Op
from edugateway.domain.entities import Direction, Entity
from edugateway.errors import ConfigError

ROSTER = (Entity.PERSONS, Entity.CLASSES, Entity.ENROLLMENTS, Entity.SUBJECTS, Entity.PERIODS, Entity.TIMETABLE)
JOURNAL = (Entity.LESSONS, Entity.MARKS, Entity.FINAL_MARKS, Entity.ATTENDANCE, Entity.HOMEWORK)


def default_direction(entity: Entity, capabilities: Capabilities) -> Direction:
    if entity in JOURNAL:
        return Direction.PULL
    return Direction.PUSH if capabilities.allows(entity, Op.CREATE) else Direction.COMPARE


def resolve_directions(
    platform: str,
    capabilities: Capabilities,
    entities: Iterable[Entity],
    configured: Mapping[Entity, Direction],
) -> dict[Entity, Direction]:
    """The direction of every asked-for entity, from `[platforms.NAME.directions]` or the default; raises
    ConfigError for a push or pull the platform cannot serve (unknown entities and directions are refused when
    the configuration loads)."""
    out: dict[Entity, Direction] = {}
    for entity in entities:
        direction = configured.get(entity) or default_direction(entity, capabilities)
        if not capabilities.allows(entity, Op.READ):
            raise ConfigError(f"{platform} does not serve {entity.value} at all; leave it out of the sync")
        if direction is Direction.PUSH and not capabilities.allows(entity, Op.CREATE):
            raise ConfigError(
                f"platforms.{platform}.directions.{entity.value} = push, but {platform} does not accept "
                f"{entity.value} writes; use compare (report the differences) or pull"
            )
        out[entity] = direction
    return out
