"""The push outbox and the pushed state: what the gateway queued for a platform, and what it last pushed there.

Every planned write is queued (status pending) in one transaction before any request is sent. A batch is
claimed (marked `sending`) and committed before it is sent, so a crash leaves it visibly `sending`; each result
is then recorded — done with the platform's id and the new pushed state, or failed with the reason — in one
transaction. What to push, and whether a `sending` row may be sent again, is sync's business (sync/push.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from edugateway.errors import DataSafetyError
from edugateway.store.db import Database
from edugateway.store.tables import AuditRow, OutboxRow, RemoteRecordRow

OPEN = ("pending", "sending")
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class PushedRecord:
    """What the gateway last pushed of one record: the payload's digest and the payload."""

    digest: str
    data: dict[str, Any] | None


@dataclass(frozen=True)
class QueuedWrite:
    op: str  # create, update, delete
    key: str  # the record's local key
    payload: dict[str, Any]


@dataclass(frozen=True)
class OutboxScope:
    """The outbox of one school, platform and entity; `track` is the name its pushed state is kept under."""

    school_id: int
    platform: str
    entity: str
    track: str


@dataclass(frozen=True)
class WriteOutcome:
    """A platform's answer to one queued write, with the digest of what was sent."""

    row_id: int
    op: str
    payload: dict[str, Any]
    digest: str
    ok: bool
    retryable: bool = False
    remote_id: str | None = None
    error: str | None = None


def pushed_state(db: Database, school_id: int, platform: str, track: str) -> dict[str, PushedRecord]:
    """key -> what was last pushed of it."""
    with db.session() as session:
        return {
            row.remote_id: PushedRecord(row.digest, row.data)
            for row in session.scalars(
                select(RemoteRecordRow).where(
                    RemoteRecordRow.school_id == school_id,
                    RemoteRecordRow.platform == platform,
                    RemoteRecordRow.entity == track,
                )
            )
        }


def queue_writes(db: Database, scope: OutboxScope, run_id: int, writes: Sequence[QueuedWrite]) -> None:
    """Queues every write in one transaction. A record that still has an open row (a crashed or failed earlier
    run) keeps that one row, now with the newest payload: one record is never queued twice."""
    with db.session() as session:
        open_rows = {
            row.local_key: row
            for row in session.scalars(
                select(OutboxRow).where(
                    OutboxRow.school_id == scope.school_id,
                    OutboxRow.platform == scope.platform,
                    OutboxRow.entity == scope.entity,
                    OutboxRow.status.in_(OPEN),
                )
            )
        }
        for write in writes:
            row = open_rows.get(write.key)
            if row is not None:
                row.op, row.payload, row.run_id = write.op, write.payload, run_id
                continue
            session.add(
                OutboxRow(
                    run_id=run_id,
                    school_id=scope.school_id,
                    platform=scope.platform,
                    entity=scope.entity,
                    op=write.op,
                    local_key=write.key,
                    payload=write.payload,
                    status="pending",
                )
            )


@dataclass(frozen=True)
class ClaimedWrite:
    row_id: int
    op: str
    key: str
    payload: dict[str, Any]


def claim_batch(
    db: Database, scope: OutboxScope, *, after_id: int, limit: int, resend_unknown: bool
) -> list[ClaimedWrite]:
    """Marks the next `limit` open rows after `after_id` `sending` (one more attempt each) and commits that.
    Rows already `sending` have an unknown result: unless `resend_unknown`, they stop the claim (DataSafetyError)."""
    with db.session() as session:
        rows = list(
            session.scalars(
                select(OutboxRow)
                .where(
                    OutboxRow.school_id == scope.school_id,
                    OutboxRow.platform == scope.platform,
                    OutboxRow.entity == scope.entity,
                    OutboxRow.status.in_(OPEN),
                    OutboxRow.id > after_id,
                )
                .order_by(OutboxRow.id)
                .limit(limit)
            )
        )
        unknown = [r for r in rows if r.status == "sending"]
        if unknown and not resend_unknown:
            raise DataSafetyError(
                f"{len(unknown)} writes to {scope.platform} have an unknown result and the platform does not "
                "upsert; check them on the platform before sending again"
            )
        for row in rows:
            row.status = "sending"
            row.attempts += 1
        return [ClaimedWrite(r.id, r.op, r.local_key, r.payload) for r in rows]


def record_outcomes(db: Database, scope: OutboxScope, run_id: int, outcomes: Sequence[WriteOutcome]) -> None:
    """Records each answer and, for a done write, the new pushed state and an audit entry, in one transaction.
    A retryable failure goes back to pending until it has had MAX_ATTEMPTS."""
    now = dt.datetime.now(dt.UTC)
    with db.session() as session:
        for outcome in outcomes:
            row = session.get(OutboxRow, outcome.row_id)
            if row is None:
                continue
            retry = outcome.retryable and row.attempts < MAX_ATTEMPTS
            row.status = "done" if outcome.ok else ("pending" if retry else "failed")
            row.remote_id = outcome.remote_id
            row.error = outcome.error
            if not outcome.ok:
                continue
            state = session.scalar(
                select(RemoteRecordRow).where(
                    RemoteRecordRow.school_id == scope.school_id,
                    RemoteRecordRow.platform == scope.platform,
                    RemoteRecordRow.entity == scope.track,
                    RemoteRecordRow.remote_id == row.local_key,
                )
            )
            if outcome.op == "delete":
                if state is not None:
                    session.delete(state)
            elif state is None:
                session.add(
                    RemoteRecordRow(
                        school_id=scope.school_id,
                        platform=scope.platform,
                        entity=scope.track,
                        remote_id=row.local_key,
                        local_key=row.local_key,
                        digest=outcome.digest,
                        data=outcome.payload,
                    )
                )
            else:
                state.digest, state.data, state.changed_at = outcome.digest, outcome.payload, now
            session.add(
                AuditRow(
                    actor=f"sync:{scope.platform}",
                    action=f"push_{outcome.op}",
                    school_id=scope.school_id,
                    entity=scope.entity,
                    entity_id=row.local_key,
                    changes=None,
                    reason=f"sync run {run_id}",
                )
            )
