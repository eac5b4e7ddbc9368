"""The push outbox on both backends: a conditional claim (a second claimer never gets the first one's rows), rows
a dead run left `sending` queued again while a live run's stay its own, one row per record (a failed row queued
again by the next plan of its record, superseded when the record is no longer owed or a later write landed),
and what is still owed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import event, select

from edugateway.store.db import Database
from edugateway.store.outbox import (
    ClaimedWrite,
    FailedWrite,
    OutboxScope,
    QueuedWrite,
    WriteOutcome,
    claim_batch,
    owed_writes,
    pending_writes,
    queue_writes,
    record_outcomes,
    requeue_unknown,
    unknown_writes,
)
from edugateway.store.tables import OutboxRow, RemoteRecordRow, SchoolRow, SyncRunRow


@pytest.fixture
def scope(database: Database) -> OutboxScope:
    with database.session() as session:
        school = SchoolRow(code="s1", name="Школа № 1")
        session.add(school)
        session.flush()
        return OutboxScope(school.id, "ecp", "persons", "contingent")


def new_run(db: Database, scope: OutboxScope, status: str = "running") -> int:
    with db.session() as session:
        row = SyncRunRow(
            school_id=scope.school_id, platform=scope.platform, entities=["persons"], directions={}, status=status
        )
        session.add(row)
        session.flush()
        return row.id


def end_run(db: Database, run_id: int, status: str) -> None:
    with db.session() as session:
        row = session.get(SyncRunRow, run_id)
        assert row is not None
        row.status = status


def writes(*keys: str, version: int = 1) -> list[QueuedWrite]:
    return [QueuedWrite("create", key, {"id": key, "version": version}) for key in keys]


def rows(db: Database) -> list[tuple[str, str, int, int | None]]:
    """(key, status, attempts, claimed_by) of every outbox row, oldest first."""
    with db.session() as session:
        return [
            (r.local_key, r.status, r.attempts, r.claimed_by)
            for r in session.scalars(select(OutboxRow).order_by(OutboxRow.id))
        ]


def answer(db: Database, scope: OutboxScope, run_id: int, claimed: Sequence[ClaimedWrite], **how: Any) -> None:
    """Records the same answer for every claimed write."""
    outcomes = [WriteOutcome(row_id=c.row_id, op=c.op, payload=c.payload, digest="d", **how) for c in claimed]
    record_outcomes(db, scope, run_id, outcomes)


def test_a_second_claimer_gets_none_of_the_first_claimers_rows(database: Database, scope: OutboxScope) -> None:
    first, second = new_run(database, scope), new_run(database, scope)
    queue_writes(database, scope, first, writes("a", "b", "c", "d", "e"))
    mine = claim_batch(database, scope, first, limit=3)
    theirs = claim_batch(database, scope, second, limit=10)
    assert [w.key for w in mine] == ["a", "b", "c"]
    assert [w.key for w in theirs] == ["d", "e"]
    assert claim_batch(database, scope, first, limit=10) == []  # nothing pending is left to anyone
    assert rows(database) == [
        ("a", "sending", 1, first),
        ("b", "sending", 1, first),
        ("c", "sending", 1, first),
        ("d", "sending", 1, second),
        ("e", "sending", 1, second),
    ]


def test_two_claimers_that_read_the_same_pending_rows_never_both_claim_one(
    database: Database, scope: OutboxScope
) -> None:
    """The second claimer has read the rows as pending when the first claims and commits them: its UPDATE, which
    takes only rows still pending, then changes none of them, and it sends none."""
    first, second = new_run(database, scope), new_run(database, scope)
    queue_writes(database, scope, first, writes("a", "b", "c"))
    taken: list[str] = []
    hooked: list[bool] = []

    def first_claims_in_between(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE SYNC_OUTBOX") and not hooked:
            hooked.append(True)  # once: the first claimer's own UPDATE passes through
            taken.extend(w.key for w in claim_batch(database, scope, first, limit=2))

    event.listen(database.engine, "before_cursor_execute", first_claims_in_between)
    try:
        theirs = claim_batch(database, scope, second, limit=10)
    finally:
        event.remove(database.engine, "before_cursor_execute", first_claims_in_between)
    assert taken == ["a", "b"]
    assert [w.key for w in theirs] == ["c"]
    assert [(key, status, by) for key, status, _, by in rows(database)] == [
        ("a", "sending", first),
        ("b", "sending", first),
        ("c", "sending", second),
    ]


def test_rows_a_dead_run_left_sending_are_queued_again_and_a_live_runs_are_left_alone(
    database: Database, scope: OutboxScope
) -> None:
    dead, live, finished = new_run(database, scope), new_run(database, scope), new_run(database, scope)
    queue_writes(database, scope, dead, writes("a", "b", "c", "d"))
    claim_batch(database, scope, dead, limit=2)
    claim_batch(database, scope, live, limit=1)
    claim_batch(database, scope, finished, limit=1)
    end_run(database, dead, "abandoned")
    end_run(database, finished, "failed")
    assert unknown_writes(database, scope) == 3
    assert requeue_unknown(database, scope) == 3
    assert unknown_writes(database, scope) == 0
    assert rows(database) == [
        ("a", "pending", 1, dead),
        ("b", "pending", 1, dead),
        ("c", "sending", 1, live),
        ("d", "pending", 1, finished),
    ]
    now = new_run(database, scope)
    assert [w.key for w in claim_batch(database, scope, now, limit=10)] == ["a", "b", "d"]


def test_a_failed_row_is_queued_again_by_the_next_plan_of_its_record(database: Database, scope: OutboxScope) -> None:
    first = new_run(database, scope)
    queue_writes(database, scope, first, writes("a"))
    answer(database, scope, first, claim_batch(database, scope, first, limit=5), ok=False, error="СНИЛС неверен")
    end_run(database, first, "done")
    assert rows(database) == [("a", "failed", 1, first)]

    second = new_run(database, scope)
    queue_writes(database, scope, second, writes("a", version=2))
    with database.session() as session:
        row = session.scalars(select(OutboxRow)).one()
        assert (row.status, row.attempts, row.error, row.run_id) == ("pending", 0, None, second)
        assert row.payload == {"id": "a", "version": 2}


def test_rows_of_records_the_plan_no_longer_holds_are_superseded(database: Database, scope: OutboxScope) -> None:
    first = new_run(database, scope)
    queue_writes(database, scope, first, writes("refused", "unsent", "taken"))
    claimed = claim_batch(database, scope, first, limit=5)
    refused, unsent, taken = claimed
    answer(database, scope, first, [refused], ok=False, error="refused")
    answer(database, scope, first, [unsent], ok=False, retryable=True, error="HTTP 503")
    answer(database, scope, first, [taken], ok=True, remote_id="taken")
    end_run(database, first, "failed")

    second = new_run(database, scope)
    queue_writes(database, scope, second, [])
    assert [(key, status) for key, status, *_ in rows(database)] == [
        ("refused", "superseded"),
        ("unsent", "superseded"),
        ("taken", "done"),
    ]
    assert owed_writes(database, scope.school_id, scope.platform) == []


def test_a_landed_write_supersedes_an_older_failed_row_of_its_record(database: Database, scope: OutboxScope) -> None:
    run = new_run(database, scope)
    with database.session() as session:  # two rows of one record, as runs before migration 0007 left them
        for status in ("failed", "pending"):
            session.add(
                OutboxRow(
                    run_id=run,
                    school_id=scope.school_id,
                    platform=scope.platform,
                    entity=scope.entity,
                    op="create",
                    local_key="a",
                    payload={"id": "a"},
                    status=status,
                    attempts=3 if status == "failed" else 0,
                )
            )
    answer(database, scope, run, claim_batch(database, scope, run, limit=5), ok=True, remote_id="a")
    assert [status for _, status, *_ in rows(database)] == ["superseded", "done"]
    with database.session() as session:
        assert session.scalars(select(RemoteRecordRow.remote_id)).all() == ["a"]


def test_a_retryable_answer_never_makes_a_row_give_up(database: Database, scope: OutboxScope) -> None:
    for _ in range(5):
        run = new_run(database, scope)
        queue_writes(database, scope, run, writes("a"))
        answer(database, scope, run, claim_batch(database, scope, run, limit=5), ok=False, retryable=True, error="503")
        end_run(database, run, "failed")
    assert rows(database) == [("a", "pending", 5, run)]
    assert pending_writes(database, scope) == 1


def test_one_row_per_record_after_any_runs(database: Database, scope: OutboxScope) -> None:
    """Runs that refuse, fail to take, and land writes of the same records in turn never leave two rows of one
    record that are neither done nor superseded."""
    answers = [
        {"ok": False, "error": "refused"},
        {"ok": False, "retryable": True, "error": "503"},
        {"ok": True, "remote_id": "x"},
    ]
    for n in range(6):
        run = new_run(database, scope)
        queue_writes(database, scope, run, writes(*("abc"[: 1 + n % 3]), version=n))
        claimed = claim_batch(database, scope, run, limit=10)
        for i, write in enumerate(claimed):
            answer(database, scope, run, [write], **answers[(n + i) % 3])
        end_run(database, run, "done")
        owing: dict[str, int] = {}
        for key, status, *_ in rows(database):
            if status not in ("done", "superseded"):
                owing[key] = owing.get(key, 0) + 1
        assert all(count == 1 for count in owing.values()), owing


def test_owed_writes_counts_exactly_and_lists_a_few_failed_rows(database: Database, scope: OutboxScope) -> None:
    old, live = new_run(database, scope), new_run(database, scope)
    keys = [f"p{n:02}" for n in range(30)]
    queue_writes(database, scope, old, writes(*keys))
    refused = claim_batch(database, scope, old, limit=25)
    answer(database, scope, old, refused, ok=False, error="column snils: СНИЛС неверен")
    claim_batch(database, scope, live, limit=2)
    owed = owed_writes(database, scope.school_id, scope.platform, listed=20)
    assert len(owed) == 1
    persons = owed[0]
    assert (persons.entity, persons.pending, persons.sending, persons.failed) == ("persons", 3, {live: 2}, 25)
    assert persons.failed_rows[0] == FailedWrite("p00", "create", "column snils: СНИЛС неверен")
    assert [f.key for f in persons.failed_rows] == keys[:20]
    assert owed_writes(database, scope.school_id, "dnevnik") == []
