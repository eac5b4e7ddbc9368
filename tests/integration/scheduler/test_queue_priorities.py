"""Priorities and fairness on procrastinate's queue (issue 19, "the region's night": "priorities and fairness (no
school starves)"). Fires are deferred through scheduler/queue.py and taken with procrastinate's own fetch
(procrastinate_fetch_job_v2: the highest priority, then the oldest id, skipping a job whose lock is busy or has an
earlier job waiting), as a worker takes them:

- a sync is taken before a report deferred earlier; a configured `priority` on [[jobs]] overrides the kind's;
- a school whose sync runs long, or waits for its retry, holds back only its own later fires, never another
  school's;
- a stalled job put back by store/queue_stalled.py keeps its id and priority: it is first in line again, taken
  before later fires of its rank, so a worker's death does not send a school to the back of the night.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from edugateway.config.settings import Settings
from edugateway.scheduler.plan import PlannedJob, plan_jobs
from edugateway.scheduler.queue import FireQueue
from edugateway.store.db import Database
from edugateway.store.queue_tables import apply_queue_schema, retry_stalled_jobs
from support.night_queue import FIRE, night_settings


@pytest.fixture
def night(database: Database, tmp_path: Path) -> Settings:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("the procrastinate executor runs on PostgreSQL only")
    apply_queue_schema(database)
    settings, _config = night_settings(database, tmp_path, "procrastinate")
    return settings


@pytest.fixture
def worker(database: Database, night: Settings) -> int:
    with database.engine.begin() as conn:
        return int(conn.scalar(text("INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id")))


class Queue:
    def __init__(self, db: Database, settings: Settings, worker: int) -> None:
        self.db, self.worker = db, worker
        self.fires = FireQueue(settings)
        self.planned = {(p.job.name, p.school): p for p in plan_jobs(settings)}

    def defer(self, job: str, school: str, at: dt.datetime = FIRE) -> int:
        planned: PlannedJob = self.planned[(job, school)]
        queued = self.fires.defer(planned, at)
        assert queued is not None
        return queued

    def take(self) -> int | None:
        """What the next worker to ask is given."""
        with self.db.engine.begin() as conn:
            return conn.scalar(text("SELECT id FROM procrastinate_fetch_job_v2(ARRAY['jobs'], :w)"), {"w": self.worker})


@pytest.fixture
def queue(database: Database, night: Settings, worker: int) -> Iterator[Queue]:
    opened = Queue(database, night, worker)
    opened.fires.open()
    yield opened
    opened.fires.close()


def test_a_sync_is_taken_before_a_report_deferred_earlier(queue: Queue) -> None:
    report = queue.defer("month", "s1")
    sync = queue.defer("nightly", "s2")
    assert [queue.take(), queue.take(), queue.take()] == [sync, report, None]


def test_a_configured_priority_overrides_the_kind(database: Database, night: Settings, worker: int) -> None:
    jobs = [j.model_copy(update={"priority": 50}) if j.kind == "month-report" else j for j in night.jobs]
    urgent = Queue(database, night.model_copy(update={"jobs": jobs}), worker)
    urgent.fires.open()
    try:
        sync = urgent.defer("nightly", "s2")
        report = urgent.defer("month", "s1")
        assert [urgent.take(), urgent.take()] == [report, sync]
    finally:
        urgent.fires.close()


def test_a_long_sync_holds_back_only_its_own_school(queue: Queue) -> None:
    long_running = queue.defer("nightly", "s1")
    assert queue.take() == long_running  # runs all night
    next_fire = queue.defer("nightly", "s1", FIRE + dt.timedelta(days=1))
    others = [queue.defer("nightly", school) for school in ("s2", "s3", "s4")]
    assert [queue.take() for _ in others] == others  # s1's next fire waits for its lock; no other school does
    assert queue.take() is None
    assert next_fire not in others


def test_a_retry_waiting_for_its_time_holds_back_only_its_own_school(database: Database, queue: Queue) -> None:
    failing = queue.defer("nightly", "s1")
    assert queue.take() == failing
    with database.engine.begin() as conn:  # as procrastinate's RetryStrategy puts back a LeaseBusy: a wait later
        conn.execute(
            text("SELECT procrastinate_retry_job_v2(:id, now() + interval '1 hour', NULL, NULL, NULL)"),
            {"id": failing},
        )
    others = [queue.defer("nightly", school) for school in ("s2", "s3")]
    assert [queue.take(), queue.take(), queue.take()] == [*others, None]


def test_a_stalled_job_keeps_its_place_and_priority(database: Database, queue: Queue) -> None:
    stalled = queue.defer("nightly", "s1")
    assert queue.take() == stalled
    later_report = queue.defer("month", "s2")
    later_sync = queue.defer("nightly", "s3")
    with database.engine.begin() as conn:  # its worker went silent
        conn.execute(text("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'"))
    assert retry_stalled_jobs(database, stalled_after_s=60) == [stalled]
    with database.engine.connect() as conn:
        priority = conn.scalar(text("SELECT priority FROM procrastinate_jobs WHERE id = :id"), {"id": stalled})
    assert priority == 30
    assert [queue.take(), queue.take(), queue.take()] == [stalled, later_sync, later_report]
