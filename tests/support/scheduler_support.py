"""Shared by the scheduler's tests: settings with jobs, services that record their calls, and waiting."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from edugateway.config.settings import AlertSettings, DnevnikSettings, JobSettings, SchoolSettings, Settings, SyncJob
from edugateway.scheduler import JobContext, JobOutcome, JobService, PlannedJob

SCHOOL = "sch1"
PLATFORM = "dn"


def settings_with(
    *jobs: JobSettings, schools: tuple[str, ...] = (SCHOOL,), platforms: dict[str, Any] | None = None, **extra: Any
) -> Settings:
    return Settings(
        schools=[SchoolSettings(code=code, timezone="Asia/Yekaterinburg") for code in schools],
        platforms={PLATFORM: DnevnikSettings(base_url="http://127.0.0.1:9/v2/"), **(platforms or {})},
        jobs=list(jobs),
        alerts=extra.pop("alerts", AlertSettings()),
        **extra,
    )


def sync_job(name: str = "nightly", **fields: Any) -> SyncJob:
    values: dict[str, Any] = {"cron": "30 1 * * *", "platform": PLATFORM, **fields}
    return SyncJob(name=name, **values)


@dataclass
class RecordingService:
    """Stands in for a service function: records each call, fails the first `failures` times, or runs `body`."""

    failures: int = 0
    error: Callable[[], Exception] = lambda: RuntimeError("platform answered 503")
    body: Callable[[JobContext], None] | None = None
    calls: list[JobContext] = field(default_factory=list)
    active: int = 0
    most_active: int = 0  # the most calls in progress at once, across every daemon in the process
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, ctx: JobContext) -> JobOutcome:
        with self._lock:
            self.calls.append(ctx)
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            failing = len(self.calls) <= self.failures
        try:
            if failing:
                raise self.error()
            if self.body is not None:
                self.body(ctx)
            return JobOutcome({"call": len(self.calls)})
        finally:
            with self._lock:
                self.active -= 1

    def services(self) -> dict[str, JobService]:
        return {"sync": JobService(self.run, lambda _settings, job: getattr(job, "platform", PLATFORM))}

    def fire_times(self) -> list[dt.datetime]:
        return [c.scheduled_for for c in self.calls]


def every_second(planned: PlannedJob) -> CronTrigger:
    """A trigger firing each second, so that tests see several fires of a real schedule."""
    return CronTrigger(second="*", timezone=planned.timezone)


def wait_until(condition: Callable[[], bool], *, timeout: float = 30.0, what: str = "the condition") -> None:
    """Polls until `condition` holds; fails the test after `timeout` seconds (a deadline, not a measurement)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
