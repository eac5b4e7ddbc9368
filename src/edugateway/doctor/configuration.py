"""Checks of the configuration itself: the schools, their platform ids, and the jobs."""

from __future__ import annotations

from pathlib import Path

from edugateway.config.settings import DnevnikSettings, Settings, SyncJob
from edugateway.doctor.result import CheckResult
from edugateway.errors import ConfigError


def configuration_loaded(path: Path | None, settings: Settings) -> CheckResult:
    where = str(path) if path else "no file (defaults and EDUGATEWAY_* variables only)"
    found = f"{where}; {len(settings.platforms)} platform(s), {len(settings.jobs)} job(s)"
    return CheckResult.ok("configuration", found)


def schools_configured(settings: Settings) -> CheckResult:
    if not settings.schools:
        return CheckResult.fail(
            "schools", "no [[schools]] entry", "add a [[schools]] block per school (config/gateway.example.toml)"
        )
    return CheckResult.ok("schools", ", ".join(s.code for s in settings.schools))


def jobs_plan(settings: Settings) -> CheckResult:
    """The daemon's own start-up check: every job of a known kind, with a valid cron and known entities (its
    schools and platform are checked when the configuration loads)."""
    from edugateway.scheduler import plan_jobs

    if not settings.jobs:
        return CheckResult.warn(
            "jobs", "no [[jobs]]: the scheduler has nothing to run", "add [[jobs]] (config/gateway.example.toml)"
        )
    try:
        planned = plan_jobs(settings)
    except ConfigError as exc:
        return CheckResult.fail("jobs", str(exc), "fix the [[jobs]] named above; `edugateway jobs list` shows them")
    return CheckResult.ok("jobs", f"{len(settings.jobs)} job(s), {len(planned)} scheduled per school")


def platform_ids(settings: Settings) -> list[CheckResult]:
    """Each school's id on each platform its sync jobs reach. Дневник.ру cannot sync without it; ЕЦП falls back
    to the local school code, which is right only when the two agree."""
    synced: dict[str, set[str]] = {}
    all_codes = [s.code for s in settings.schools]
    for job in settings.jobs:
        if not isinstance(job, SyncJob):
            continue
        for code in all_codes if job.schools == ["*"] else job.schools:
            synced.setdefault(code, set()).add(job.platform)
    results = []
    for school in settings.schools:
        missing = sorted(p for p in synced.get(school.code, set()) if not school.platform_ids.get(p))
        name = f"platform ids: {school.code}"
        if not synced.get(school.code):
            results.append(CheckResult.ok(name, "no sync job for this school"))
            continue
        if not missing:
            ids = ", ".join(sorted(synced[school.code]))
            results.append(CheckResult.ok(name, f"set for {ids}"))
            continue
        # A job's platform is configured and not of kind esia: the configuration refuses anything else at load.
        strict = [p for p in missing if isinstance(settings.platforms[p], DnevnikSettings)]
        wanted = ", ".join(f'{p} = "..."' for p in missing)
        fix = f"set platform_ids = {{ {wanted} }} in the [[schools]] block of {school.code}"
        found = f"sync jobs reach {', '.join(missing)} but platform_ids has no id for it"
        if strict:
            results.append(CheckResult.fail(name, found, fix))
        else:
            results.append(CheckResult.warn(name, found + "; the local school code is sent instead", fix))
    return results
