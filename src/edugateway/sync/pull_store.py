"""Storing one window of pulled records: upsert the local row, track the platform record's digest, audit.

A record whose digest is the one last seen is not touched at all. A first-seen record is created (or, when a
local row already holds it, brought in line); a record whose digest changed is updated and leaves a
JournalChangeRow with the changed fields; a final mark whose value changed after its period ended is marked
retroactive (DOMAIN.md: a changed period/year final needs the deputy director and a written reason).

Counts and skips go to a `Tally` first and reach the run journal only once the window is committed, so a
window that rolls back is not counted twice when the rerun redoes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugateway.connectors.base import Skipped
from edugateway.domain.entities import Entity
from edugateway.errors import DataSafetyError
from edugateway.store.tables import AttendanceRow, AuditRow, JournalChangeRow, LessonRow, MarkRow, RemoteRecordRow
from edugateway.sync.identity_map import IdentityMap, Link
from edugateway.sync.journal import EntityCounts, RunJournal
from edugateway.sync.pull_links import chunks
from edugateway.sync.pull_resolve import Pulled

Row = LessonRow | MarkRow | AttendanceRow
RowKey = str | tuple[int, int]  # source_id, or (person row id, lesson row id) for attendance

# Lessons and marks are found by their local key; attendance by (person, lesson).
KEYED_TABLES: dict[Entity, type[LessonRow] | type[MarkRow]] = {
    Entity.LESSONS: LessonRow,
    Entity.MARKS: MarkRow,
    Entity.FINAL_MARKS: MarkRow,
}
AUDIT_NAMES = {
    Entity.LESSONS: "lesson",
    Entity.MARKS: "mark",
    Entity.FINAL_MARKS: "mark",
    Entity.ATTENDANCE: "attendance",
}


@dataclass
class Tally:
    """What one window did, kept apart from the run journal until the window is committed."""

    counts: dict[str, EntityCounts] = field(default_factory=dict)
    skips: list[tuple[str, str, str]] = field(default_factory=list)  # (entity, remote id, reason)

    def of(self, entity: str) -> EntityCounts:
        return self.counts.setdefault(entity, EntityCounts())

    def skip(self, entity: str, remote_id: str, reason: str) -> None:
        self.skips.append((entity, remote_id, reason))

    def skip_unmapped(self, skipped: Iterable[Skipped]) -> None:
        for item in skipped:
            self.skip(item.entity.value, item.remote_id, item.reason)

    def merge_into(self, journal: RunJournal) -> None:
        for entity, counts in self.counts.items():
            total = journal.of(entity)
            for f in fields(EntityCounts):
                setattr(total, f.name, getattr(total, f.name) + getattr(counts, f.name))
        for entity, remote_id, reason in self.skips:
            journal.skip(entity, remote_id, reason)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _diff(row: Row, values: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [_json(getattr(row, name)), _json(new)] for name, new in values.items() if getattr(row, name) != new}


def _row_key(entity: Entity, values: dict[str, Any]) -> RowKey:
    if entity is Entity.ATTENDANCE:
        return (int(values["person_id"]), int(values["lesson_id"]))
    return str(values["source_id"])


@dataclass
class WindowWriter:
    """Writes one window's records of one entity through `session`; the caller commits."""

    session: Session
    school_id: int
    platform: str
    run_id: int
    links: IdentityMap
    tally: Tally
    today: dt.date

    @property
    def actor(self) -> str:
        return f"sync:{self.platform}"

    def store(self, entity: Entity, records: Sequence[Pulled]) -> None:
        tracked = self._tracked(entity, {r.remote_id for r in records})
        rows = self._rows(entity, records)
        for record in records:
            self._store_one(record, tracked, rows)

    def _tracked(self, entity: Entity, remote_ids: set[str]) -> dict[str, RemoteRecordRow]:
        found: dict[str, RemoteRecordRow] = {}
        for part in chunks(remote_ids):
            for row in self.session.scalars(
                select(RemoteRecordRow).where(
                    RemoteRecordRow.school_id == self.school_id,
                    RemoteRecordRow.platform == self.platform,
                    RemoteRecordRow.entity == entity.value,
                    RemoteRecordRow.remote_id.in_(part),
                )
            ):
                found[row.remote_id] = row
        return found

    def _rows(self, entity: Entity, records: Sequence[Pulled]) -> dict[RowKey, Row]:
        """The local rows the window's records already have."""
        found: dict[RowKey, Row] = {}
        if entity is Entity.ATTENDANCE:
            lesson_ids = {str(r.values["lesson_id"]) for r in records}
            for part in chunks(lesson_ids):
                query = select(AttendanceRow).where(
                    AttendanceRow.school_id == self.school_id, AttendanceRow.lesson_id.in_([int(i) for i in part])
                )
                for att in self.session.scalars(query):
                    found[(att.person_id, att.lesson_id)] = att
            return found
        table = KEYED_TABLES[entity]
        for part in chunks({r.local_key for r in records}):
            keyed: list[LessonRow | MarkRow] = list(
                self.session.scalars(select(table).where(table.school_id == self.school_id, table.source_id.in_(part)))
            )
            found.update((row.source_id, row) for row in keyed)
        return found

    def _store_one(self, record: Pulled, tracked: dict[str, RemoteRecordRow], rows: dict[RowKey, Row]) -> None:
        counts = self.tally.of(record.entity.value)
        digest = record.digest
        seen = tracked.get(record.remote_id)
        if seen is not None and seen.digest == digest:
            counts.unchanged += 1
            return
        if record.new_link and not self._link(record):
            return
        key = _row_key(record.entity, record.values)
        row = rows.get(key)
        if row is None:
            rows[key] = self._create(record)
            tracked[record.remote_id] = self._track(record, seen, digest)
            counts.created += 1
            return
        changes = self._update(record, row)
        tracked[record.remote_id] = self._track(record, seen, digest)
        if changes:
            counts.updated += 1
            if seen is not None:
                self._journal_change(record, changes)
        else:
            counts.unchanged += 1

    def _link(self, record: Pulled) -> bool:
        try:
            self.links.link(record.entity.value, Link(record.local_key, record.remote_id, "pulled"))
        except DataSafetyError as exc:
            self.tally.skip(record.entity.value, record.remote_id, str(exc))
            return False
        return True

    def _create(self, record: Pulled) -> Row:
        table = KEYED_TABLES.get(record.entity, AttendanceRow)
        row = table(school_id=self.school_id, **record.values)
        self.session.add(row)
        self._audit("create", record, {name: [None, _json(v)] for name, v in record.values.items()})
        return row

    def _update(self, record: Pulled, row: Row) -> dict[str, list[Any]]:
        changes = _diff(row, record.values)
        if changes:
            for name in changes:
                setattr(row, name, record.values[name])
            self._audit("update", record, changes)
        return changes

    def _track(self, record: Pulled, seen: RemoteRecordRow | None, digest: str) -> RemoteRecordRow:
        if seen is None:
            seen = RemoteRecordRow(
                school_id=self.school_id,
                platform=self.platform,
                entity=record.entity.value,
                remote_id=record.remote_id,
                local_key=record.local_key,
                digest=digest,
            )
            self.session.add(seen)
            return seen
        seen.digest = digest
        seen.local_key = record.local_key
        seen.changed_at = dt.datetime.now(dt.UTC)
        return seen

    def _journal_change(self, record: Pulled, changes: dict[str, list[Any]]) -> None:
        # Observed today: the platform does not say when it was changed, so a change first seen after the
        # period's end counts as made after it.
        retroactive = "value" in changes and record.period_end is not None and self.today > record.period_end
        self.session.add(
            JournalChangeRow(
                school_id=self.school_id,
                platform=self.platform,
                entity=record.entity.value,
                remote_id=record.remote_id,
                local_key=record.local_key,
                changes=changes,
                retroactive=retroactive,
                period_end=record.period_end,
                run_id=self.run_id,
            )
        )

    def _audit(self, action: str, record: Pulled, changes: dict[str, list[Any]]) -> None:
        self.session.add(
            AuditRow(
                actor=self.actor,
                action=action,
                school_id=self.school_id,
                entity=AUDIT_NAMES[record.entity],
                entity_id=record.local_key,
                changes=changes,
                reason=f"sync run {self.run_id}: pulled {record.entity.value} {record.remote_id} from {self.platform}",
            )
        )
