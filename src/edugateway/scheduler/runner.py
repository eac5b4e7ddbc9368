"""One run of a job for one school, the same for a trigger of the daemon and for `edugateway jobs run`:

claim the fire in the job run log (a fire another daemon claimed is left alone) -> take the lease on the school and
platform (held elsewhere: recorded as skipped, with the holder) -> run the service, retrying a failure with a
doubling pause up to the job's `retries` -> record the ending -> alert when it failed or needs a person.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from edugateway.config.settings import JobSettings, Settings
from edugateway.errors import ConfigError, DataSafetyError, GatewayError, ValidationError
from edugateway.logs import get_logger, run_context
from edugateway.scheduler.alerts import Alert, Alerter
from edugateway.scheduler.plan import PlannedJob
from edugateway.scheduler.services import JobContext, JobOutcome
from edugateway.store.db import Database
from edugateway.store.job_leases import Acquired, Held, LeaseKey, LeaseStore
from edugateway.store.job_run_log import Fire, JobRunLog
from edugateway.store.lease_heartbeat import Heartbeat
from edugateway.store.run_lease import take_over_dead_runs
from edugateway.store.times import Clock, utc_now

log = get_logger(__name__)

# Errors a retry cannot cure: the configuration or the data needs a person first (errors.py).
NOT_RETRIED: tuple[type[Exception], ...] = (ConfigError, DataSafetyError, ValidationError)


class LeaseBusy(GatewayError):
    """A resumed run found its school and platform's lease held by a live holder; retried later by the queue."""


@dataclass(frozen=True)
class RunResult:
    # done, failed, skipped (lease held), interrupted (stopped before a retry), taken (another daemon claimed
    # the fire), not_started (the scheduler was stopping)
    status: str
    run_id: int | None
    detail: str | None = None
    summary: dict[str, Any] | None = None
    attention: str | None = None  # what a person must act on, also sent as an alert


@dataclass
class _Ending:
    status: str
    attempts: int
    error: str | None = None
    outcome: JobOutcome | None = None
    summary: dict[str, Any] = field(default_factory=dict)


def retry_delay(job: JobSettings, failed_attempt: int) -> float:
    """The pause after the n-th failed attempt: retry_backoff_s, then twice that, four times … ."""
    return float(job.retry_backoff_s * 2 ** (failed_attempt - 1))


def _describe(exc: Exception) -> str:
    return str(exc) if isinstance(exc, GatewayError) else f"{type(exc).__name__}: {exc}"


