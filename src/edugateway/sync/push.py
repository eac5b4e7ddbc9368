"""Pushes through a durable outbox.

What a platform holds of a pushed entity is tracked as what the gateway last pushed there (RemoteRecordRow: key,
digest, the record): an upload-only service such as ЕЦП's edu-upload cannot be read back. The plan compares the
records the local roster wants on the platform with that: never pushed → create; changed → update; pushed but
no longer wanted → delete.

Applying: every planned write becomes an outbox row (status pending) in one transaction before any request is
sent. The executor marks a batch `sending`, sends it, and records each result — done with the platform's id and
the new pushed state, or failed with the reason — in one transaction. A crash leaves rows `sending`: their
result is unknown, so a rerun sends them again only where that cannot double a record (the adapter says whether
its writes are upserts keyed by the local id; otherwise it must look on the platform first).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select

from edugateway.connectors.base import Connector, Op, WriteResult
from edugateway.domain.entities import Entity
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.errors import DataSafetyError
from edugateway.logs import get_logger
from edugateway.store.db import Database
from edugateway.store.tables import AuditRow, OutboxRow, RemoteRecordRow
from edugateway.sync.journal import RunJournal

log = get_logger(__name__)

BATCH = 200


def digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class PushAdapter(Protocol):
    """How one platform takes one entity: the records the local roster wants there, and how to send them."""

    entity: Entity
    track: str  # the RemoteRecordRow.entity name the pushed state is kept under
    upserts: bool  # True when sending a record twice leaves one copy (keyed by the local id)

    def wanted(self, snapshot: SchoolSnapshot) -> dict[str, dict[str, Any]]:
        """key -> JSON payload of every record the platform should hold."""
        ...

    def records(self, payloads: Sequence[dict[str, Any]]) -> list[Any]:
        """The connector's write records for these payloads (in order)."""
        ...


@dataclass(frozen=True)
class PushChange:
    op: str  # create, update, delete
    key: str
    payload: dict[str, Any]
    fields: dict[str, list[Any]] = field(default_factory=dict)  # changed fields: [old, new]


def plan_push(
    db: Database, school_id: int, platform: str, adapter: PushAdapter, snapshot: SchoolSnapshot
) -> list[PushChange]:
    wanted = adapter.wanted(snapshot)
    with db.session() as session:
        pushed = {
            row.remote_id: row
            for row in session.scalars(
                select(RemoteRecordRow).where(
                    RemoteRecordRow.school_id == school_id,
                    RemoteRecordRow.platform == platform,
                    RemoteRecordRow.entity == adapter.track,
                )
            )
        }
        changes: list[PushChange] = []
        for key, payload in wanted.items():
            before = pushed.get(key)
            if before is None:
                changes.append(PushChange("create", key, payload))
            elif before.digest != digest(payload):
                changes.append(PushChange("update", key, payload, _changed(before.data or {}, payload)))
        for key, row in pushed.items():
            if key not in wanted and row.data is not None:
                changes.append(PushChange("delete", key, row.data))
    return changes


