"""The region's night on the admin's run journal page (/runs): the counts, the workers and one row per school and
job (scheduler/night_board.py), in Russian, times in each school's own zone, of the account's schools only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from edugateway.config.settings import Settings
from edugateway.scheduler.night_board import NightRow, night_board, where_running
from edugateway.store.db import Database
from edugateway.store.night_reads import scoped_school_names
from edugateway.store.school_scope import SchoolScope
from edugateway.store.times import utc_now
from edugateway.web.run_view import DEFAULT_ZONE, STATUS_WORDS, _at, school_zone

PLACE_WORDS = {"queue job": "задание очереди", "daemon": "демон", "command": "команда", "worker": "воркер"}
EXECUTOR_WORDS = {
    "procrastinate": "очередь procrastinate: демон ставит задания в очередь, их выполняют воркеры",
    "local": "локальный: демон сам выполняет задания, очереди нет; сведения — из журнала запусков",
}


@dataclass(frozen=True, slots=True)
class NightLine:
    school_name: str
    job: str
    queued: str
    running: str
    last: str
    last_class: str
    done: int
    failed: int
    retrying: str
    next_fire: str


@dataclass(frozen=True, slots=True)
class WorkerShown:
    id: int
    alive: bool
    last_heartbeat: str


@dataclass(frozen=True, slots=True)
class NightView:
    executor: str
    executor_said: str
    counts: dict[str, int]
    workers: list[WorkerShown]
    lines: list[NightLine]
    problem: str | None


def night_view(
    db: Database, settings: Settings, scope: SchoolScope, *, school_id: int | None, now: dt.datetime | None = None
) -> NightView:
    """Only the schools the account reads (and the one chosen in the filter): a school the scope does not give is
    left out even when the configuration or the queue names it."""
    names = scoped_school_names(db, scope, school_id=school_id)
    every = scope.every and school_id is None  # schools configured but not stored yet are shown to such an admin
    board = night_board(db, settings, now or utc_now(), schools=None if every else set(names))
    moscow = ZoneInfo(DEFAULT_ZONE)
    return NightView(
        board.executor,
        EXECUTOR_WORDS.get(board.executor, board.executor),
        {name: board.total(name) for name in ("queued", "running", "done", "failed", "retrying")},
        [WorkerShown(w.id, w.alive, _at(w.last_heartbeat, moscow)) for w in board.workers],
        [_line(row, names.get(row.school, row.school), settings) for row in board.rows],
        board.problem,
    )


def _line(row: NightRow, name: str, settings: Settings) -> NightLine:
    zone = school_zone(settings, row.school)
    running = "—"
    if row.running:
        running = ", ".join(where_running(h, PLACE_WORDS) for h in row.holders) + (
            f", с {_at(row.running_since, zone)}" if row.running_since else ""
        )
    retrying = "—"
    if row.retrying:
        retrying = f"{row.retrying}, попытка {row.attempts}" + (
            f", в {_at(row.retry_at, zone)}" if row.retry_at else ""
        )
    return NightLine(
        school_name=name,
        job=row.job,
        queued=f"{row.queued}, с {_at(row.queued_since, zone)}" if row.queued else "—",
        running=running,
        last=f"{STATUS_WORDS.get(row.last_status, row.last_status)}, {_at(row.last_at, zone)}"
        if row.last_status
        else "не запускалось",
        last_class="bad"
        if row.last_status in ("failed", "abandoned")
        else ("ok" if row.last_status == "done" else "warn"),
        done=row.done,
        failed=row.failed,
        retrying=retrying,
        next_fire=_at(row.next_fire, zone),
    )
