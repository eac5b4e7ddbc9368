"""What procrastinate's queue holds per (job, school), and its workers, for `jobs status` and the admin's page
(PostgreSQL only; the queue's tables as store/queue_tables.py describes them). A queue job's args name its job
and school (scheduler/queue.py defers every fire with {job, school, scheduled_for})."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text

from edugateway.store.db import Database


@dataclass(frozen=True)
class QueuedFires:
    job: str
    school: str
    queued: int  # todo, retries included
    queued_since: dt.datetime | None  # when the oldest waiting one was deferred
    running: int  # doing
    running_workers: tuple[int, ...]  # procrastinate's worker ids of the running ones
    retrying: int  # waiting again after a failed or stalled attempt
    retry_at: dt.datetime | None  # when the earliest retry is due
    attempts: int  # the most attempts of a waiting or running one
    failed: int  # given up by the queue since the window's start


@dataclass(frozen=True)
class QueueWorker:
    id: int
    last_heartbeat: dt.datetime
    alive: bool


# The deferral time is the job's first event ("deferred", written by procrastinate's trigger on insert); a failure's
# time its last event.
_FIRES = text(
    """
    SELECT job.args->>'job' AS job, job.args->>'school' AS school,
        count(*) FILTER (WHERE job.status = 'todo') AS queued,
        min(deferred.at) FILTER (WHERE job.status = 'todo') AS queued_since,
        count(*) FILTER (WHERE job.status = 'doing') AS running,
        array_remove(array_agg(DISTINCT job.worker_id) FILTER (WHERE job.status = 'doing'), NULL) AS workers,
        count(*) FILTER (WHERE job.status = 'todo' AND job.attempts > 0) AS retrying,
        min(job.scheduled_at) FILTER (WHERE job.status = 'todo' AND job.attempts > 0) AS retry_at,
        coalesce(max(job.attempts) FILTER (WHERE job.status IN ('todo', 'doing')), 0) AS attempts,
        count(*) FILTER (WHERE job.status = 'failed' AND latest.at >= :since) AS failed
    FROM procrastinate_jobs job
    LEFT JOIN LATERAL (
        SELECT min(e.at) AS at FROM procrastinate_events e WHERE e.job_id = job.id AND e.type = 'deferred'
    ) deferred ON true
    LEFT JOIN LATERAL (SELECT max(e.at) AS at FROM procrastinate_events e WHERE e.job_id = job.id) latest ON true
    WHERE job.queue_name = :queue
        AND (job.status IN ('todo', 'doing') OR (job.status = 'failed' AND latest.at >= :since))
    GROUP BY 1, 2
    """
)


def queued_fires(db: Database, queue: str, since: dt.datetime) -> list[QueuedFires]:
    """Per (job, school): what waits, runs and retries now, and what the queue gave up on since `since`."""
    with db.engine.connect() as conn:
        rows = conn.execute(_FIRES, {"queue": queue, "since": since}).mappings().all()
    return [
        QueuedFires(
            str(r["job"]),
            str(r["school"]),
            int(r["queued"]),
            r["queued_since"],
            int(r["running"]),
            tuple(sorted(int(w) for w in r["workers"] or ())),
            int(r["retrying"]),
            r["retry_at"],
            int(r["attempts"]),
            int(r["failed"]),
        )
        for r in rows
    ]


def queue_workers(db: Database, live_within_s: float) -> list[QueueWorker]:
    """Every registered worker, newest heartbeat first; alive: a heartbeat within `live_within_s`."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, last_heartbeat, last_heartbeat >= now() - make_interval(secs => :within) AS alive "
                "FROM procrastinate_workers ORDER BY last_heartbeat DESC, id"
            ),
            {"within": live_within_s},
        ).all()
    return [QueueWorker(int(id_), at, bool(alive)) for id_, at, alive in rows]
