"""`edugateway jobs list|run|history` and `edugateway scheduler run`: the configured jobs, by hand or on the clock."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from edugateway.cli._context import CliState, fail, state
from edugateway.cli._exit_codes import Exit
from edugateway.cli._progress import terminal_progress
from edugateway.errors import ConfigError, GatewayError
from edugateway.progress import progress
from edugateway.store.db import Database

if TYPE_CHECKING:
    from edugateway.scheduler.runner import RunResult

if TYPE_CHECKING:
    from edugateway.scheduler import SchedulerDaemon

jobs_app = typer.Typer(help="The scheduler's jobs: list them, run one now, read the job run log.", no_args_is_help=True)
scheduler_app = typer.Typer(help="The scheduler daemon.", no_args_is_help=True)


@contextmanager
def _database(st: CliState) -> Iterator[Database]:
    """The database for one command, its connections closed at the end (a daemon runs for weeks)."""
    db = st.database()
    try:
        yield db
    finally:
        db.dispose()


def _zone(name: str | None) -> dt.tzinfo:
    """A school's time zone for display; UTC when the school is no longer configured or its zone is unknown."""
    try:
        return ZoneInfo(name) if name else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _local(value: dt.datetime | None, zone: dt.tzinfo | None) -> str:
    if value is None:
        return "-"
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone or dt.UTC).strftime("%Y-%m-%d %H:%M:%S%z")


@jobs_app.command("list")
def jobs_list(ctx: typer.Context) -> None:
    """Every configured job per school: its schedule, next run in the school's time, and its last run."""
    from edugateway.scheduler import plan_jobs
    from edugateway.scheduler.plan import next_fires, scheduled_trigger
    from edugateway.store.job_run_log import JobRunLog
    from edugateway.store.times import utc_now

    st = state(ctx)
    try:
        settings = st.settings
        with _database(st) as db:
            latest = JobRunLog(db).latest()
    except GatewayError as exc:
        raise fail(exc) from exc
    if not settings.jobs:
        typer.echo("no jobs configured: add [[jobs]] to the configuration (config/gateway.example.toml)")
        return
    now = utc_now()
    for job in settings.jobs:
        try:
            planned = plan_jobs(settings, only=job.name)
        except ConfigError as exc:
            typer.echo(f"{job.name:<28} {job.kind:<9} {job.cron:<16} not runnable: {exc}")
            continue
        for unit in planned:
            upcoming = next_fires(scheduled_trigger(unit), now, 1)
            last = latest.get((job.name, unit.school))
            last_text = f"{last.status} {_local(last.scheduled_for, unit.timezone)}" if last else "never run"
            typer.echo(
                f"{job.name:<28} {job.kind:<9} {job.cron:<16} {unit.school:<10} {unit.platform:<10} "
                f"next {_local(upcoming[0] if upcoming else None, unit.timezone)}  last {last_text}"
            )


def _cli_holder() -> str:
    return f"cli:{getpass.getuser()}@{socket.gethostname()}:{os.getpid()}"


@jobs_app.command("run")
def jobs_run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the job's name in [[jobs]]")],
    school: Annotated[str | None, typer.Option("--school", help="only this one of the job's schools")] = None,
) -> None:
    """Run a job now, in the foreground, as the daemon would: in the job run log, under the lease, retried, alerted.

    Exit 0: done; 1: done, but it needs a person (a partial sync, persons without an answer); 2: failed, refused or
    interrupted; 3: a sync on hold (--approve); 4: skipped, another run holds the school and platform."""
    from edugateway.scheduler import JobRunner, plan_jobs
    from edugateway.scheduler.alerts import Alerter
    from edugateway.store.times import utc_now

    st = state(ctx)
    try:
        settings = st.settings
        planned = plan_jobs(settings, only=name)
        if school is not None:
            planned = [p for p in planned if p.school == school]
            if not planned:
                raise ConfigError(f"job {name!r} does not run for school {school!r}; see `edugateway jobs list`")
        alerter = Alerter.from_settings(settings.alerts)
        with _database(st) as db, terminal_progress():
            runner = JobRunner(db, settings, holder=_cli_holder(), alerter=alerter)
            results = []
            for unit in planned:
                progress().stage(f"{name} {unit.school} {unit.platform}", f"{unit.job.kind} job")
                results.append((unit, runner.run(unit, utc_now(), trigger="manual")))
    except GatewayError as exc:
        raise fail(exc) from exc
    for unit, result in results:
        detail = f": {result.detail}" if result.detail else ""
        summary = f" {result.summary}" if result.summary else ""
        typer.echo(f"{name} {unit.school} {unit.platform}: run {result.run_id} {result.status}{summary}{detail}")
    raise typer.Exit(max((_exit_of(result) for _, result in results), key=WORST.index, default=Exit.DONE))


WORST = (Exit.DONE, Exit.PARTIAL, Exit.ON_HOLD, Exit.BUSY, Exit.FAILED)  # of several schools, the last named wins


def _exit_of(result: RunResult) -> Exit:
    """The worst ending decides the exit code: failed, then busy, then on hold, then partial."""
    if result.status in ("done", "taken", "not_started"):
        summary = result.summary or {}
        if summary.get("status") == "on_hold":
            return Exit.ON_HOLD
        return Exit.PARTIAL if result.attention else Exit.DONE
    return Exit.BUSY if result.status == "skipped" else Exit.FAILED


@jobs_app.command("history")
def jobs_history(
    ctx: typer.Context,
    job: Annotated[str | None, typer.Option("--job", help="only this job")] = None,
    school: Annotated[str | None, typer.Option("--school", help="only this school")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10000)] = 20,
) -> None:
    """The job run log, newest first: when, which job and school, how it ended, after how many attempts."""
    from edugateway.store.job_run_log import JobRunLog
    from edugateway.store.times import as_utc

    st = state(ctx)
    try:
        zones = {s.code: s.timezone for s in st.settings.schools}
        with _database(st) as db:
            rows = JobRunLog(db).history(job=job, school=school, limit=limit)
    except GatewayError as exc:
        raise fail(exc) from exc
    for row in rows:
        zone = _zone(zones.get(row.school))
        took = f"{(as_utc(row.finished_at) - as_utc(row.started_at)).total_seconds():.1f} s" if row.finished_at else "-"
        note = row.error or (str(row.summary) if row.summary else "")
        typer.echo(
            f"{row.id:>6}  {_local(row.scheduled_for, zone)}  {row.job:<24} {row.school:<10} {row.platform:<10} "
            f"{row.trigger:<8} {row.status:<11} x{row.attempts} {took:>8}  {note}"
        )


@scheduler_app.command("run")
def scheduler_run(ctx: typer.Context) -> None:
    """Run the configured jobs on their schedules, in the foreground, until SIGTERM or Ctrl-C.

    A stop waits for running jobs to finish (a second signal ends the process at once). Several daemons may
    share one database: each trigger runs once, and one job at a time per school and platform."""
    from edugateway.scheduler import SchedulerDaemon

    st = state(ctx)
    try:
        with _database(st) as db:
            _run_until_signalled(SchedulerDaemon(db, st.settings))
    except GatewayError as exc:
        raise fail(exc) from exc
    typer.echo("scheduler stopped")


def _run_until_signalled(daemon: SchedulerDaemon) -> None:
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()
        # A second signal is not caught: it ends the process without waiting.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        daemon.start()
        typer.echo(f"scheduler running {len(daemon.jobs)} job(s) as {daemon.holder}; SIGTERM or Ctrl-C stops it")
        stop.wait()
        typer.echo("stopping: waiting for running jobs to finish")
        daemon.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
