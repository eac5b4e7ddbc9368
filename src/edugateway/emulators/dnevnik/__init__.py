"""Emulator of the Дневник.ру partner REST API v2 (also ИСУОД «Школьный портал» under another base URL).

`create_app(world)` serves a `DnevnikWorld` (JSON Lines in Дневник's own shapes under `<world>/dnevnik/`,
see world.py); `world_from_snapshot(snapshot)` builds one from a canonical school.
"""

from pathlib import Path

from edugateway.emulators.dnevnik.app import DnevnikEmulator, create_app
from edugateway.emulators.dnevnik.ids import platform_id
from edugateway.emulators.dnevnik.snapshot import world_from_snapshot
from edugateway.emulators.dnevnik.world import SUBDIR, DnevnikWorld
from edugateway.errors import ConfigError


def load_world(world_dir: Path) -> DnevnikWorld:
    """The Дневник part of a world directory, or ConfigError saying what is missing or broken."""
    try:
        return DnevnikWorld.load(world_dir)
    except (FileNotFoundError, ValueError) as exc:
        raise ConfigError(f"Дневник.ру world: {exc}") from exc


__all__ = [
    "SUBDIR",
    "DnevnikEmulator",
    "DnevnikWorld",
    "create_app",
    "load_world",
    "platform_id",
    "world_from_snapshot",
]
