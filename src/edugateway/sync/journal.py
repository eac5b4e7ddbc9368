"""The run journal: every sync run records its school, platform, entities and directions, counts per entity,
every skipped record with its reason, the plan it made, how long it took, and the error that ended it, if any.
One failing record never fails a run; a platform outage fails it with the reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select

from edugateway.errors import StoreError
from edugateway.store.db import Database
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
class RunJournal:
    """One run being recorded. `save()` writes what is known so far; `finish()` closes it."""

    db: Database
    run_id: int
    school_id: int
    platform: str
    counts: dict[str, EntityCounts] = field(default_factory=dict)
    skips: list[dict[str, str]] = field(default_factory=list)
    started: float = 0.0

    @classmethod
    def start(
        cls,
        db: Database,
        school_code: str,
        platform: str,
        directions: Mapping[str, str],
        *,
        dry_run: bool = False,
    ) -> RunJournal:
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
                raise StoreError(f"sync run {self.run_id} vanished from the journal")
            row.counts = {entity: asdict(c) for entity, c in self.counts.items()}
            row.skipped = list(self.skips)
            if plan is not None:
                row.plan = plan
            if status is not None:
                row.status = status
            if error is not None:
                row.error = error
            if status in ("done", "failed", "on_hold"):
                row.finished_at = dt.datetime.now(dt.UTC)

    def finish(self, status: str = "done", *, error: str | None = None, plan: dict[str, Any] | None = None) -> None:
        self.save(status=status, error=error, plan=plan)
