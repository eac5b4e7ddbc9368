"""The exit codes every command that runs work shares (sync, reconcile, identity verify, import, jobs run), so a
script or the scheduler of another system reads them the same way everywhere. The README lists them."""

from __future__ import annotations

from enum import IntEnum

from edugateway.errors import Busy, GatewayError


class Exit(IntEnum):
    DONE = 0  # everything asked was done
    PARTIAL = 1  # done, but some records were refused, skipped or unanswered; each is listed with its reason
    FAILED = 2  # refused before starting, or failed (platform, database, every write refused); the error says why
    ON_HOLD = 3  # nothing was applied: it waits for a person's approval (the message says which flag gives it)
    BUSY = 4  # another run holds the school and platform; nothing was started (--wait waits for it)


def exit_for(error: GatewayError | str) -> Exit:
    return Exit.BUSY if isinstance(error, Busy) else Exit.FAILED


# A sync run's status (store/sync_run_log.py) -> the exit code of the command that ran it.
SYNC_STATUS_EXIT = {
    "done": Exit.DONE,
    "partial": Exit.PARTIAL,
    "failed": Exit.FAILED,
    "on_hold": Exit.ON_HOLD,
    "stopped": Exit.PARTIAL,
}
