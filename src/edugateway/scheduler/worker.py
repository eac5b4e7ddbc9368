"""`edugateway worker`: a procrastinate worker running the fires the daemons defer (scheduler/queue.py).

- Each worker sends a heartbeat every quarter of `scheduler.stalled_after_s` and, as often, puts back in the
  queue the running jobs of workers silent longer than that (store/queue_tables.py): a worker killed with
  SIGKILL has its job retried by another. procrastinate 3 finds stalled jobs but leaves retrying them to us.
- SIGTERM or Ctrl-C: no new job is taken, and the running ones are told to stop through the runner's stop event:
  a sync ends after its current pull window, other services finish their call; then the worker exits. A second
  signal ends the process at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence
from typing import Unpack

from procrastinate import App
from procrastinate.app import WorkerOptions
from procrastinate.worker import Worker

from edugateway.config.settings import Settings
from edugateway.logs import get_logger
from edugateway.scheduler.alerts import Alerter
from edugateway.scheduler.plan import plan_jobs
from edugateway.scheduler.queue import QUEUE, RUNTIME, WorkerRuntime, make_app
from edugateway.scheduler.services import SERVICES, JobService
from edugateway.store.db import Database
from edugateway.store.job_leases import this_host
from edugateway.store.queue_tables import retry_stalled_jobs

log = get_logger(__name__)


class _StoppingWorker(Worker):
    """procrastinate's worker, whose stop also tells the running jobs to end after their current window."""

    def __init__(self, app: App, *, stopping: threading.Event, **options: Unpack[WorkerOptions]) -> None:
        super().__init__(app, **options)
        self._stopping = stopping

    def stop(self) -> None:
        self._stopping.set()
        super().stop()  # type: ignore[no-untyped-call]  # procrastinate leaves it unannotated


async def _retry_stalled(db: Database, stalled_after_s: float, every_s: float) -> None:
    while True:
        try:
            retried = await asyncio.to_thread(retry_stalled_jobs, db, stalled_after_s)
        except Exception:  # the database briefly away: the next round asks again
            log.warning("worker.stalled_check_failed", exc_info=True)
        else:
            if retried:
                log.error("worker.stalled_jobs_retried", queue_jobs=retried, silent_for_s=stalled_after_s)
        await asyncio.sleep(every_s)


def run_worker(
    db: Database,
    settings: Settings,
    *,
    concurrency: int | None = None,
    queues: Sequence[str] = (QUEUE,),
    services: dict[str, JobService] | None = None,
    name: str | None = None,
) -> None:
    """Runs in the foreground until SIGTERM/SIGINT (procrastinate installs the handlers)."""
    jobs = {p.id: p for p in plan_jobs(settings, services or SERVICES)}  # ConfigError before anything starts
    stopping = threading.Event()
    runtime = WorkerRuntime(db, settings, jobs, Alerter.from_settings(settings.alerts), stopping)
    stalled_after = settings.scheduler.stalled_after_s
    beat = stalled_after / 4
    app = make_app(settings)

    async def main() -> None:
        async with app.open_async():
            worker = _StoppingWorker(
                app,
                stopping=stopping,
                queues=list(queues),
                name=name or this_host(),
                concurrency=concurrency or settings.scheduler.worker_concurrency,
                additional_context={RUNTIME: runtime},
                update_heartbeat_interval=beat,
                stalled_worker_timeout=stalled_after,
            )
            checker = asyncio.create_task(_retry_stalled(db, stalled_after, beat), name="retry_stalled")
            log.info("worker.started", queues=list(queues), concurrency=worker.concurrency, jobs=sorted(jobs))
            try:
                await worker.run()  # type: ignore[no-untyped-call]
            finally:
                checker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await checker
            log.info("worker.stopped")

    asyncio.run(main())
