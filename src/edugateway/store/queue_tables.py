"""procrastinate's tables as edugateway reads and keeps them (PostgreSQL only): its schema applied by `init-db`,
the stalled jobs of dead workers put back in the queue, and what `doctor` asks about workers and waiting jobs.

procrastinate_jobs (status todo|doing|succeeded|failed|cancelled|aborted, lock, queueing_lock, args, attempts,
worker_id, scheduled_at), procrastinate_workers (id, last_heartbeat), procrastinate_events (job_id, type, at).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from procrastinate.schema import SchemaManager
from sqlalchemy import text

from edugateway.store.db import Database

# One checker at a time: two workers retrying the same stalled job at once could put a job back in the queue
# that a third had just taken (pg_advisory_xact_lock's key; any constant no other code of ours uses).
_STALLED_CHECK_LOCK = 0x6564_7567_7731


def queue_schema_present(db: Database) -> bool:
    with db.engine.connect() as conn:
        return conn.scalar(text("SELECT to_regclass('procrastinate_jobs')")) is not None


def apply_queue_schema(db: Database) -> bool:
    """Creates procrastinate's tables and functions unless they are there; True when it created them."""
    if queue_schema_present(db):
        return False
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(SchemaManager.get_schema())  # no parameters: its % signs are not placeholders
        raw.commit()
    finally:
        raw.close()
    return True


def retry_stalled_jobs(db: Database, stalled_after_s: float) -> list[int]:
    """Puts back in the queue every running job whose worker sent no heartbeat for `stalled_after_s` (or was
    pruned as dead, leaving worker_id empty); the ids retried. Read and retried in one transaction under a lock."""
    with db.engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _STALLED_CHECK_LOCK})
        stalled = list(
            conn.scalars(
                text(
                    "SELECT job.id FROM procrastinate_jobs job "
                    "LEFT JOIN procrastinate_workers w ON w.id = job.worker_id "
                    "WHERE job.status = 'doing' AND (job.worker_id IS NULL "
                    "OR w.last_heartbeat < now() - make_interval(secs => :after)) "
                    "ORDER BY job.id"
                ),
                {"after": stalled_after_s},
            )
        )
        for job_id in stalled:
            conn.execute(
                text("SELECT procrastinate_retry_job_v2(:id, now(), NULL, NULL, NULL)"),
                {"id": job_id},
            )
    return stalled


@dataclass(frozen=True)
class QueueState:
    waiting: int  # todo, due now
    running: int  # doing
    live_workers: int  # a heartbeat within the window asked about
    last_heartbeat: dt.datetime | None


def queue_state(db: Database, live_within_s: float) -> QueueState:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT status::text, count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
                "AND (status = 'doing' OR scheduled_at IS NULL OR scheduled_at <= now()) GROUP BY status"
            )
        )
        counts = {str(status): int(count) for status, count in rows}
        live, last = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE last_heartbeat >= now() - make_interval(secs => :within)), "
                "max(last_heartbeat) FROM procrastinate_workers"
            ),
            {"within": live_within_s},
        ).one()
    return QueueState(int(counts.get("todo", 0)), int(counts.get("doing", 0)), int(live), last)
