"""What every route handler reaches through `request.app.state.dnevnik`: the world, the clock, the faults."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

from edugateway.emulators.dnevnik.world import DnevnikWorld
from edugateway.emulators.faults import FaultConfig


@dataclass
class EmulatorState:
    world: DnevnikWorld
    faults: FaultConfig = field(default_factory=FaultConfig)
    clock: Callable[[], float] = time.time  # wall clock, so issue times survive a save and load


def state_of(request: Request) -> EmulatorState:
    value = request.app.state.dnevnik
    assert isinstance(value, EmulatorState)
    return value