def _changed(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if isinstance(a, dict) and isinstance(b, dict):
            out.update(_changed(a, b, f"{prefix}{name}."))
        elif a != b:
            out[f"{prefix}{name}"] = [a, b]
    return out


def enqueue(db: Database, journal: RunJournal, adapter: PushAdapter, changes: Sequence[PushChange]) -> None:
    """Every planned write becomes an outbox row, all in one transaction, before anything is sent. A record
    that still has an open row (a crashed or failed earlier run) keeps that one row, now with the newest
    payload: one record is never queued twice."""
    with db.session() as session:
        open_rows = {
            row.local_key: row
            for row in session.scalars(
                select(OutboxRow).where(
                    OutboxRow.school_id == journal.school_id,
                    OutboxRow.platform == journal.platform,
                    OutboxRow.entity == adapter.entity.value,
                    OutboxRow.status.in_(("pending", "sending")),
                )
            )
        }
        for change in changes:
            row = open_rows.get(change.key)
            if row is not None:
                row.op, row.payload, row.run_id = change.op, change.payload, journal.run_id
                continue
            session.add(
                OutboxRow(
                    run_id=journal.run_id,
                    school_id=journal.school_id,
                    platform=journal.platform,
                    entity=adapter.entity.value,
                    op=change.op,
                    local_key=change.key,
                    payload=change.payload,
                    status="pending",
                )
            )


OPS = {"create": Op.CREATE, "update": Op.UPDATE, "delete": Op.DELETE}
DONE = {"create": "created", "update": "updated", "delete": "deleted"}  # the journal's count for each op
MAX_ATTEMPTS = 3


async def drain(db: Database, journal: RunJournal, adapter: PushAdapter, connector: Connector) -> None:
    """Sends every open outbox row of this school, platform and entity — this run's and any a crashed run left —
    and records each result with the pushed state in one transaction per batch."""
    counts = journal.of(adapter.entity.value)
    last_id = 0  # each row is tried once per drain: a retryable failure waits for the next run
    while True:
        with db.session() as session:
            rows = list(
                session.scalars(
                    select(OutboxRow)
                    .where(
                        OutboxRow.school_id == journal.school_id,
                        OutboxRow.platform == journal.platform,
                        OutboxRow.entity == adapter.entity.value,
                        OutboxRow.status.in_(("pending", "sending")),
                        OutboxRow.id > last_id,
                    )
                    .order_by(OutboxRow.id)
                    .limit(BATCH)
                )
            )
            if not rows:
                return
            unknown = [r for r in rows if r.status == "sending"]
            if unknown and not adapter.upserts:
                raise DataSafetyError(
                    f"{len(unknown)} writes to {journal.platform} have an unknown result and the platform does not "
                    "upsert; check them on the platform before sending again"
                )
            for row in rows:
                row.status = "sending"
                row.attempts += 1
            batch = [(r.id, r.op, r.local_key, r.payload) for r in rows]
            last_id = rows[-1].id
        # Sent outside the transaction: the `sending` mark is committed first, so a crash here is visible.
        results: list[tuple[int, WriteResult, str, dict[str, Any]]] = []
        for op in ("create", "update", "delete"):
            group = [b for b in batch if b[1] == op]
            if not group:
                continue
            answers = await connector.write(adapter.entity, OPS[op], adapter.records([b[3] for b in group]))
            by_key = {a.key: a for a in answers}
            for row_id, _, key, payload in group:
                answer = by_key.get(key) or WriteResult(key, ok=False, error="the platform answered nothing for it")
                results.append((row_id, answer, op, payload))
        _record(db, journal, adapter, results)
        for _, answer, op, _ in results:
            if answer.ok:
                name = DONE[op]
                setattr(counts, name, getattr(counts, name) + 1)
            else:
                counts.failed += 1
                journal.skip(adapter.entity.value, answer.key, answer.error or "refused")
        journal.save()


def _record(
    db: Database,
    journal: RunJournal,
    adapter: PushAdapter,
    results: Sequence[tuple[int, WriteResult, str, dict[str, Any]]],
) -> None:
    now = dt.datetime.now(dt.UTC)
    with db.session() as session:
        for row_id, answer, op, payload in results:
            row = session.get(OutboxRow, row_id)
            if row is None:
                continue
            retry = answer.retryable and row.attempts < MAX_ATTEMPTS
            row.status = "done" if answer.ok else ("pending" if retry else "failed")
            row.remote_id = answer.remote_id
            row.error = answer.error
            if not answer.ok:
                continue
            state = session.scalar(
                select(RemoteRecordRow).where(
                    RemoteRecordRow.school_id == journal.school_id,
                    RemoteRecordRow.platform == journal.platform,
                    RemoteRecordRow.entity == adapter.track,
                    RemoteRecordRow.remote_id == row.local_key,
                )
            )
            if op == "delete":
                if state is not None:
                    session.delete(state)
            elif state is None:
                session.add(
                    RemoteRecordRow(
                        school_id=journal.school_id,
                        platform=journal.platform,
                        entity=adapter.track,
                        remote_id=row.local_key,
                        local_key=row.local_key,
                        digest=digest(payload),
                        data=payload,
                    )
                )
            else:
                state.digest, state.data, state.changed_at = digest(payload), payload, now
            session.add(
                AuditRow(
                    actor=f"sync:{journal.platform}",
                    action=f"push_{op}",
                    school_id=journal.school_id,
                    entity=adapter.entity.value,
                    entity_id=row.local_key,
                    changes=None,
                    reason=f"sync run {journal.run_id}",
                )
            )
