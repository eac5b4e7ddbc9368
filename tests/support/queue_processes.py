"""Scheduler daemons and procrastinate workers as separate processes, for tests/integration/scheduler/
test_procrastinate_workers.py: `python -m support.queue_processes daemon|worker SPEC.json` (PYTHONPATH=src:tests).

- daemon: prints "ready", waits for a line "go <ISO time>" on stdin, then fires each job for each school once a
  second from that time, `fires` times (a minute of schedule compressed to a second), until SIGTERM.
- worker: runs `run_worker` until SIGTERM. "service": "recording": each run of a job sleeps `run_s[job]`
  seconds and does nothing else; "windows": a run that goes on until the worker is stopped; "ecp": the
  project's real sync, and with `kill_after_records` set the process SIGKILLs itself after recording that many
  batches of pushed writes: killed mid-sync, after a send.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from edugateway.config.settings import EcpSettings, SchoolSettings, SecretRef, Settings, SyncJob
from edugateway.logs import configure_logging
from edugateway.scheduler import JobContext, JobOutcome, JobService, PlannedJob, SchedulerDaemon
from edugateway.scheduler.services import SERVICES
from edugateway.scheduler.worker import run_worker
from edugateway.store.db import Database
from support.scheduler_support import PLATFORM, settings_with, sync_job


def settings_of(spec: dict[str, Any]) -> Settings:
    scheduler = {
        "executor": "procrastinate",
        "stalled_after_s": spec["stalled_after_s"],
        "lease_ttl_s": spec.get("lease_ttl_s", 60.0),
    }
    if spec["service"] == "ecp":
        return Settings(
            database_url=spec["database_url"],
            schools=[SchoolSettings(code=code) for code in spec["schools"]],
            platforms={
                "ecp": EcpSettings.model_validate(
                    {
                        "kind": "ecp",
                        "base_url": spec["ecp_base_url"],
                        "login": spec["ecp_login"],
                        "password": SecretRef(env="SYNC_ECP_PASSWORD"),
                        "rate_limit_rps": 1000,
                        "retries": 2,
                        "backoff_max_s": 0.05,
                    }
                )
            },
            jobs=[SyncJob(name="nightly", cron="30 1 * * *", platform="ecp", entities=["persons"], retries=0)],
            scheduler=scheduler,
        )
    jobs = [sync_job(name, retries=0, misfire_grace_s=600) for name in spec["jobs"]]
    return settings_with(*jobs, schools=tuple(spec["schools"]), database_url=spec["database_url"], scheduler=scheduler)


def _sleeping_services(run_s: dict[str, float]) -> dict[str, JobService]:
    def run(ctx: JobContext) -> JobOutcome:
        time.sleep(run_s[ctx.job.name])
        return JobOutcome({"pid": os.getpid()})

    return {"sync": JobService(run, lambda _settings, _job: PLATFORM)}


def _window_services() -> dict[str, JobService]:
    """A run of windows that goes on until the worker is told to stop, then ends after the current one, as a
    sync ends after its current pull window."""

    def run(ctx: JobContext) -> JobOutcome:
        windows = 0
        while True:  # the window under way is finished before the stop is looked at
            windows += 1
            time.sleep(0.05)
            if ctx.stop.is_set():
                break
        return JobOutcome({"windows": windows}, stopped=True)

    return {"sync": JobService(run, lambda _settings, _job: PLATFORM)}


def _kill_after(records: int) -> None:
    """The push records each batch of writes after sending it: after `records` batches the process dies as a
    kill -9 would, between sending the next batch and recording it."""
    from edugateway.sync import push

    real = push._record
    seen = 0

    def record(*args: Any, **kwargs: Any) -> Any:
        nonlocal seen
        seen += 1
        if seen > records:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    push._record = record


def daemon(spec: dict[str, Any], settings: Settings) -> None:
    print("ready", flush=True)
    line = sys.stdin.readline().split()
    start = dt.datetime.fromisoformat(line[1])

    def trigger(planned: PlannedJob) -> CronTrigger:
        end = start + dt.timedelta(seconds=spec["fires"] - 1)
        return CronTrigger(second="*", start_date=start, end_date=end, timezone=planned.timezone)

    db = Database(settings.database_url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    scheduler = SchedulerDaemon(db, settings, holder=spec["name"], trigger_for=trigger)
    scheduler.start()
    stop.wait()
    scheduler.stop()
    db.dispose()


def worker(spec: dict[str, Any], settings: Settings) -> None:
    if spec["service"] == "ecp":
        services = dict(SERVICES)
        if spec.get("kill_after_records") is not None:
            _kill_after(spec["kill_after_records"])
    elif spec["service"] == "windows":
        services = _window_services()
    else:
        services = _sleeping_services(spec["run_s"])
    db = Database(settings.database_url)
    print("ready", flush=True)
    run_worker(db, settings, concurrency=spec.get("concurrency", 2), services=services, name=spec["name"])
    db.dispose()


def main() -> None:
    role, path = sys.argv[1], Path(sys.argv[2])
    spec = json.loads(path.read_text())
    configure_logging("json", "INFO")
    settings = settings_of(spec)
    (daemon if role == "daemon" else worker)(spec, settings)


if __name__ == "__main__":
    main()
