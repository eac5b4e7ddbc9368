"""The sync run log: every sync run records its school, platform, entities and directions, counts per entity,
every skipped record with its reason, the plan it made, what its pull keeps under the platform's own references
(subjects and teachers that need mapping), how long it took, and the error that ended it, if any.
One failing record never fails a run; a platform outage fails it with the reason. (The table is `sync_runs`.)

A run's status: running; then done (everything asked was done), partial (done, but some records were refused
or skipped, each with its reason), failed (an outage, a refusal of every write, a database conflict: the error
says which), on_hold (waits for --approve), approved (a hold someone released), stopped (a stopping scheduler
ended it after a whole pull window), interrupted (its process was stopped mid-run) or abandoned (its process
died; the next run of the school and platform found it, under their lease, and marked it).
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sqlalchemy import select

from edugateway.errors import DataSafetyError, StoreError
from edugateway.store.db import Database
from edugateway.store.needs_mapping import NeedsMapping
from edugateway.store.tables import SchoolRow, SyncRunRow

MAX_SKIPS_KEPT = 10_000  # beyond this a run keeps the count, not every reason


@dataclass
class EntityCounts:
    read: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    linked: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0


@dataclass
class SyncRunLog:
    """One run being recorded. `save()` writes what is known so far; `finish()` closes it."""

    db: Database
    run_id: int
    school_id: int
    platform: str
    counts: dict[str, EntityCounts] = field(default_factory=dict)
    skips: list[dict[str, str]] = field(default_factory=list)
    started: float = 0.0
    needs_mapping: NeedsMapping | None = None  # set by a pull, once it has stored what it read

    @classmethod
    def start(
        cls,
        db: Database,
        school_code: str,
        platform: str,
        directions: Mapping[str, str],
        *,
        dry_run: bool = False,
    ) -> SyncRunLog:
        with db.session() as session:
            school_id = session.scalar(select(SchoolRow.id).where(SchoolRow.code == school_code))
            if school_id is None:
                raise StoreError(f"no school {school_code!r} in the local database; import it first")
            row = SyncRunRow(
                school_id=school_id,
                platform=platform,
                entities=list(directions),
                directions=dict(directions),
                dry_run=dry_run,
                status="running",
            )
            session.add(row)
            session.flush()
            return cls(db, row.id, school_id, platform, started=dt.datetime.now(dt.UTC).timestamp())

    def of(self, entity: str) -> EntityCounts:
        return self.counts.setdefault(entity, EntityCounts())

    def skip(self, entity: str, record_id: str, reason: str) -> None:
        self.of(entity).skipped += 1
        if len(self.skips) < MAX_SKIPS_KEPT:
            self.skips.append({"entity": entity, "id": record_id, "reason": reason})

    def skip_all(self, entity: str, skipped: Sequence[Any]) -> None:
        """Records a connector's `skipped` list (records it could not map)."""
        for item in skipped:
            self.skip(entity, str(item.remote_id), str(item.reason))

    def save(self, *, status: str | None = None, plan: dict[str, Any] | None = None, error: str | None = None) -> None:
        with self.db.session() as session:
            row = session.get(SyncRunRow, self.run_id)
            if row is None:
                raise StoreError(f"sync run {self.run_id} vanished from the run log")
            row.counts = {entity: asdict(c) for entity, c in self.counts.items()}
            row.skipped = list(self.skips)
            if self.needs_mapping is not None:
                row.needs_mapping = self.needs_mapping.as_json()
            if plan is not None:
                row.plan = plan
            if status is not None:
                row.status = status
            if error is not None:
                row.error = error
            if status is not None and status != "running":
                row.finished_at = dt.datetime.now(dt.UTC)

    def finish(self, status: str = "done", *, error: str | None = None, plan: dict[str, Any] | None = None) -> None:
        self.save(status=status, error=error, plan=plan)

    def approve(self, run_id: int) -> None:
        """Releases run `run_id` of this school and platform from its safety hold, in the name of this run."""
        with self.db.session() as session:
            held = session.get(SyncRunRow, run_id)
            if held is None or held.school_id != self.school_id or held.platform != self.platform:
                raise DataSafetyError(f"run {run_id} is not a run of this school and platform; nothing to approve")
            if held.status != "on_hold":
                raise DataSafetyError(f"run {run_id} is {held.status}, not on hold; nothing to approve")
            held.status = "approved"
            held.approved_by = f"{getpass.getuser()} in run {self.run_id}"
            held.finished_at = held.finished_at or dt.datetime.now(dt.UTC)


