"""Emulator of ГИС «Единое цифровое пространство» (ЕЦП, Свердловская область, egov66): the diary's family
REST API under /api and the edu-upload CSV service of the SMEV adapter.

`create_app(world)` serves an `EcpWorld` (JSON Lines in ЕЦП's own shapes under `<world>/ecp/`);
`world_from_snapshot(snapshot)` builds one from a canonical school. What comes from captured replies and
the OpenAPI contract, and what is inferred, is said in each route module's docstring.
"""

from edugateway.emulators.ecp.app import EcpEmulator, create_app
from edugateway.emulators.ecp.snapshot import ADMIN_PASSWORD, admin_login, world_from_snapshot
from edugateway.emulators.ecp.world import SUBDIR, EcpWorld, load_world

__all__ = [
    "ADMIN_PASSWORD",
    "SUBDIR",
    "EcpEmulator",
    "EcpWorld",
    "admin_login",
    "create_app",
    "load_world",
    "world_from_snapshot",
]
