"""The scheduler daemon: configured jobs on cron triggers, run once per fire across daemons, one at a time per
school and platform, recorded in the job run log, retried and alerted on failure.

plan.py (jobs x schools, checked) -> daemon.py (APScheduler 3) -> runner.py (claims the fire in the job run log
and takes the lease, store/job_run_log.py and store/job_leases.py; lease.py's heartbeat; services.py, alerts.py).
`edugateway jobs run` calls runner.py directly. With `scheduler.executor = "procrastinate"` the daemon only queues
each fire (queue.py) and `edugateway worker` processes (worker.py) run it through runner.py.
"""

from edugateway.scheduler.daemon import SchedulerDaemon, daemon_holder
from edugateway.scheduler.plan import PlannedJob, plan_jobs
from edugateway.scheduler.runner import JobRunner, RunResult
from edugateway.scheduler.services import SERVICES, JobContext, JobOutcome, JobService

__all__ = [
    "SERVICES",
    "JobContext",
    "JobOutcome",
    "JobRunner",
    "JobService",
    "PlannedJob",
    "RunResult",
    "SchedulerDaemon",
    "daemon_holder",
    "plan_jobs",
]