class JobRunner:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        holder: str,
        alerter: Alerter,
        stop: threading.Event | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self.settings = settings
        self.holder = holder
        self.alerter = alerter
        self.stop = stop or threading.Event()
        self.run_log = JobRunLog(db, clock=clock)
        self.leases = LeaseStore(db, dt.timedelta(seconds=settings.scheduler.lease_ttl_s), clock=clock)

    def run(self, planned: PlannedJob, scheduled_for: dt.datetime, *, trigger: str = "schedule") -> RunResult:
        fire = Fire(
            planned.job.name,
            planned.job.kind,
            planned.school,
            planned.platform,
            scheduled_for.astimezone(dt.UTC),
            trigger,
        )
        bound = log.bind(
            job=fire.job, school=fire.school, platform=fire.platform, scheduled_for=fire.scheduled_for.isoformat()
        )
        if self.stop.is_set():
            bound.info("job.not_started", reason="the scheduler is stopping")
            return RunResult("not_started", None)
        run_id = self.run_log.claim(fire, self.holder)
        if run_id is None:
            by = self.run_log.claimed_by(fire)
            bound.info("job.fire_taken", by=by)
            return RunResult("taken", None, f"this fire was claimed by {by}")
        bound = bound.bind(run_id=run_id)
        key = LeaseKey(planned.school, planned.platform)
        lease = self.leases.acquire(key, self.holder, job=fire.job, run_id=run_id)
        if isinstance(lease, Held):
            detail = f"{planned.school}/{planned.platform} is busy: the lease is {lease.describe()}"
            self.run_log.finish(run_id, "skipped", error=detail)
            bound.warning("job.skipped", reason=detail)
            return RunResult("skipped", run_id, detail)
        self._take_over(lease, bound)
        return self._run_holding(planned, fire, run_id, key, bound)

    def resume(self, planned: PlannedJob, scheduled_for: dt.datetime, previous_holder: str) -> RunResult:
        """Goes on with a fire whose run `previous_holder` claimed and never ended: a queue job retried after its
        worker was found dead (scheduler/queue.py). The lease comes first, so a holder that is alive after all
        keeps both its lease and its run (LeaseBusy); then the run log row changes hands and the run starts again:
        the sync's outbox and cursors make a second pass safe."""
        fire = Fire(
            planned.job.name,
            planned.job.kind,
            planned.school,
            planned.platform,
            scheduled_for.astimezone(dt.UTC),
            "schedule",
        )
        bound = log.bind(
            job=fire.job, school=fire.school, platform=fire.platform, scheduled_for=fire.scheduled_for.isoformat()
        )
        key = LeaseKey(planned.school, planned.platform)
        lease = self.leases.acquire(key, self.holder, job=fire.job, run_id=None)
        if isinstance(lease, Held):
            raise LeaseBusy(f"{planned.school}/{planned.platform} is busy: the lease is {lease.describe()}")
        run_id = self.run_log.reclaim(fire, previous_holder, self.holder)
        if run_id is None:
            self.leases.release(key, self.holder)
            by = self.run_log.claimed_by(fire)
            bound.info("job.fire_taken", by=by)
            return RunResult("taken", None, f"this fire was claimed by {by}")
        bound = bound.bind(run_id=run_id)
        bound.warning("job.resumed", previous_holder=previous_holder)
        if lease.previous_run_id not in (None, run_id):
            self._take_over(lease, bound)
        return self._run_holding(planned, fire, run_id, key, bound)

    def _run_holding(self, planned: PlannedJob, fire: Fire, run_id: int, key: LeaseKey, bound: Any) -> RunResult:
        """The run itself, once the fire is claimed and the lease taken: the lease is released at the end."""
        abandoned = take_over_dead_runs(self.db, key, self.holder)
        bound.info("job.started")
        with Heartbeat(self.leases, key, self.holder):
            try:
                ending = self._attempts(planned, fire, run_id, bound)
            except BaseException:
                self.run_log.finish(run_id, "interrupted", error="the process was interrupted during the run")
                raise
        if abandoned:
            ending.summary["abandoned_sync_runs"] = list(abandoned)
        self.run_log.finish(run_id, ending.status, error=ending.error, summary=ending.summary or None)
        if ending.status == "failed":
            self._alert("failed", fire, run_id, ending.attempts, ending.error or "")
        elif ending.outcome is not None and ending.outcome.attention:
            self._alert("attention", fire, run_id, ending.attempts, ending.outcome.attention)
        attention = ending.outcome.attention if ending.outcome is not None else None
        return RunResult(ending.status, run_id, ending.error, ending.summary, attention)

    def _attempts(self, planned: PlannedJob, fire: Fire, run_id: int, bound: Any) -> _Ending:
        job = planned.job
        context = JobContext(
            self.db,
            self.settings,
            job,
            fire.school,
            fire.platform,
            fire.scheduled_for,
            f"scheduler:{job.name}",
            self.holder,
            stop=self.stop,
        )
        attempt = 0
        while True:
            attempt += 1
            self.run_log.attempt(run_id, attempt)
            try:
                with run_context(job=fire.job, school=fire.school, platform=fire.platform):
                    outcome = planned.service.run(context)
            except NOT_RETRIED as exc:
                bound.error("job.failed", attempts=attempt, error=str(exc), retried=False)
                return _Ending("failed", attempt, str(exc))
            except Exception as exc:
                error = _describe(exc)
                if attempt > job.retries:
                    bound.error("job.failed", attempts=attempt, error=error, exc_info=True)
                    return _Ending("failed", attempt, error)
                delay = retry_delay(job, attempt)
                bound.warning("job.retry", attempt=attempt, error=error, retry_in_s=delay)
                if self.stop.wait(delay):
                    bound.warning("job.interrupted", attempts=attempt)
                    return _Ending("interrupted", attempt, f"the scheduler stopped before retry {attempt}: {error}")
            else:
                if outcome.failed:  # recorded as failed by the service itself: a retry would fail the same way
                    bound.error("job.failed", attempts=attempt, error=outcome.failed, retried=False)
                    return _Ending("failed", attempt, outcome.failed, outcome, outcome.summary)
                if outcome.stopped:
                    bound.warning("job.stopped", attempts=attempt, summary=outcome.summary)
                    reason = "the scheduler stopped it after a whole batch; the next run goes on from there"
                    return _Ending("interrupted", attempt, reason, outcome, outcome.summary)
                bound.info("job.done", attempts=attempt, summary=outcome.summary)
                return _Ending("done", attempt, None, outcome, outcome.summary)

    def _take_over(self, lease: Acquired, bound: Any) -> None:
        """An expired lease we took was a dead daemon's: its run will never finish, so it is marked abandoned."""
        if lease.previous_run_id is None:
            return
        reason = f"its process {lease.previous_holder} ended or stopped renewing the lease; {self.holder} took it over"
        if self.run_log.abandon(lease.previous_run_id, reason):
            bound.error(
                "job.abandoned_run", abandoned_run_id=lease.previous_run_id, previous_holder=lease.previous_holder
            )

    def _alert(self, what: str, fire: Fire, run_id: int, attempts: int, message: str) -> None:
        self.alerter.send(
            Alert(
                what=what,
                job=fire.job,
                kind=fire.kind,
                school=fire.school,
                platform=fire.platform,
                scheduled_for=fire.scheduled_for.isoformat(),
                run_id=run_id,
                attempts=attempts,
                message=message,
                holder=self.holder,
            )
        )
