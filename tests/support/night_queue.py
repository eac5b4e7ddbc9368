"""A region's night planted in procrastinate's queue and the job run log, for `jobs status` and the admin's page:
real fires deferred through scheduler/queue.py, then taken, retried and failed as a worker would (procrastinate's
own SQL functions), each school in one state:

- s1: its fire waits (queued), its previous fire done an hour ago;
- s2: taken by worker A, its job run held by `worker:night-host-2:4242:job<id>` (running where);
- s3: taken, then put back for a retry an hour from now (retrying, attempt 1);
- s4: given up by the queue (failed);
- worker A's heartbeat is recent, worker B's ten minutes old (dead).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from edugateway.config.settings import Settings, load_settings
from edugateway.scheduler.plan import plan_jobs
from edugateway.scheduler.queue import FireQueue
from edugateway.store.db import Database
from edugateway.store.queue_tables import apply_queue_schema
from edugateway.store.tables import JobRunRow
from edugateway.store.times import utc_now

SCHOOLS = ("s1", "s2", "s3", "s4")
FIRE = dt.datetime(2026, 12, 5, 20, 30, tzinfo=dt.UTC)  # 01:30 in Yekaterinburg


def night_toml(database_url: str, executor: str) -> str:
    schools = "".join(f'[[schools]]\ncode = "{code}"\ntimezone = "Asia/Yekaterinburg"\n' for code in SCHOOLS)
    return f"""
database_url = "{database_url}"
log_level = "WARNING"
{schools}
[platforms.dn]
kind = "dnevnik"
base_url = "http://127.0.0.1:9/v2/"
[scheduler]
executor = "{executor}"
[[jobs]]
name = "nightly"
kind = "sync"
cron = "30 1 * * *"
platform = "dn"
[[jobs]]
name = "month"
kind = "month-report"
cron = "0 6 1 * *"
"""


def night_settings(db: Database, tmp_path: Path, executor: str) -> tuple[Settings, Path]:
    config = tmp_path / "gateway.toml"
    config.write_text(night_toml(db.engine.url.render_as_string(hide_password=False), executor), encoding="utf-8")
    return load_settings(config), config


@dataclass(frozen=True)
class PlantedNight:
    running_job: int
    live_worker: int
    dead_worker: int


def plant_queue_night(db: Database, settings: Settings) -> PlantedNight:
    apply_queue_schema(db)
    planned = {p.school: p for p in plan_jobs(settings, only="nightly")}
    queue = FireQueue(settings)
    queue.open()
    try:
        ids = {school: queue.defer(planned[school], FIRE) for school in ("s2", "s3", "s4")}
    finally:
        queue.close()
    with db.engine.begin() as conn:
        live = conn.scalar(text("INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id"))
        dead = conn.scalar(
            text(
                "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '10 minutes') RETURNING id"
            )
        )
        for _school in ("s2", "s3", "s4"):  # one due at a time is taken, the oldest first
            conn.execute(text("SELECT id FROM procrastinate_fetch_job_v2(ARRAY['jobs'], :w)"), {"w": live})
        conn.execute(
            text("SELECT procrastinate_retry_job_v2(:id, now() + interval '1 hour', NULL, NULL, NULL)"),
            {"id": ids["s3"]},
        )
        conn.execute(text("SELECT procrastinate_finish_job_v1(:id, 'failed', false)"), {"id": ids["s4"]})
    queue.open()
    try:
        queue.defer(planned["s1"], FIRE)
    finally:
        queue.close()
    running = ids["s2"]
    assert running is not None
    now = utc_now()
    with db.session() as session:
        session.add(
            JobRunRow(
                job="nightly",
                kind="sync",
                school="s2",
                platform="dn",
                scheduled_for=FIRE,
                trigger="schedule",
                status="running",
                holder=f"worker:night-host-2:4242:job{running}",
                attempts=1,
                started_at=now - dt.timedelta(minutes=3),
            )
        )
        session.add(
            JobRunRow(
                job="nightly",
                kind="sync",
                school="s1",
                platform="dn",
                scheduled_for=FIRE - dt.timedelta(days=1),
                trigger="schedule",
                status="done",
                holder="worker:night-host-1:77:job1",
                attempts=1,
                started_at=now - dt.timedelta(hours=1, minutes=5),
                finished_at=now - dt.timedelta(hours=1),
            )
        )
    return PlantedNight(running, int(live), int(dead))
