"""Draining the push outbox against a fake upload service, on both backends: a platform outage fails the push
after recording what landed (the rest stays queued and never gives up), a record the platform refuses fails
alone, writes a dead run left with an unknown result are sent again only where that cannot double a record,
and a live run's writes are never touched."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select
from structlog.testing import capture_logs

from edugateway.connectors.base import Op, WriteResult
from edugateway.domain.entities import Entity
from edugateway.domain.models import School
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.errors import ConnectorError, DataSafetyError, PlatformUnavailable
from edugateway.store.db import Database
from edugateway.store.outbox import (
    OutboxScope,
    QueuedWrite,
    claim_batch,
    owed_writes,
    queue_writes,
    unknown_writes,
)
from edugateway.store.sync_run_log import SyncRunLog
from edugateway.store.tables import OutboxRow, SchoolRow, SyncRunRow
from edugateway.sync.push import drain, enqueue, plan_push

SNAPSHOT = SchoolSnapshot(school=School(code="s1", name="Школа № 1"))
OUTAGE = "[ecp] HTTP 503: технические работы; the platform is failing, retry later"


@dataclass
class Roster:
    """A push adapter for tests: the records it wants are set by the test; a record is its payload."""

    people: dict[str, dict[str, Any]]
    upserts: bool = True
    entity: Entity = Entity.PERSONS
    track: str = "roster"

    def wanted(self, snapshot: SchoolSnapshot) -> dict[str, dict[str, Any]]:
        return dict(self.people)

    def records(self, payloads: Sequence[dict[str, Any]]) -> list[Any]:
        return list(payloads)


@dataclass
class Upload:
    """An upload service that lands records until `budget` runs out, then fails like an outage; `refuse` names
    records it refuses for a reason of their own; `raising` fails whole requests without an answer per record."""

    budget: int | None = None  # records that land before the outage; None: no outage
    refuse: dict[str, str] = field(default_factory=dict)
    raising: bool = False
    platform: str = "ecp"
    held: dict[str, dict[str, Any]] = field(default_factory=dict)
    landed: Counter[str] = field(default_factory=Counter)
    asked: list[tuple[Op, list[str]]] = field(default_factory=list)

    async def write(self, entity: Entity, op: Op, records: Sequence[Any]) -> list[WriteResult]:
        self.asked.append((op, [r["id"] for r in records]))
        if self.raising:
            raise PlatformUnavailable("HTTP 503", platform=self.platform)
        answers = []
        for record in records:
            key = record["id"]
            if key in self.refuse:
                answers.append(WriteResult(key, ok=False, error=self.refuse[key]))
            elif self.budget is not None and self.budget <= 0:
                answers.append(WriteResult(key, ok=False, error=OUTAGE, retryable=True))
            else:
                if self.budget is not None:
                    self.budget -= 1
                if op is Op.DELETE:
                    self.held.pop(key, None)
                else:
                    self.held[key] = record
                self.landed[key] += 1
                answers.append(WriteResult(key, ok=True, remote_id=key))
        return answers


@pytest.fixture
def db(database: Database) -> Database:
    with database.session() as session:
        session.add(SchoolRow(code="s1", name="Школа № 1"))
    return database


def people(n: int) -> dict[str, dict[str, Any]]:
    return {f"p{i:04}": {"id": f"p{i:04}", "class": "5А"} for i in range(n)}


async def run(db: Database, adapter: Roster, upload: Upload) -> SyncRunLog:
    """One run's push as the engine makes it: plan, queue, drain; a ConnectorError or DataSafetyError fails it."""
    run_log = SyncRunLog.start(db, "s1", "ecp", {"persons": "push"})
    enqueue(db, run_log, adapter, plan_push(db, run_log.school_id, "ecp", adapter, SNAPSHOT))
    try:
        await drain(db, run_log, adapter, upload)  # type: ignore[arg-type]
    except (ConnectorError, DataSafetyError) as exc:
        run_log.finish("failed", error=str(exc))
        raise
    run_log.finish("done")
    return run_log


def statuses(db: Database) -> Counter[str]:
    with db.session() as session:
        return Counter(dict(session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all()))


def scope(db: Database, adapter: Roster) -> OutboxScope:
    with db.session() as session:
        school_id = session.scalars(select(SchoolRow.id)).one()
    return OutboxScope(school_id, "ecp", adapter.entity.value, adapter.track)


def other_run(db: Database, status: str = "running") -> int:
    with db.session() as session:
        row = SyncRunRow(
            school_id=session.scalars(select(SchoolRow.id)).one(),
            platform="ecp",
            entities=["persons"],
            directions={},
            status=status,
        )
        session.add(row)
        session.flush()
        return row.id


def queued_by(db: Database, run_id: int, adapter: Roster) -> None:
    writes = [QueuedWrite("create", key, payload) for key, payload in adapter.people.items()]
    queue_writes(db, scope(db, adapter), run_id, writes)


def set_status(db: Database, run_id: int, status: str) -> None:
    with db.session() as session:
        row = session.get(SyncRunRow, run_id)
        assert row is not None
        row.status = status


