"""`edugateway jobs status`: the night per school and job (scheduler/night_board.py), as a table or JSON."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from edugateway.cli._context import fail, state
from edugateway.cli._jobs import _database, jobs_app
from edugateway.cli._output import FormatOption, OutputFormat, iso_time, print_json, print_table, school_time, zone_of
from edugateway.errors import GatewayError

if TYPE_CHECKING:
    from edugateway.scheduler.night_board import NightBoard

TOTALS = ("queued", "running", "done", "failed", "retrying")


@jobs_app.command("status")
def jobs_status(
    ctx: typer.Context,
    school: Annotated[str | None, typer.Option("--school", help="only this school (its code)")] = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """One row per school and job: queued (since when), running where, the last run, done and failed in the last
    24 hours, retrying, the next fire; with the procrastinate executor also the workers and their heartbeats."""
    from edugateway.scheduler.night_board import night_board, where_running
    from edugateway.store.times import utc_now

    st = state(ctx)
    try:
        settings = st.settings
        if school is not None and school not in {s.code for s in settings.schools}:
            raise GatewayError(f"no school {school!r} in the configuration; see [[schools]] in gateway.toml")
        with _database(st) as db:
            board = night_board(db, settings, utc_now(), schools=None if school is None else {school})
    except GatewayError as exc:
        raise fail(exc) from exc
    if board.problem:
        raise fail(board.problem)
    if output is OutputFormat.JSON:
        print_json(_json(board))
        return
    typer.echo(_headline(board))
    for worker in board.workers:
        alive = "alive" if worker.alive else "silent"
        typer.echo(f"  worker #{worker.id}: {alive}, last heartbeat {school_time(worker.last_heartbeat, None)}")
    table = []
    for row in board.rows:
        zone = zone_of(row.zone)
        since = f" since {school_time(row.queued_since, zone)}" if row.queued_since else ""
        table.append(
            [
                row.school,
                row.job,
                f"{row.queued}{since}" if row.queued else "-",
                ", ".join(where_running(h) for h in row.holders)
                + (f" since {school_time(row.running_since, zone)}" if row.running_since else "")
                if row.running
                else "-",
                f"{row.last_status} {school_time(row.last_at, zone)}" if row.last_status else "never run",
                str(row.done),
                str(row.failed),
                f"{row.retrying} (attempt {row.attempts})"
                + (f" at {school_time(row.retry_at, zone)}" if row.retry_at else "")
                if row.retrying
                else "-",
                school_time(row.next_fire, zone),
            ]
        )
    columns = ["school", "job", "queued", "running", "last run", "done 24h", "failed 24h", "retrying", "next run"]
    empty = "no jobs: none configured ([[jobs]] in gateway.toml) and none in the run log" + (
        f" for school {school}" if school else ""
    )
    print_table(columns, table, empty=empty)


def _headline(board: NightBoard) -> str:
    totals = ", ".join(f"{name} {board.total(name)}" for name in TOTALS)
    if board.executor != "procrastinate":
        return f"local executor (no queue: the daemon runs each fire itself); from the run log: {totals}"
    alive = [w for w in board.workers if w.alive]
    return f"procrastinate executor: {len(alive)} of {len(board.workers)} worker(s) alive; {totals}"


def _json(board: NightBoard) -> dict[str, Any]:
    from edugateway.scheduler.night_board import where_running

    def when(value: dt.datetime | None) -> str | None:
        return iso_time(value)

    return {
        "executor": board.executor,
        "since": when(board.since),
        "totals": {name: board.total(name) for name in TOTALS},
        "workers": [{"id": w.id, "last_heartbeat": when(w.last_heartbeat), "alive": w.alive} for w in board.workers],
        "rows": [
            {
                "school": r.school,
                "job": r.job,
                "kind": r.kind,
                "platform": r.platform,
                "queued": r.queued,
                "queued_since": when(r.queued_since),
                "running": r.running,
                "running_on": [where_running(h) for h in r.holders],
                "running_since": when(r.running_since),
                "last_status": r.last_status,
                "last_at": when(r.last_at),
                "done": r.done,
                "failed": r.failed,
                "retrying": r.retrying,
                "attempts": r.attempts,
                "retry_at": when(r.retry_at),
                "next_fire": when(r.next_fire),
            }
            for r in board.rows
        ],
    }
