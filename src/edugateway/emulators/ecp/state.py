"""What every route handler reaches through `request.app.state.ecp`: the world, the clock, the faults."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

from edugateway.emulators.ecp.world import EcpWorld
from edugateway.emulators.faults import FaultConfig


@dataclass
class EmulatorState:
    world: EcpWorld
    faults: FaultConfig = field(default_factory=FaultConfig)
    clock: Callable[[], float] = time.time  # wall clock, so issue times survive a save and load
    signing_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))


def state_of(request: Request) -> EmulatorState:
    value = request.app.state.ecp
    assert isinstance(value, EmulatorState)
    return value
