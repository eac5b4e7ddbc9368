"""The configured jobs, expanded to one scheduled unit per job and school, checked before the daemon starts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.base import BaseTrigger

from edugateway.config.settings import JobSettings, Settings
from edugateway.errors import ConfigError
from edugateway.scheduler.cron import cron_trigger
from edugateway.scheduler.services import SERVICES, JobService


@dataclass(frozen=True)
class PlannedJob:
    """One job for one school: what APScheduler schedules (one trigger each) and what a run locks."""

    job: JobSettings
    school: str
    timezone: ZoneInfo
    platform: str  # the lease's platform
    service: JobService

    @property
    def id(self) -> str:
        return f"{self.job.name}@{self.school}"


def plan_jobs(
    settings: Settings, services: Mapping[str, JobService] = SERVICES, *, only: str | None = None
) -> list[PlannedJob]:
    """Every configured job (or the one named `only`) for each of its schools; ConfigError on the first problem.
    Names, platforms and schools are checked when the configuration loads; what needs the services is here."""
    names = [j.name for j in settings.jobs]
    jobs = [j for j in settings.jobs if only is None or j.name == only]
    if only is not None and not jobs:
        raise ConfigError(f"no job {only!r} in the configuration; known: {', '.join(names) or 'none'}")
    schools = {s.code: s for s in settings.schools}
    planned: list[PlannedJob] = []
    for job in jobs:
        service = services.get(job.kind)
        if service is None:
            available = ", ".join(sorted(services))
            raise ConfigError(
                f"jobs.{job.name}: kind {job.kind!r} is not available in this version of edugateway "
                f"(available: {available}); remove the job or change its kind"
            )
        platform = service.lease_platform(settings, job)
        cron_trigger(job.name, job.cron, dt.UTC)  # a wrong expression fails here, before the schools
        codes = list(schools) if job.schools == ["*"] else job.schools  # known schools: checked at load
        for code in codes:
            planned.append(PlannedJob(job, code, _zone(code, schools[code].timezone), platform, service))
    return planned


def _zone(school: str, name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"schools.{school}.timezone {name!r} is not a time zone; use e.g. Asia/Yekaterinburg"
        ) from None


def scheduled_trigger(planned: PlannedJob) -> BaseTrigger:
    return cron_trigger(planned.job.name, planned.job.cron, planned.timezone)


def last_fire_before(trigger: BaseTrigger, now: dt.datetime, grace: dt.timedelta) -> dt.datetime | None:
    """The latest fire time in (now - grace, now]: the one run a daemon owes after it was down. Only the
    latest, so a long outage costs one run, not one per missed fire."""
    last: dt.datetime | None = None
    fire: dt.datetime | None = trigger.get_next_fire_time(None, now - grace)
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, now)
    return last


def next_fires(trigger: BaseTrigger, now: dt.datetime, count: int) -> Sequence[dt.datetime]:
    fires: list[dt.datetime] = []
    fire: dt.datetime | None = trigger.get_next_fire_time(None, now)
    while fire is not None and len(fires) < count:
        fires.append(fire)
        fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(microseconds=1))
    return fires
