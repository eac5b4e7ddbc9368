"""The push outbox and the pushed state: what the gateway queued for a platform, and what it last pushed there.

Every planned write is queued in one transaction before any request is sent. A run claims a batch with one
conditional UPDATE (only rows still `pending` become `sending` under its run id) and commits that before
sending, so two processes never send one row twice and a crash leaves the batch visibly `sending`; each answer
is then recorded with the pushed state in one transaction. What to push, and whether a write with an unknown
result may be sent again, is sync's business (sync/push.py).

A record has at most one row that is neither done nor superseded. Statuses:
- pending: to be sent by the next claim. New writes; writes the platform did not take because the platform
  failed (an outage, 5xx, 429 after retries, a timeout, refused credentials: the run's failure, never the
  record's, so it never makes a row give up); writes with an unknown result re-queued by `requeue_unknown`.
- sending: claimed by the run in `claimed_by`. While that run is `running` the row is that process's and left
  alone; once the run is no longer running (done, failed, abandoned) the row's result is unknown.
- done: the platform took it; the pushed state holds what was sent.
- failed: the platform refused the record itself (a data reason, in `error`). The next run that plans a write
  of the record queues it again in this row (newest op and payload, attempts from zero).
- superseded: no longer owed. The plan of a later run no longer holds the record (the platform already holds
  what is wanted, or the record is gone), or a later write of the record landed.
`attempts` counts the claims since the row was last queued afresh; it is shown, never a limit.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, not_, select, update

from edugateway.store.db import Database
from edugateway.store.rows import rows_changed
from edugateway.store.tables import AuditRow, OutboxRow, RemoteRecordRow, SyncRunRow

NOT_DONE = ("pending", "sending", "failed")  # the statuses of a row that still owes its write


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


def _in_scope(scope: OutboxScope) -> ColumnElement[bool]:
    return and_(
        OutboxRow.school_id == scope.school_id,
        OutboxRow.platform == scope.platform,
        OutboxRow.entity == scope.entity,
    )


def _claimer_running() -> ColumnElement[bool]:
    return exists().where(SyncRunRow.id == OutboxRow.claimed_by, SyncRunRow.status == "running")


def queue_writes(db: Database, scope: OutboxScope, run_id: int, writes: Sequence[QueuedWrite]) -> None:
    """Queues the plan of this scope (`writes` is all of it) in one transaction, one row per record: a record
    whose row is pending, failed, or sending under a run that is no longer running keeps that row, now with
    the newest op and payload (a failed row is pending again, attempts from zero). A row another live run is
    sending is left alone: the next run plans from what that one records. Pending and failed rows of records
    the plan no longer holds are superseded."""
    with db.session() as session:
        found = session.execute(
            select(OutboxRow, _claimer_running().label("live"))
            .where(_in_scope(scope), OutboxRow.status.in_(NOT_DONE))
            .order_by(OutboxRow.id)
        ).all()
        rows: dict[str, tuple[OutboxRow, bool]] = {}
        for row, live in found:
            older = rows.get(row.local_key)
            if older is not None and older[0].status != "sending":  # two rows of one record (before 0007)
                older[0].status = "superseded"
            rows[row.local_key] = (row, bool(live))
        planned = {write.key for write in writes}
        for key, (row, _) in rows.items():
            if key not in planned and row.status != "sending":
                row.status = "superseded"
        for write in writes:
            row_live = rows.get(write.key)
            if row_live is None:
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
                continue
            row, live = row_live
            if row.status == "sending" and live:
                continue
            row.op, row.payload, row.run_id = write.op, write.payload, run_id
            if row.status == "failed":
                row.status, row.attempts, row.error = "pending", 0, None


def unknown_writes(db: Database, scope: OutboxScope) -> int:
    """How many rows are `sending` under a run that is no longer running: their result is unknown."""
    with db.session() as session:
        return (
            session.scalar(
                select(func.count()).where(_in_scope(scope), OutboxRow.status == "sending", not_(_claimer_running()))
            )
            or 0
        )


def requeue_unknown(db: Database, scope: OutboxScope) -> int:
    """Puts the rows `sending` under a run that is no longer running back to pending (only for a platform where
    sending a record twice leaves one copy); returns how many. Rows of a live run are left alone."""
    with db.session() as session:
        return rows_changed(
            session,
            update(OutboxRow)
            .where(_in_scope(scope), OutboxRow.status == "sending", not_(_claimer_running()))
            .values(status="pending"),
        )


@dataclass(frozen=True)
class ClaimedWrite:
    row_id: int
    op: str
    key: str
    payload: dict[str, Any]


def claim_batch(db: Database, scope: OutboxScope, run_id: int, *, limit: int) -> list[ClaimedWrite]:
    """Claims up to `limit` pending rows for run `run_id` (status sending, one more attempt) and commits that.
    The UPDATE takes only rows still pending, and only the rows it changed are read back: a row another process
    claimed in the meantime is not among them. Empty when no row is pending or other runs took them all."""
    with db.session() as session:
        candidates = list(
            session.scalars(
                select(OutboxRow.id)
                .where(_in_scope(scope), OutboxRow.status == "pending")
                .order_by(OutboxRow.id)
                .limit(limit)
            )
        )
        if not candidates:
            return []
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(candidates), OutboxRow.status == "pending")
            .values(status="sending", claimed_by=run_id, attempts=OutboxRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        claimed = session.scalars(
            select(OutboxRow)
            .where(OutboxRow.id.in_(candidates), OutboxRow.claimed_by == run_id, OutboxRow.status == "sending")
            .order_by(OutboxRow.id)
        )
        return [ClaimedWrite(r.id, r.op, r.local_key, r.payload) for r in claimed]


def record_outcomes(db: Database, scope: OutboxScope, run_id: int, outcomes: Sequence[WriteOutcome]) -> None:
    """Records each answer in one transaction: a landed write is done, with the new pushed state and an audit
    entry, and supersedes a failed row of the same record; a write the platform failed to take (retryable) is
    pending again, whatever its attempts; a record the platform refused is failed with the reason."""
    now = dt.datetime.now(dt.UTC)
    with db.session() as session:
        landed: dict[str, int] = {}
        for outcome in outcomes:
            row = session.get(OutboxRow, outcome.row_id)
            if row is None:
                continue
            row.status = "done" if outcome.ok else ("pending" if outcome.retryable else "failed")
            row.remote_id = outcome.remote_id
            row.error = outcome.error
            if not outcome.ok:
                continue
            landed[row.local_key] = row.id
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
        if landed:
            session.execute(
                update(OutboxRow)
                .where(
                    _in_scope(scope),
                    OutboxRow.local_key.in_(landed),
                    OutboxRow.status == "failed",
                    OutboxRow.id.not_in(list(landed.values())),
                )
                .values(status="superseded")
                .execution_options(synchronize_session=False)
            )


@dataclass(frozen=True)
class FailedWrite:
    key: str  # the record's local key (an id, never a name)
    op: str
    reason: str | None


@dataclass(frozen=True)
class OwedEntity:
    """What one entity still owes a platform. The counts are exact; `failed_rows` holds the oldest few."""

    entity: str
    pending: int = 0
    sending: dict[int | None, int] = field(default_factory=dict)  # the claiming run -> its rows
    failed: int = 0
    failed_rows: list[FailedWrite] = field(default_factory=list)


def owed_writes(db: Database, school_id: int, platform: str, *, listed: int = 20) -> list[OwedEntity]:
    """Per entity with anything owed: how many writes are pending, sending (per claiming run) and failed, with
    the first `listed` failed rows' keys and reasons."""
    with db.session() as session:
        owed = and_(OutboxRow.school_id == school_id, OutboxRow.platform == platform)
        pending: Counter[str] = Counter()
        failed: Counter[str] = Counter()
        sending: defaultdict[str, dict[int | None, int]] = defaultdict(dict)
        for entity, status, claimer, count in session.execute(
            select(OutboxRow.entity, OutboxRow.status, OutboxRow.claimed_by, func.count())
            .where(owed, OutboxRow.status.in_(NOT_DONE))
            .group_by(OutboxRow.entity, OutboxRow.status, OutboxRow.claimed_by)
        ):
            if status == "pending":
                pending[entity] += count
            elif status == "failed":
                failed[entity] += count
            else:
                sending[entity][claimer] = count
        out: list[OwedEntity] = []
        for entity in sorted({*pending, *failed, *sending}):
            rows = session.execute(
                select(OutboxRow.local_key, OutboxRow.op, OutboxRow.error)
                .where(owed, OutboxRow.entity == entity, OutboxRow.status == "failed")
                .order_by(OutboxRow.id)
                .limit(listed)
            )
            out.append(
                OwedEntity(
                    entity,
                    pending[entity],
                    dict(sending.get(entity, {})),
                    failed[entity],
                    [FailedWrite(key, op, error) for key, op, error in rows],
                )
            )
        return out


def pending_writes(db: Database, scope: OutboxScope) -> int:
    """How many rows of this scope wait for the next claim."""
    with db.session() as session:
        return session.scalar(select(func.count()).where(_in_scope(scope), OutboxRow.status == "pending")) or 0
