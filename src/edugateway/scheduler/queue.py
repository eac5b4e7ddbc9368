"""The procrastinate executor (`scheduler.executor = "procrastinate"`): the daemon defers each fire as a queue job,
`edugateway worker` processes on any machines run it through the same JobRunner as the local executor, so the
job run log and the sync runs stay the history.

Why the daemon defers, rather than procrastinate's periodic tasks: a periodic task is one cron per task in code,
while the plan is a cron per job from the configuration in each school's time zone; the daemon already has the
catch-up after downtime (over the run log) and the misfire grace, and both executors keep one clock and one plan.

What holds a fire to once, one at a time:
- queueing_lock = the fire (job, school, fire time): two daemons, or a restart's catch-up, defer it once while it
  waits. procrastinate's queueing lock covers waiting jobs only (a unique index on `queueing_lock` WHERE
  status = 'todo'): a fire deferred again after a worker took it is a second queue job, and the run log's fire
  key (store/job_run_log.py) turns that one into "taken". So the run log stays the exactly-once guarantee.
- lock = the school and the platform the run holds the lease on (plan.py: a report job, which talks to no
  platform, locks on its own name, "school-reports" or "archive", so two report runs of a school wait for each
  other and never for a sync). A job waits in the queue for the lock instead of being skipped.
- The lease (store/job_leases.py) is still taken by each run: a CLI `sync`, `reconcile` or `identity verify`
  is no queue job, and procrastinate's lock cannot see it; the lease keeps the two apart as before.
- A worker killed mid-run: scheduler/worker.py retries its job once it is stalled (store/queue_stalled.py);
  the retry finds the fire claimed by the same queue job's earlier holder and resumes it (JobRunner.resume).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.engine import make_url

from edugateway.config.settings import Settings
from edugateway.errors import ConfigError
from edugateway.logs import get_logger
from edugateway.scheduler.alerts import Alerter
from edugateway.scheduler.plan import PlannedJob
from edugateway.scheduler.runner import JobRunner, LeaseBusy, RunResult
from edugateway.store.db import Database
from edugateway.store.job_leases import this_host
from edugateway.store.job_run_log import Fire

log = get_logger(__name__)

TASK = "edugateway.run_fire"
QUEUE = "jobs"
RUNTIME = "edugateway"  # the key of the worker's runtime in procrastinate's additional_context


@dataclass(frozen=True)
class FireLocks:
    queueing_lock: str
    lock: str


def fire_locks(planned: PlannedJob, fire_time: dt.datetime) -> FireLocks:
    at = fire_time.astimezone(dt.UTC).isoformat()
    return FireLocks(
        queueing_lock=f"fire:{planned.job.name}:{planned.school}:{at}",
        lock=f"run:{planned.school}:{planned.platform}",
    )


# Workers take the highest priority first, then the oldest: the night's syncs before what reads their results
# (reconcile compares with the platform, reports read the synced journal), archives last.
KIND_PRIORITY: dict[str, int] = {
    "sync": 30,
    "verify": 20,
    "reconcile": 10,
    "month-report": 10,
    "period-report": 10,
    "archive": 0,
    "archive-verify": 0,
}


def fire_priority(planned: PlannedJob) -> int:
    """The job's configured `priority`, else its kind's."""
    job = planned.job
    return job.priority if job.priority is not None else KIND_PRIORITY.get(job.kind, 0)


def worker_holder(queue_job_id: int) -> str:
    """Who a worker's run of a queue job holds the fire and the lease as; the retry of the same queue job knows its
    earlier attempts by the `job<id>` at the end."""
    return f"worker:{this_host()}:{os.getpid()}:job{queue_job_id}"


def same_queue_job(holder: str | None, queue_job_id: int) -> bool:
    return holder is not None and holder.startswith("worker:") and holder.endswith(f":job{queue_job_id}")


def conninfo(database_url: str) -> str:
    """procrastinate's psycopg pool takes a libpq URL: SQLAlchemy's driver suffix (+psycopg) dropped."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class WorkerRuntime:
    """What a worker's tasks run with: set up once per worker process (scheduler/worker.py)."""

    db: Database
    settings: Settings
    jobs: Mapping[str, PlannedJob]
    alerter: Alerter
    stop: threading.Event

    def runner(self, holder: str) -> JobRunner:
        return JobRunner(self.db, self.settings, holder=holder, alerter=self.alerter, stop=self.stop)


def run_fire(context: JobContext, *, job: str, school: str, scheduled_for: str) -> dict[str, Any]:
    """One fire on a worker: the run log decides whether it runs, is resumed, or was taken by another."""
    runtime: WorkerRuntime = context.additional_context[RUNTIME]
    queue_job_id = context.job.id
    if queue_job_id is None:  # a job fetched from the database always has its id
        raise RuntimeError("a queue job without an id")
    planned = runtime.jobs.get(f"{job}@{school}")
    if planned is None:
        raise ConfigError(
            f"this worker's configuration has no job {job!r} for school {school!r}; give every worker and daemon "
            "the same gateway.toml"
        )
    fire_time = dt.datetime.fromisoformat(scheduled_for)
    runner = runtime.runner(worker_holder(queue_job_id))
    result = runner.run(planned, fire_time)
    if result.status == "taken":  # by this same queue job's earlier attempt, whose worker died: go on with it
        previous = runner.run_log.claimed_by(Fire(job, planned.job.kind, school, planned.platform, fire_time, ""))
        if previous is not None and same_queue_job(previous, queue_job_id):
            result = runner.resume(planned, fire_time, previous)
    return _described(result)


def _described(result: RunResult) -> dict[str, Any]:
    return {"status": result.status, "run_id": result.run_id, "detail": result.detail}


def make_app(settings: Settings) -> App:
    """The queue on the configured PostgreSQL database, with the one task every fire runs as. A resumed run that
    finds its lease still held (the holder was slow, not dead; or a CLI run) is retried after a lease's TTL."""
    app = App(connector=PsycopgConnector(conninfo=conninfo(settings.database_url)))
    app.task(
        name=TASK,
        queue=QUEUE,
        pass_context=True,
        retry=RetryStrategy(max_attempts=10, wait=int(settings.scheduler.lease_ttl_s), retry_exceptions={LeaseBusy}),
    )(run_fire)
    return app


class FireQueue:
    """The daemon's side: defers fires. Opened once for the daemon's life (a pool of connections)."""

    def __init__(self, settings: Settings) -> None:
        self.app = make_app(settings)
        self._open = False

    def open(self) -> None:
        if not self._open:
            self.app.open()
            self._open = True

    def close(self) -> None:
        if self._open:
            self.app.close()
            self._open = False

    def defer(self, planned: PlannedJob, fire_time: dt.datetime) -> int | None:
        """The queue job's id, or None when this fire is waiting in the queue already."""
        locks = fire_locks(planned, fire_time)
        try:
            return self.app.configure_task(
                TASK, queueing_lock=locks.queueing_lock, lock=locks.lock, queue=QUEUE, priority=fire_priority(planned)
            ).defer(job=planned.job.name, school=planned.school, scheduled_for=fire_time.astimezone(dt.UTC).isoformat())
        except AlreadyEnqueued:
            return None
