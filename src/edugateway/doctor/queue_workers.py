"""The procrastinate executor's queue (`scheduler.executor = "procrastinate"`): its schema is there, and when fires
wait, some worker lives (a heartbeat within `scheduler.stalled_after_s`) to run them."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from edugateway.config.settings import Settings
from edugateway.doctor.result import CheckResult
from edugateway.store.db import Database
from edugateway.store.queue_tables import queue_schema_present, queue_state

NAME = "job queue"


def queue_workers(settings: Settings) -> CheckResult | None:
    """None with the local executor: there is no queue to check. Run only once the database check passed."""
    if settings.scheduler.executor != "procrastinate":
        return None
    db = Database(settings.database_url)
    try:
        if not queue_schema_present(db):
            return CheckResult.fail(
                NAME, "procrastinate's tables are missing from the database", "run `edugateway init-db`"
            )
        state = queue_state(db, settings.scheduler.stalled_after_s)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[0]
        return CheckResult.fail(NAME, f"the queue could not be read: {reason}", "check database_url and the server")
    finally:
        db.dispose()
    found = f"{state.waiting} job(s) waiting, {state.running} running, {state.live_workers} worker(s) alive"
    if state.live_workers == 0 and (state.waiting or state.running):
        last = (
            f"; the last heartbeat was at {state.last_heartbeat:%Y-%m-%d %H:%M:%S %Z}" if state.last_heartbeat else ""
        )
        return CheckResult.warn(
            NAME,
            f"{found}: nothing runs the waiting jobs{last}",
            "start `edugateway worker` on at least one machine (it needs the same gateway.toml)",
        )
    return CheckResult.ok(NAME, found)