def abandon_running(db: Database, school_code: str, platform: str, *, found_by: str) -> list[int]:
    """Marks every run of this school and platform still `running` abandoned, and returns their ids. Called only
    by a process that holds the school and platform's lease (store/run_lease.py): no live run can be running then."""
    with db.session() as session:
        rows = list(
            session.scalars(
                select(SyncRunRow)
                .join(SchoolRow, SchoolRow.id == SyncRunRow.school_id)
                .where(SchoolRow.code == school_code, SyncRunRow.platform == platform, SyncRunRow.status == "running")
            )
        )
        for row in rows:
            row.status = "abandoned"
            row.error = f"its process ended without finishing the run (killed, or its machine stopped); {found_by}"
            row.finished_at = dt.datetime.now(dt.UTC)
        return [row.id for row in rows]


@dataclass
class Tally:
    """What one pull window did, kept apart from the run log until the window is committed, so a window that
    rolls back is not counted twice when the rerun redoes it."""

    counts: dict[str, EntityCounts] = field(default_factory=dict)
    skips: list[tuple[str, str, str]] = field(default_factory=list)  # (entity, remote id, reason)

    def of(self, entity: str) -> EntityCounts:
        return self.counts.setdefault(entity, EntityCounts())

    def skip(self, entity: str, remote_id: str, reason: str) -> None:
        self.skips.append((entity, remote_id, reason))

    def merge_into(self, run_log: SyncRunLog) -> None:
        for entity, counts in self.counts.items():
            total = run_log.of(entity)
            for f in fields(EntityCounts):
                setattr(total, f.name, getattr(total, f.name) + getattr(counts, f.name))
        for entity, remote_id, reason in self.skips:
            run_log.skip(entity, remote_id, reason)


@dataclass(frozen=True)
class SyncRunRecord:
    """A sync run as the run log holds it."""

    id: int
    school_id: int
    platform: str
    entities: list[str]
    directions: dict[str, str]
    dry_run: bool
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    counts: dict[str, Any] | None
    skipped: list[Any] | None
    plan: dict[str, Any] | None
    needs_mapping: dict[str, Any] | None
    error: str | None
    approved_by: str | None


def _record(row: SyncRunRow) -> SyncRunRecord:
    return SyncRunRecord(
        id=row.id,
        school_id=row.school_id,
        platform=row.platform,
        entities=row.entities,
        directions=row.directions,
        dry_run=row.dry_run,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        counts=row.counts,
        skipped=row.skipped,
        plan=row.plan,
        needs_mapping=row.needs_mapping,
        error=row.error,
        approved_by=row.approved_by,
    )


def sync_run(db: Database, run_id: int) -> SyncRunRecord | None:
    with db.session() as session:
        row = session.get(SyncRunRow, run_id)
        return _record(row) if row is not None else None


def recent_sync_runs(db: Database, *, school: str | None = None, limit: int = 20) -> list[SyncRunRecord]:
    """The latest runs, newest first; of one school's code when `school` is given."""
    with db.session() as session:
        query = select(SyncRunRow).order_by(SyncRunRow.id.desc()).limit(limit)
        if school:
            query = query.join(SchoolRow, SchoolRow.id == SyncRunRow.school_id).where(SchoolRow.code == school)
        return [_record(row) for row in session.scalars(query)]
