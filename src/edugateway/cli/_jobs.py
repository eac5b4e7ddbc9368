"""`edugateway jobs list|run|history` and `edugateway scheduler run`: the configured jobs, by hand or on the clock."""

from __future__ import annotations

import getpass
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from edugateway.cli._context import CliState, fail, state
from edugateway.cli._exit_codes import Exit
from edugateway.cli._output import (
    FormatOption,
    OutputFormat,
    iso_time,
    print_json,
    print_table,
    readable,
    school_time,
    zone_of,
)
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


@jobs_app.command("list")
def jobs_list(ctx: typer.Context, output: FormatOption = OutputFormat.TABLE) -> None:
    """Every configured job per school: its schedule, next run and last run in the school's time."""
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
    now = utc_now()
    rows: list[dict[str, Any]] = []
    for job in settings.jobs:
        try:
            planned = plan_jobs(settings, only=job.name)
        except ConfigError as exc:
            rows.append({"job": job.name, "kind": job.kind, "cron": job.cron, "not_runnable": str(exc)})
            continue
        for unit in planned:
            upcoming = next_fires(scheduled_trigger(unit), now, 1)
            last = latest.get((job.name, unit.school))
            rows.append(
                {
                    "job": job.name,
                    "kind": job.kind,
                    "cron": job.cron,
                    "school": unit.school,
                    "platform": unit.platform,
                    "next": upcoming[0] if upcoming else None,
                    "last_status": last.status if last else None,
                    "last": last.scheduled_for if last else None,
                    "zone": unit.timezone,
                }
            )
    if output is OutputFormat.JSON:
        print_json([_jsonable(row) for row in rows])
        return
    empty = "no jobs configured: add [[jobs]] to the configuration (config/gateway.example.toml)"
    table = [
        [
            row["job"],
            row["kind"],
            row["cron"],
            row.get("school", ""),
            row.get("platform", ""),
            school_time(row["next"], row["zone"]) if "zone" in row else "-",
            f"{row['last_status']} {school_time(row['last'], row['zone'])}"
            if row.get("last_status")
            else ("never run" if "zone" in row else f"not runnable: {row['not_runnable']}"),
        ]
        for row in rows
    ]
    print_table(["job", "kind", "cron", "school", "platform", "next run", "last run"], table, empty=empty)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """A row with its times as ISO 8601 and its zone by name."""
    out = {k: v for k, v in row.items() if k != "zone"}
    for key in ("next", "last"):
        if key in out:
            out[key] = iso_time(out[key])
    return out


def _cli_holder() -> str:
    return f"cli:{getpass.getuser()}@{socket.gethostname()}:{os.getpid()}"


@jobs_app.command("run")
def jobs_run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the job's name in [[jobs]]")],
    school: Annotated[str | None, typer.Option("--school", help="only this one of the job's schools")] = None,
    output: FormatOption = OutputFormat.TABLE,
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
    if output is OutputFormat.JSON:
        print_json(
            [
                {
                    "job": name,
                    "school": unit.school,
                    "platform": unit.platform,
                    "run": result.run_id,
                    "status": result.status,
                    "summary": result.summary,
                    "detail": result.detail,
                }
                for unit, result in results
            ]
        )
    for unit, result in results if output is OutputFormat.TABLE else ():
        detail = f": {result.detail}" if result.detail else ""
        summary = f" ({readable(result.summary)})" if result.summary else ""
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
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """The job run log, newest first: when (the school's time), which job and school, how it ended, after how
    many attempts."""
    from edugateway.store.job_run_log import JobRunLog
    from edugateway.store.times import as_utc

    st = state(ctx)
    try:
        zones = {s.code: s.timezone for s in st.settings.schools}
        with _database(st) as db:
            rows = JobRunLog(db).history(job=job, school=school, limit=limit)
    except GatewayError as exc:
        raise fail(exc) from exc
    if output is OutputFormat.JSON:
        print_json(
            [
                {
                    "id": row.id,
                    "job": row.job,
                    "kind": row.kind,
                    "school": row.school,
                    "platform": row.platform,
                    "scheduled_for": iso_time(row.scheduled_for),
                    "started_at": iso_time(row.started_at),
                    "finished_at": iso_time(row.finished_at),
                    "trigger": row.trigger,
                    "status": row.status,
                    "attempts": row.attempts,
                    "error": row.error,
                    "summary": row.summary,
                }
                for row in rows
            ]
        )
        return
    table = []
    for row in rows:
        took = f"{(as_utc(row.finished_at) - as_utc(row.started_at)).total_seconds():.1f} s" if row.finished_at else "-"
        table.append(
            [
                str(row.id),
                school_time(row.scheduled_for, zone_of(zones.get(row.school))),
                row.job,
                row.school,
                row.platform,
                row.trigger,
                row.status,
                str(row.attempts),
                took,
                row.error or readable(row.summary),
            ]
        )
    columns = ["run", "scheduled for", "job", "school", "platform", "trigger", "status", "attempts", "took", "result"]
    print_table(columns, table, empty="no job runs yet" + (" matching --job/--school" if job or school else ""))


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
