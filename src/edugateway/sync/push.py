"""Pushes through a durable outbox.

What a platform holds of a pushed entity is tracked as what the gateway last pushed there (store/outbox.py: key,
digest, the record): an upload-only service such as ЕЦП's edu-upload cannot be read back. The plan compares the
records the local roster wants on the platform with that: never pushed → create; changed → update; pushed but
no longer wanted → delete.

Applying: the plan becomes outbox rows (one per record) in one transaction before any request is sent. The
executor claims a batch (a conditional claim: two processes never send one row), sends it, and records each
result in one transaction. A record the platform refuses for a reason of its own fails alone and the run goes
on. When the platform itself fails (an outage, 5xx, 429 after retries, a timeout), what landed is recorded,
the rest stays queued, and the run fails with a ConnectorError, as it does when a read fails. Rows a dead run
left `sending` have an unknown result: they are sent again only where that cannot double a record (the adapter
says whether its writes are upserts keyed by the local id); otherwise the push stops for a person to check.
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
from edugateway.errors import ConnectorError, DataSafetyError
from edugateway.logs import get_logger
from edugateway.store.db import Database
from edugateway.store.outbox import (
    ClaimedWrite,
    OutboxScope,
    QueuedWrite,
    WriteOutcome,
    claim_batch,
    pending_writes,
    pushed_state,
    queue_writes,
    record_outcomes,
    requeue_unknown,
    unknown_writes,
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
    """The whole plan of this adapter becomes outbox rows, all in one transaction, before anything is sent: one
    row per record (a record's failed or unsent row is queued again with the newest payload), and rows of
    records the plan no longer holds are superseded (store/outbox.py)."""
    writes = [QueuedWrite(change.op, change.key, change.payload) for change in changes]
    queue_writes(db, _scope(run_log, adapter), run_log.run_id, writes)


OPS = {"create": Op.CREATE, "update": Op.UPDATE, "delete": Op.DELETE}
DONE = {"create": "created", "update": "updated", "delete": "deleted"}  # the run log's count for each op
NOT_SENT = "not sent: the platform failed earlier in this batch"

Result = tuple[int, WriteResult, str, dict[str, Any]]  # row id, the answer, op, payload


async def drain(db: Database, run_log: SyncRunLog, adapter: PushAdapter, connector: Connector) -> None:
    """Sends every pending outbox row of this school, platform and entity — this run's, and any an earlier run
    left — and records each result with the pushed state in one transaction per batch.

    Raises DataSafetyError when a dead run left writes with an unknown result and the adapter does not upsert;
    raises ConnectorError when the platform fails, after recording what landed (the rest stays queued)."""
    counts = run_log.of(adapter.entity.value)
    scope = _scope(run_log, adapter)
    if adapter.upserts:
        requeued = requeue_unknown(db, scope)
        if requeued:
            log.warning("outbox writes with an unknown result queued again", entity=scope.entity, requeued=requeued)
    elif unknown := unknown_writes(db, scope):
        raise DataSafetyError(
            f"{unknown} writes to {scope.platform} have an unknown result and the platform does not "
            "upsert; check them on the platform before sending again"
        )
    landed = 0
    while True:
        # Rows another live run claimed are not in the batch; an empty claim leaves the rest to that run.
        batch = claim_batch(db, scope, run_log.run_id, limit=BATCH)
        if not batch:
            return
        results, failure = await _send(adapter, connector, batch)
        _record(db, run_log, adapter, results)
        for _, answer, op, _ in results:
            if answer.ok:
                landed += 1
                name = DONE[op]
                setattr(counts, name, getattr(counts, name) + 1)
            elif not answer.retryable:
                counts.failed += 1
                run_log.skip(adapter.entity.value, answer.key, answer.error or "refused")
        run_log.save()
        if failure is not None:
            unsure = len(batch) - len(results)  # a request that failed without answering per record
            doubt = f", {unsure} have an unknown result" if unsure else ""
            raise ConnectorError(
                f"pushing {scope.entity} to {scope.platform} failed: {failure}; {landed} writes landed, "
                f"{pending_writes(db, scope)} are queued for the next run{doubt}"
            )


async def _send(
    adapter: PushAdapter, connector: Connector, batch: Sequence[ClaimedWrite]
) -> tuple[list[Result], str | None]:
    """Sends the batch op by op, outside any transaction (the claim is committed first, so a crash here is
    visible). Returns the answers and, when the platform failed, the first error; nothing is sent after it."""
    results: list[Result] = []
    failure: str | None = None
    for op in ("create", "update", "delete"):
        group = [b for b in batch if b.op == op]
        if not group:
            continue
        if failure is not None:
            results += [
                (b.row_id, WriteResult(b.key, ok=False, error=NOT_SENT, retryable=True), op, b.payload) for b in group
            ]
            continue
        try:
            answers = await connector.write(adapter.entity, OPS[op], adapter.records([b.payload for b in group]))
        except ConnectorError as exc:
            # No answer per record: what this request did is unknown, so its rows stay `sending` under this
            # run, which fails; the next run treats them as it treats a crashed run's.
            failure = str(exc)
            continue
        by_key = {a.key: a for a in answers}
        for write in group:
            answer = by_key.get(write.key) or WriteResult(
                write.key, ok=False, error="the platform answered nothing for it"
            )
            results.append((write.row_id, answer, op, write.payload))
            if answer.retryable and failure is None:
                failure = answer.error or "the platform failed"
    return results, failure


def _record(
    db: Database,
    run_log: SyncRunLog,
    adapter: PushAdapter,
    results: Sequence[Result],
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
