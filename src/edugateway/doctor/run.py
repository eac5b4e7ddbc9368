"""Every check, in the order a person fixes things: configuration, database (and what it holds: accounts, the
archive due), platforms, directories."""

from __future__ import annotations

from pathlib import Path

from edugateway.config.settings import Settings
from edugateway.doctor.archive_deadline import archive_in_place
from edugateway.doctor.configuration import configuration_loaded, jobs_plan, platform_ids, schools_configured
from edugateway.doctor.database import database_ready
from edugateway.doctor.directories import writable_directories
from edugateway.doctor.platforms import Clock, platform_checks, utc_now
from edugateway.doctor.queue_workers import queue_workers
from edugateway.doctor.result import CheckResult, Status
from edugateway.doctor.web_accounts import accounts_have_schools


def run_checks(settings: Settings, config_file: Path | None, *, clock: Clock = utc_now) -> list[CheckResult]:
    database = database_ready(settings.database_url)
    results = [
        configuration_loaded(config_file, settings),
        schools_configured(settings),
        jobs_plan(settings),
        *platform_ids(settings),
        database,
    ]
    if database.status is Status.OK:  # the accounts can be read only from a current schema
        results.append(accounts_have_schools(settings.database_url))
        results.append(archive_in_place(settings, clock=clock))
        queue = queue_workers(settings)
        if queue is not None:
            results.append(queue)
    for name in settings.platforms:
        results += platform_checks(name, settings, clock=clock)
    results += writable_directories(settings)
    return results
