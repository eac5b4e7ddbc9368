"""What the platforms do on a night: calm, drizzle (a few errors), storm (many errors and a tight rate limit), or
an edu-upload outage on ЕЦП. Drawn from the bench's seeded RNG, so a run's sequence of nights is reproducible."""

from __future__ import annotations

import random
from dataclasses import dataclass

from edugateway.emulators.faults import FaultConfig
from soak.platforms import UPLOAD

CALM = FaultConfig()


@dataclass(frozen=True)
class Weather:
    name: str
    ecp: FaultConfig
    dnevnik: FaultConfig


def _rough(rng: random.Random, *, fail_rate: float, rps: float, burst: int, latency_ms: float) -> FaultConfig:
    return FaultConfig(
        fail_rate=fail_rate,
        rate_limit_rps=rps,
        rate_limit_burst=burst,
        latency_ms=latency_ms,
        latency_jitter_ms=2 * latency_ms,
        seed=rng.randrange(2**31),
    )


def drizzle(rng: random.Random) -> FaultConfig:
    return _rough(rng, fail_rate=0.05, rps=60, burst=20, latency_ms=3)


def storm(rng: random.Random) -> FaultConfig:
    return _rough(rng, fail_rate=0.1, rps=30, burst=10, latency_ms=10)


def draw(rng: random.Random) -> Weather:
    roll = rng.random()
    if roll < 0.4:
        return Weather("calm", CALM, CALM)
    if roll < 0.7:
        return Weather("drizzle", drizzle(rng), drizzle(rng))
    if roll < 0.9:
        return Weather("storm", storm(rng), storm(rng))
    # ЕЦП's edu-upload answers 503 all night; its reads and Дневник.ру work, with a few errors.
    down = drizzle(rng).model_copy(update={"down_paths": (UPLOAD,)})
    return Weather("outage", down, drizzle(rng))
