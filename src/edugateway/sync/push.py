"""Pushes through a durable outbox.

What a platform holds of a pushed entity is tracked as what the gateway last pushed there (store/outbox.py: key,
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

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from edugateway.connectors.base import Connector, Op, WriteResult
from edugateway.domain.entities import Entity
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.logs import get_logger
from edugateway.store.db import Database
from edugateway.store.outbox import (
    OutboxScope,
    QueuedWrite,
    WriteOutcome,
    claim_batch,
    pushed_state,
    queue_writes,
    record_outcomes,
)
from edugateway.store.sync_run_log import SyncRunLog

log = get_logger(__name__)

BATCH = 200


def digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class PushAdapter(Protocol):
    """How one platform takes one entity: the records the local roster wants there, and how to send them."""

    entity: Entity
    track: str  # the entity name the pushed state is kept under (store/outbox.py)
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
    pushed = pushed_state(db, school_id, platform, adapter.track)
    changes: list[PushChange] = []
    for key, payload in wanted.items():
        before = pushed.get(key)
        if before is None:
            changes.append(PushChange("create", key, payload))
        elif before.digest != digest(payload):
            changes.append(PushChange("update", key, payload, _changed(before.data or {}, payload)))
    for key, state in pushed.items():
        if key not in wanted and state.data is not None:
            changes.append(PushChange("delete", key, state.data))
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


def _scope(run_log: SyncRunLog, adapter: PushAdapter) -> OutboxScope:
    return OutboxScope(run_log.school_id, run_log.platform, adapter.entity.value, adapter.track)


def enqueue(db: Database, run_log: SyncRunLog, adapter: PushAdapter, changes: Sequence[PushChange]) -> None:
    """Every planned write becomes an outbox row, all in one transaction, before anything is sent. A record
    that still has an open row (a crashed or failed earlier run) keeps that one row, now with the newest
    payload: one record is never queued twice."""
    writes = [QueuedWrite(change.op, change.key, change.payload) for change in changes]
    queue_writes(db, _scope(run_log, adapter), run_log.run_id, writes)


OPS = {"create": Op.CREATE, "update": Op.UPDATE, "delete": Op.DELETE}
DONE = {"create": "created", "update": "updated", "delete": "deleted"}  # the run log's count for each op


async def drain(db: Database, run_log: SyncRunLog, adapter: PushAdapter, connector: Connector) -> None:
    """Sends every open outbox row of this school, platform and entity — this run's and any a crashed run left —
    and records each result with the pushed state in one transaction per batch."""
    counts = run_log.of(adapter.entity.value)
    scope = _scope(run_log, adapter)
    last_id = 0  # each row is tried once per drain: a retryable failure waits for the next run
    while True:
        # A write whose result is unknown (a crashed run) is sent again only where that cannot double a record.
        batch = claim_batch(db, scope, after_id=last_id, limit=BATCH, resend_unknown=adapter.upserts)
        if not batch:
            return
        last_id = batch[-1].row_id
        # Sent outside the transaction: the `sending` mark is committed first, so a crash here is visible.
        results: list[tuple[int, WriteResult, str, dict[str, Any]]] = []
        for op in ("create", "update", "delete"):
            group = [b for b in batch if b.op == op]
            if not group:
                continue
            answers = await connector.write(adapter.entity, OPS[op], adapter.records([b.payload for b in group]))
            by_key = {a.key: a for a in answers}
            for write in group:
                answer = by_key.get(write.key) or WriteResult(
                    write.key, ok=False, error="the platform answered nothing for it"
                )
                results.append((write.row_id, answer, op, write.payload))
        _record(db, run_log, adapter, results)
        for _, answer, op, _ in results:
            if answer.ok:
                name = DONE[op]
                setattr(counts, name, getattr(counts, name) + 1)
            else:
                counts.failed += 1
                run_log.skip(adapter.entity.value, answer.key, answer.error or "refused")
        run_log.save()


def _record(
    db: Database,
    run_log: SyncRunLog,
    adapter: PushAdapter,
    results: Sequence[tuple[int, WriteResult, str, dict[str, Any]]],
) -> None:
    outcomes = [
        WriteOutcome(
            row_id=row_id,
            op=op,
            payload=payload,
            digest=digest(payload),
            ok=answer.ok,
            retryable=answer.retryable,
            remote_id=answer.remote_id,
            error=answer.error,
        )
        for row_id, answer, op, payload in results
    ]
    record_outcomes(db, _scope(run_log, adapter), run_log.run_id, outcomes)
