"""`edugateway worker`: runs the fires the scheduler daemons defer, with `scheduler.executor = "procrastinate"`."""

from __future__ import annotations

from typing import Annotated

import typer

from edugateway.cli._context import fail, state
from edugateway.cli._exit_codes import Exit
from edugateway.errors import GatewayError


def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", min=1, max=64, help="jobs run at once (default scheduler.worker_concurrency)"),
    ] = None,
    queues: Annotated[
        list[str] | None, typer.Option("--queues", help="queues to take jobs from (default: jobs); repeatable")
    ] = None,
) -> None:
    """Run the scheduled jobs the scheduler daemons put in the queue, in the foreground, until SIGTERM or Ctrl-C.

    Start one or more on any machines sharing the PostgreSQL database and gateway.toml. A stop lets the running
    jobs end after their current window (a second signal ends the process at once); a worker killed outright has
    its job run again by another after scheduler.stalled_after_s."""
    from edugateway.scheduler.queue import QUEUE
    from edugateway.scheduler.worker import run_worker
    from edugateway.store.queue_tables import queue_schema_present

    st = state(ctx)
    if st.settings.scheduler.executor != "procrastinate":
        raise fail(
            'scheduler.executor is "local": the scheduler daemon runs the jobs itself; set executor = '
            '"procrastinate" (PostgreSQL) and run `edugateway init-db` to use workers',
            Exit.FAILED,
        )
    try:
        db = st.database()
        if not queue_schema_present(db):
            raise fail("the job queue's tables are missing: run `edugateway init-db`", Exit.FAILED)
        typer.echo("worker running; SIGTERM or Ctrl-C stops it after the current window")
        run_worker(db, st.settings, concurrency=concurrency, queues=queues or [QUEUE])
    except GatewayError as exc:
        raise fail(exc) from exc
    typer.echo("worker stopped")
