"""Emulator of СМЭВ 3 (message exchange 1.3) with ЕСИА behind it, answering "find the account(s) by СНИЛС".

`create_app(world)` serves SendRequest / GetResponse / Ack over SOAP 1.1 at `/smev/v1.3/ws` (the project's
WSDL at `?wsdl`) for a `SmevWorld`: ЕСИА person records in ЕСИА's JSON shape under `<world>/esia/`.
`world_from_snapshot(snapshot, extras)` builds one from the persons as ЕСИА knows them (`drift_esia`).
Messages may be unsigned; the sender is named by its mnemonic in NodeID (see `exchange`).
"""

from edugateway.emulators.smev.accounts import esia_oid, world_from_snapshot
from edugateway.emulators.smev.app import ENDPOINT, SmevEmulator, create_app
from edugateway.emulators.smev.world import DEFAULT_SENDER, SUBDIR, SmevSettings, SmevWorld, load_world

__all__ = [
    "DEFAULT_SENDER",
    "ENDPOINT",
    "SUBDIR",
    "SmevEmulator",
    "SmevSettings",
    "SmevWorld",
    "create_app",
    "esia_oid",
    "load_world",
    "world_from_snapshot",
]
