"""What every route handler reaches through `request.app.state.dnevnik`: the world, the clock, the faults."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

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


def now_at_school(state: EmulatorState, group_id: int) -> dt.datetime:
    """The emulator's clock as the naive local time of the group's school: how the platform writes the time a
    record is entered (`createdDate`, `sentDate`)."""
    school = state.world.schools.get(int(state.world.group(group_id)["school"]), {})
    zone = ZoneInfo(str(school.get("timezoneName") or "Europe/Moscow"))
    return dt.datetime.fromtimestamp(state.clock(), zone).replace(tzinfo=None)