async def test_an_outage_fails_the_push_after_recording_what_landed(db: Database) -> None:
    adapter, upload = Roster(people(524)), Upload(budget=180)
    with pytest.raises(ConnectorError) as raised:
        await run(db, adapter, upload)
    assert str(raised.value) == (
        f"pushing persons to ecp failed: {OUTAGE}; 180 writes landed, 344 are queued for the next run"
    )
    assert statuses(db) == {"done": 180, "pending": 344}
    assert len(upload.asked) == 1  # nothing more is sent once the platform failed
    with db.session() as session:
        failed_run = session.scalars(select(SyncRunRow)).one()
        assert failed_run.status == "failed"
        assert failed_run.counts == {
            "persons": {
                "read": 0,
                "created": 180,
                "updated": 0,
                "deleted": 0,
                "linked": 0,
                "unchanged": 0,
                "skipped": 0,
                "failed": 0,
            }
        }
        attempts = Counter(session.scalars(select(OutboxRow.attempts).where(OutboxRow.status == "pending")))
    assert attempts == {1: 20, 0: 324}  # the rest of the batch was tried once; the others not yet


async def test_three_outage_runs_then_a_good_run_push_every_record_once(db: Database) -> None:
    adapter = Roster(people(450))
    upload = Upload(budget=0)
    for budget in (0, 130, 70):  # down from the start, then lands a part before going down again
        upload.budget = budget
        with pytest.raises(ConnectorError, match="are queued for the next run"):
            await run(db, adapter, upload)
    upload.budget = None
    await run(db, adapter, upload)
    assert upload.held == adapter.people
    assert set(upload.landed.values()) == {1}
    assert statuses(db) == {"done": 450}
    with db.session() as session:
        assert session.scalar(select(func.count(func.distinct(OutboxRow.local_key)))) == 450
        assert [r.status for r in session.scalars(select(SyncRunRow).order_by(SyncRunRow.id))] == [
            "failed",
            "failed",
            "failed",
            "done",
        ]
    upload.asked.clear()
    await run(db, adapter, upload)
    assert upload.asked == []


async def test_a_refused_record_fails_alone_then_is_queued_again_by_the_next_plan_of_it(db: Database) -> None:
    adapter = Roster(people(5))
    upload = Upload(refuse={"p0002": "column snils: СНИЛС неверен: контрольное число"})
    first = await run(db, adapter, upload)
    assert statuses(db) == {"done": 4, "failed": 1}
    assert first.counts["persons"].failed == 1
    assert first.skips == [{"entity": "persons", "id": "p0002", "reason": upload.refuse["p0002"]}]
    with db.session() as session:
        row_id = session.scalars(select(OutboxRow.id).where(OutboxRow.status == "failed")).one()

    upload.refuse.clear()
    adapter.people["p0002"]["class"] = "5Б"  # the record was fixed
    await run(db, adapter, upload)
    assert statuses(db) == {"done": 5}
    with db.session() as session:
        row = session.get(OutboxRow, row_id)
        assert row is not None
        assert (row.status, row.attempts, row.payload["class"]) == ("done", 1, "5Б")
    assert upload.held["p0002"]["class"] == "5Б"


async def test_a_record_no_longer_wanted_supersedes_its_failed_row(db: Database) -> None:
    adapter = Roster(people(3))
    await run(db, adapter, Upload(refuse={"p0001": "refused"}))
    del adapter.people["p0001"]
    await run(db, adapter, Upload())
    assert statuses(db) == {"done": 2, "superseded": 1}
    assert owed_writes(db, scope(db, adapter).school_id, "ecp") == []


async def test_a_dead_runs_writes_are_sent_again_and_a_live_runs_are_never(db: Database) -> None:
    adapter, upload = Roster(people(6)), Upload()
    dead, live = other_run(db), other_run(db)
    queued_by(db, dead, adapter)
    dead_claimed = claim_batch(db, scope(db, adapter), dead, limit=2)
    live_claimed = claim_batch(db, scope(db, adapter), live, limit=2)
    set_status(db, dead, "abandoned")

    with capture_logs() as logs:
        await run(db, adapter, upload)
    assert {w.key for w in dead_claimed} <= set(upload.held)
    assert not {w.key for w in live_claimed} & set(upload.landed)
    assert sum(upload.landed.values()) == 4
    assert statuses(db) == {"done": 4, "sending": 2}
    requeued = [e for e in logs if e["event"] == "outbox writes with an unknown result queued again"]
    assert [e["requeued"] for e in requeued] == [2]


async def test_writes_with_an_unknown_result_stop_a_platform_that_does_not_upsert(db: Database) -> None:
    adapter, upload = Roster(people(4), upserts=False), Upload()
    first = other_run(db)
    queued_by(db, first, adapter)
    claim_batch(db, scope(db, adapter), first, limit=1)
    # While the run that claimed it is running, its row is that process's: not a write with an unknown result.
    await run(db, adapter, upload)
    assert sum(upload.landed.values()) == 3

    set_status(db, first, "abandoned")
    upload.asked.clear()
    with pytest.raises(DataSafetyError, match="1 writes to ecp have an unknown result"):
        await run(db, adapter, upload)
    assert upload.asked == []
    assert unknown_writes(db, scope(db, adapter)) == 1


async def test_a_request_that_fails_without_an_answer_leaves_its_writes_unknown(db: Database) -> None:
    adapter = Roster(people(3))
    await run(db, adapter, Upload())
    del adapter.people["p0000"]  # a delete ...
    adapter.people["p0003"] = {"id": "p0003", "class": "5А"}  # ... and a create in one batch
    upload = Upload(raising=True)
    with pytest.raises(ConnectorError) as raised:
        await run(db, adapter, upload)
    assert "1 are queued for the next run, 1 have an unknown result" in str(raised.value)
    assert upload.asked == [(Op.CREATE, ["p0003"])]  # creates first; the delete was not sent after the failure
    assert statuses(db) == {"done": 3, "sending": 1, "pending": 1}
    assert unknown_writes(db, scope(db, adapter)) == 1  # the failed run is no longer running
