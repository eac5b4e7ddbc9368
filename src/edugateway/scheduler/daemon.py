"""`edugateway scheduler run`: APScheduler 3 as the clock, the job run log and the lease as the truth.

- One trigger per job and school (a cron in the school's time zone), coalesced, one instance at a time.
- Each fire hands its run the trigger's fire time, the key that makes the fire run once across daemons
  (store/job_run_log.py). APScheduler 3 calls a job's function with its arguments only, so a small executor adds it.
- APScheduler keeps jobs in memory: after downtime a fresh daemon would skip what it missed. At start-up the
  latest fire within `misfire_grace_s` that the run log does not know is therefore scheduled at once: one
  catch-up run however long the outage, and none when another daemon ran it.
- stop(): no new runs start, a pause before a retry ends, a running sync ends after its current pull window
  (other services finish their call), then it returns.
- With `scheduler.executor = "procrastinate"` a fire is only deferred to the queue (scheduler/queue.py) and
  `edugateway worker` processes run it; the clock, the plan and the catch-up stay here.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger

from edugateway.config.settings import Settings
from edugateway.logs import get_logger
from edugateway.scheduler.alerts import Alerter
from edugateway.scheduler.plan import PlannedJob, last_fire_before, plan_jobs, scheduled_trigger
from edugateway.scheduler.runner import JobRunner
from edugateway.scheduler.services import SERVICES, JobService
from edugateway.store.db import Database
from edugateway.store.times import utc_now

if TYPE_CHECKING:
    from edugateway.scheduler.queue import FireQueue

log = get_logger(__name__)

TriggerFor = Callable[[PlannedJob], BaseTrigger]


def daemon_holder() -> str:
    """This daemon's name in leases and the job run log: host, process, and an instance of its own."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class _FireView:
    """A job as APScheduler's run_job reads it, with the fire time as one more keyword argument."""

    def __init__(self, job: Any, fire_time: dt.datetime) -> None:
        self.id = job.id
        self._jobstore_alias = job._jobstore_alias
        self.func = job.func
        self.args = job.args
        self.kwargs = {**job.kwargs, "fire_time": fire_time}
        self.misfire_grace_time = job.misfire_grace_time
        self._text = str(job)

    def __str__(self) -> str:
        return self._text


class FireTimeExecutor(ThreadPoolExecutor):  # type: ignore[misc]  # APScheduler 3 is untyped
    """Threads that run each fire with its time; APScheduler's own misfire check and events stay as they are."""

    def _do_submit_job(self, job: Any, run_times: list[dt.datetime]) -> None:
        # coalesce=True: run_times holds one time, the latest due
        super()._do_submit_job(_FireView(job, run_times[-1]), run_times[-1:])


class SchedulerDaemon:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        services: Mapping[str, JobService] = SERVICES,
        holder: str | None = None,
        alerter: Alerter | None = None,
        trigger_for: TriggerFor = scheduled_trigger,
        queue: FireQueue | None = None,
    ) -> None:
        self.jobs = {p.id: p for p in plan_jobs(settings, services)}  # ConfigError before anything starts
        self.holder = holder or daemon_holder()
        self.stopping = threading.Event()
        self.runner = JobRunner(
            db,
            settings,
            holder=self.holder,
            alerter=alerter or Alerter.from_settings(settings.alerts),
            stop=self.stopping,
        )
        self.trigger_for = trigger_for
        if queue is None and settings.scheduler.executor == "procrastinate":
            from edugateway.scheduler.queue import FireQueue  # the postgres extra: only when asked for

            queue = FireQueue(settings)
        self.queue = queue
        self._scheduler = BackgroundScheduler(
            timezone=dt.UTC,
            executors={"default": FireTimeExecutor(max_workers=settings.scheduler.max_parallel)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )

    def start(self) -> None:
        if self.queue is not None:
            self.queue.open()
        now = utc_now()
        for planned in self.jobs.values():
            trigger = self.trigger_for(planned)
            grace = dt.timedelta(seconds=planned.job.misfire_grace_s)
            options: dict[str, Any] = {}
            missed = last_fire_before(trigger, now, grace)
            if missed is not None and not self.runner.run_log.has_run(planned.job.name, planned.school, missed):
                options["next_run_time"] = missed
                log.info("scheduler.catch_up", job=planned.job.name, school=planned.school, missed=missed.isoformat())
            self._scheduler.add_job(
                self._fire,
                trigger,
                args=[planned.id],
                id=planned.id,
                name=planned.id,
                misfire_grace_time=planned.job.misfire_grace_s,
                **options,
            )
        self._scheduler.start()
        log.info("scheduler.started", holder=self.holder, jobs=sorted(self.jobs))

    def stop(self) -> None:
        """Stops taking new runs and waits for the running ones to end."""
        self.stopping.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        if self.queue is not None:
            self.queue.close()
        log.info("scheduler.stopped", holder=self.holder)

    def next_run_times(self) -> dict[str, dt.datetime | None]:
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    def _fire(self, job_id: str, *, fire_time: dt.datetime | None = None) -> None:
        # The default only satisfies APScheduler's check of the arguments at add_job; FireTimeExecutor sets it.
        if fire_time is None:
            raise RuntimeError("scheduler jobs run through FireTimeExecutor, which passes the fire time")
        planned = self.jobs[job_id]
        if self.queue is not None:
            self._defer(planned, fire_time)
            return
        try:
            self.runner.run(planned, fire_time)
        except Exception:  # the database itself failed: say so in our log, keep the daemon alive for the next fire
            log.error("scheduler.fire_failed", job=planned.job.name, school=planned.school, exc_info=True)

    def _defer(self, planned: PlannedJob, fire_time: dt.datetime) -> None:
        """Defers the fire unless a worker already ran it; the queue holds it to once while it waits."""
        bound = log.bind(job=planned.job.name, school=planned.school, scheduled_for=fire_time.isoformat())
        if self.queue is None:
            raise RuntimeError("only the procrastinate executor defers")
        try:
            if self.runner.run_log.has_run(planned.job.name, planned.school, fire_time):
                bound.info("job.fire_taken")
                return
            queue_job = self.queue.defer(planned, fire_time)
        except Exception:  # the database itself failed: say so in our log, keep the daemon alive for the next fire
            bound.error("scheduler.defer_failed", exc_info=True)
            return
        if queue_job is None:
            bound.info("job.fire_queued_already")
        else:
            bound.info("job.deferred", queue_job=queue_job)
