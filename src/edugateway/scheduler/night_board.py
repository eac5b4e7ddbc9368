"""The region's night at a glance, one row per school and job, for `edugateway jobs status` and the admin's page:
queued (since when), running where, the last run's end, failures and retries, and the next fire.

With `executor = "procrastinate"` what waits, runs and retries comes from the queue (store/queue_board.py) and
where a run runs from its job run's holder; with the local executor nothing waits in a queue (the daemon runs a
fire when it comes), so the run log alone says what runs and what retries. Done and failed count the job runs
finished within the window (the last 24 hours: a night, whenever the region's jobs start)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from edugateway.config.settings import Settings
from edugateway.errors import ConfigError
from edugateway.scheduler.plan import next_fires, plan_jobs, scheduled_trigger
from edugateway.store.db import Database
from edugateway.store.night_reads import run_log_night

WINDOW = dt.timedelta(hours=24)
FAILED = ("failed", "abandoned")


@dataclass
class NightRow:
    job: str
    kind: str
    school: str
    platform: str
    zone: str  # the school's configured zone name ("" when not configured)
    queued: int = 0
    queued_since: dt.datetime | None = None
    running: int = 0
    holders: list[str] = field(default_factory=list)  # of the running ones: where_running() says where
    running_since: dt.datetime | None = None
    retrying: int = 0
    retry_at: dt.datetime | None = None  # procrastinate: when the queued retry is due
    attempts: int = 0
    done: int = 0
    failed: int = 0
    last_status: str | None = None
    last_at: dt.datetime | None = None
    next_fire: dt.datetime | None = None


@dataclass(frozen=True)
class WorkerLine:
    id: int
    last_heartbeat: dt.datetime
    alive: bool


@dataclass(frozen=True)
class NightBoard:
    executor: str
    rows: list[NightRow]
    workers: list[WorkerLine]
    since: dt.datetime
    problem: str | None  # why the queue could not be read (its tables missing), else None

    def total(self, name: str) -> int:
        return sum(int(getattr(row, name)) for row in self.rows)


PLACE_WORDS = {"queue job": "queue job", "daemon": "daemon", "command": "command", "worker": "worker"}


def where_running(holder: str, words: Mapping[str, str] = PLACE_WORDS) -> str:
    """A job run's holder as a place: `worker:<host>:<pid>:job<id>`, a daemon's `<host>:<pid>:<instance>`, a
    command's `cli:<user>@<host>:<pid>`, or `queue-worker:<id>` (a queue job taken, its run not claimed yet)."""
    parts = holder.split(":")
    if parts[0] == "queue-worker" and len(parts) == 2:
        return f"{words['worker']} #{parts[1]}"
    if parts[0] == "worker" and len(parts) >= 4:
        return f"{parts[1]} pid {parts[2]} ({words['queue job']} {parts[3].removeprefix('job')})"
    if parts[0] == "cli" and len(parts) >= 3:
        return f"{parts[1]} pid {parts[2]} ({words['command']})"
    if len(parts) >= 2 and parts[1].isdigit():
        return f"{parts[0]} pid {parts[1]} ({words['daemon']})"
    return holder


def night_board(
    db: Database, settings: Settings, now: dt.datetime, *, schools: Collection[str] | None = None
) -> NightBoard:
    """Every configured job of the given schools (every school when None), plus any (job, school) the run log or
    the queue knows of though the configuration no longer has it."""
    since = now - WINDOW
    zones = {s.code: s.timezone for s in settings.schools}
    rows: dict[tuple[str, str], NightRow] = {}

    def shown(school: str) -> bool:
        return schools is None or school in schools

    def row(job: str, kind: str, school: str, platform: str) -> NightRow:
        key = (job, school)
        if key not in rows:
            rows[key] = NightRow(job, kind, school, platform, zones.get(school, ""))
        return rows[key]

    for job in settings.jobs:
        try:
            planned = plan_jobs(settings, only=job.name)
        except ConfigError:  # `jobs list` says why; the run log may still know the job's runs
            continue
        for unit in planned:
            if shown(unit.school):
                upcoming = next_fires(scheduled_trigger(unit), now, 1)
                row(job.name, job.kind, unit.school, unit.platform).next_fire = upcoming[0] if upcoming else None
    _add_run_log(db, since, shown, row)
    workers: list[WorkerLine] = []
    problem = None
    if settings.scheduler.executor == "procrastinate":
        problem = _add_queue(db, settings, since, shown, rows, workers)
    ordered = sorted(rows.values(), key=lambda r: (r.school, r.job))
    return NightBoard(settings.scheduler.executor, ordered, workers, since, problem)


Shown = Callable[[str], bool]


def _add_run_log(
    db: Database, since: dt.datetime, is_shown: Shown, line: Callable[[str, str, str, str], NightRow]
) -> None:
    night = run_log_night(db, since)
    for counted in night.finished:
        if is_shown(counted.school):
            r = line(counted.job, counted.kind, counted.school, counted.platform)
            if counted.status == "done":
                r.done += counted.count
            elif counted.status in FAILED:
                r.failed += counted.count
    for last in night.last:
        if is_shown(last.school):
            r = line(last.job, last.kind, last.school, last.platform)
            r.last_status, r.last_at = last.status, last.finished_at or last.started_at
    for running in night.running:
        if is_shown(running.school):
            r = line(running.job, running.kind, running.school, running.platform)
            r.running += 1
            r.holders.append(running.holder)
            r.running_since = r.running_since or running.started_at
            r.attempts = max(r.attempts, running.attempts)
            if running.attempts > 1:  # the runner's own retry of a failed attempt
                r.retrying += 1


def _add_queue(
    db: Database,
    settings: Settings,
    since: dt.datetime,
    shown: Shown,
    rows: dict[tuple[str, str], NightRow],
    workers: list[WorkerLine],
) -> str | None:
    from edugateway.scheduler.queue import QUEUE
    from edugateway.store.queue_board import queue_workers, queued_fires
    from edugateway.store.queue_tables import queue_schema_present

    if not queue_schema_present(db):
        return "the queue's tables are missing: run `edugateway init-db`"
    kinds = {j.name: j.kind for j in settings.jobs}
    for fires in queued_fires(db, QUEUE, since):
        if not shown(fires.school):
            continue
        key = (fires.job, fires.school)
        r = rows.get(key) or rows.setdefault(key, NightRow(fires.job, kinds.get(fires.job, ""), fires.school, "", ""))
        r.queued, r.queued_since = fires.queued, fires.queued_since
        r.retrying, r.retry_at = fires.retrying, fires.retry_at  # the queue's retries replace the run log's guess
        r.attempts = max(r.attempts, fires.attempts)
        r.failed += fires.failed
        # Taken by a worker, its job run not claimed yet: the worker is all there is to say.
        if fires.running > len(r.holders):
            r.holders += [f"queue-worker:{w}" for w in fires.running_workers][: fires.running - len(r.holders)]
        r.running = max(r.running, fires.running)
    workers += [
        WorkerLine(w.id, w.last_heartbeat, w.alive) for w in queue_workers(db, settings.scheduler.stalled_after_s)
    ]
    return None
