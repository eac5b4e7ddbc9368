"""Storing the journal pulled from a platform, one window at a time: upsert the local row, track the platform
record's digest, audit; and the local ids a window's records are resolved against.

A record whose digest is the one last seen is not touched at all. A first-seen record is created (or, when a
local row already holds it, brought in line); a record whose digest changed is updated and leaves a
`journal_changes` row with the changed fields; a final mark whose value changed after its period ended is
marked retroactive (DOMAIN.md: a changed period/year final needs the deputy director and a written reason).

Counts and skips go to a `Tally` and reach the run log only once the window is committed (sync/pull.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from edugateway.errors import DataSafetyError
from edugateway.store.batches import chunks
from edugateway.store.id_links import IdLinks, Link, platform_ref
from edugateway.store.sync_run_log import Tally
from edugateway.store.tables import (
    AttendanceRow,
    AuditRow,
    ClassRow,
    JournalChangeRow,
    LessonRow,
    MarkRow,
    PersonRow,
    RemoteRecordRow,
    ReportingPeriodRow,
    SubjectRow,
)
from edugateway.store.times import as_utc

Row = LessonRow | MarkRow | AttendanceRow
RowKey = str | tuple[int, int]  # source_id, or (person row id, lesson row id) for attendance

ATTENDANCE = "attendance"
# Lessons and marks are found by their local key; attendance by (person, lesson).
KEYED_TABLES: dict[str, type[LessonRow] | type[MarkRow]] = {
    "lessons": LessonRow,
    "marks": MarkRow,
    "final_marks": MarkRow,
}
AUDIT_NAMES = {"lessons": "lesson", "marks": "mark", "final_marks": "mark", ATTENDANCE: "attendance"}


class PulledRecord(Protocol):
    """One platform record ready to store (sync/pull_resolve.py `Pulled`)."""

    @property
    def entity(self) -> str: ...
    @property
    def remote_id(self) -> str: ...
    @property
    def local_key(self) -> str: ...
    @property
    def new_link(self) -> bool: ...  # the record is not linked yet: storing it adds a `pulled` link
    @property
    def values(self) -> dict[str, Any]: ...  # the local row's column values
    @property
    def period_end(self) -> dt.date | None: ...  # a final mark's period end, for the retroactive check
    @property
    def digest(self) -> str: ...


@dataclass(frozen=True)
class LocalRoster:
    """Row ids of the school's persons, classes, subjects and periods by local key, and each period's last day."""

    persons: dict[str, int]
    classes: dict[str, int]
    subjects: dict[str, int]
    periods: dict[str, int]
    period_ends: dict[str, dt.date]

    @classmethod
    def load(cls, session: Session, school_id: int) -> LocalRoster:
        def ids(table: Any) -> dict[str, int]:
            rows = session.execute(select(table.source_id, table.id).where(table.school_id == school_id))
            return dict(rows.tuples().all())

        ends = session.execute(
            select(ReportingPeriodRow.source_id, ReportingPeriodRow.end_date).where(
                ReportingPeriodRow.school_id == school_id
            )
        )
        period_ends = dict(ends.tuples().all())
        return cls(ids(PersonRow), ids(ClassRow), ids(SubjectRow), ids(ReportingPeriodRow), period_ends)

    def table(self, entity: str) -> Mapping[str, int]:
        """Row ids by local key of the roster entity `entity` (persons, classes, subjects or periods)."""
        return {
            "persons": self.persons,
            "classes": self.classes,
            "subjects": self.subjects,
            "periods": self.periods,
        }[entity]


@dataclass(frozen=True)
class LessonRef:
    row_id: int
    subject_row_id: int


def load_lessons(session: Session, school_id: int, local_keys: set[str]) -> dict[str, LessonRef]:
    """The stored lessons among `local_keys` (what a window's marks and attendance point at)."""
    found: dict[str, LessonRef] = {}
    for part in chunks(local_keys):
        rows = session.execute(
            select(LessonRow.source_id, LessonRow.id, LessonRow.subject_id).where(
                LessonRow.school_id == school_id, LessonRow.source_id.in_(part)
            )
        )
        for source_id, row_id, subject_id in rows:
            found[source_id] = LessonRef(row_id, subject_id)
    return found


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _comparable(value: Any) -> Any:
    """Stored times as aware UTC: SQLite reads them back naive, and naive never equals aware."""
    return as_utc(value) if isinstance(value, dt.datetime) else value


def _diff(row: Row, values: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [_json(getattr(row, name)), _json(new)]
        for name, new in values.items()
        if _comparable(getattr(row, name)) != _comparable(new)
    }


def _row_key(entity: str, values: dict[str, Any]) -> RowKey:
    if entity == ATTENDANCE:
        return (int(values["person_id"]), int(values["lesson_id"]))
    return str(values["source_id"])


@dataclass
class WindowWriter:
    """Writes one window's records of one entity through `session`; the caller commits."""

    session: Session
    school_id: int
    platform: str
    run_id: int
    links: IdLinks
    tally: Tally
    today: dt.date

    @property
    def actor(self) -> str:
        return f"sync:{self.platform}"

    def store(self, entity: str, records: Sequence[PulledRecord]) -> None:
        tracked = self._tracked(str(entity), {r.remote_id for r in records})
        rows = self._rows(str(entity), records)
        for record in records:
            self._store_one(record, tracked, rows)

    def _tracked(self, entity: str, remote_ids: set[str]) -> dict[str, RemoteRecordRow]:
        found: dict[str, RemoteRecordRow] = {}
        for part in chunks(remote_ids):
            for row in self.session.scalars(
                select(RemoteRecordRow).where(
                    RemoteRecordRow.school_id == self.school_id,
                    RemoteRecordRow.platform == self.platform,
                    RemoteRecordRow.entity == entity,
                    RemoteRecordRow.remote_id.in_(part),
                )
            ):
                found[row.remote_id] = row
        return found

    def _rows(self, entity: str, records: Sequence[PulledRecord]) -> dict[RowKey, Row]:
        """The local rows the window's records already have."""
        found: dict[RowKey, Row] = {}
        if entity == ATTENDANCE:
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

    def _store_one(self, record: PulledRecord, tracked: dict[str, RemoteRecordRow], rows: dict[RowKey, Row]) -> None:
        entity = str(record.entity)
        counts = self.tally.of(entity)
        digest = record.digest
        seen = tracked.get(record.remote_id)
        if seen is not None and seen.digest == digest:
            counts.unchanged += 1
            return
        if record.new_link and not self._link(entity, record):
            return
        key = _row_key(entity, record.values)
        row = rows.get(key)
        if row is None:
            rows[key] = self._create(entity, record)
            tracked[record.remote_id] = self._track(entity, record, seen, digest)
            counts.created += 1
            return
        changes = self._update(entity, record, row)
        tracked[record.remote_id] = self._track(entity, record, seen, digest)
        if changes:
            counts.updated += 1
            if seen is not None:
                self._journal_change(entity, record, changes)
        else:
            counts.unchanged += 1

    def _link(self, entity: str, record: PulledRecord) -> bool:
        try:
            self.links.link(entity, Link(record.local_key, record.remote_id, "pulled"))
        except DataSafetyError as exc:
            self.tally.skip(entity, record.remote_id, str(exc))
            return False
        return True

    def _create(self, entity: str, record: PulledRecord) -> Row:
        table = KEYED_TABLES.get(entity, AttendanceRow)
        row = table(school_id=self.school_id, **record.values)
        self.session.add(row)
        self._audit("create", entity, record, {name: [None, _json(v)] for name, v in record.values.items()})
        return row

    def _update(self, entity: str, record: PulledRecord, row: Row) -> dict[str, list[Any]]:
        changes = _diff(row, record.values)
        if changes:
            for name in changes:
                setattr(row, name, record.values[name])
            self._audit("update", entity, record, changes)
        return changes

    def _track(self, entity: str, record: PulledRecord, seen: RemoteRecordRow | None, digest: str) -> RemoteRecordRow:
        if seen is None:
            seen = RemoteRecordRow(
                school_id=self.school_id,
                platform=self.platform,
                entity=entity,
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

    def _journal_change(self, entity: str, record: PulledRecord, changes: dict[str, list[Any]]) -> None:
        # Observed today: the platform does not say when it was changed, so a change first seen after the
        # period's end counts as made after it.
        retroactive = "value" in changes and record.period_end is not None and self.today > record.period_end
        self.session.add(
            JournalChangeRow(
                school_id=self.school_id,
                platform=self.platform,
                entity=entity,
                remote_id=record.remote_id,
                local_key=record.local_key,
                changes=changes,
                retroactive=retroactive,
                period_end=record.period_end,
                run_id=self.run_id,
            )
        )

    def _audit(self, action: str, entity: str, record: PulledRecord, changes: dict[str, list[Any]]) -> None:
        self.session.add(
            AuditRow(
                actor=self.actor,
                action=action,
                school_id=self.school_id,
                entity=AUDIT_NAMES[entity],
                entity_id=record.local_key,
                changes=changes,
                reason=f"sync run {self.run_id}: pulled {entity} {record.remote_id} from {self.platform}",
            )
        )


def fill_linked_teachers(
    session: Session, school_id: int, platform: str, teacher_of: Callable[[str], int | None], *, actor: str, reason: str
) -> int:
    """Fills in the teacher of the stored lessons that name a teacher of `platform` nobody was linked to when they
    were pulled, now that `teacher_of(remote id)` finds the local person's row id; returns how many lessons.

    The pull re-reads only its look-back days: without this, a lesson before them would keep its empty teacher."""
    prefix = platform_ref(platform, "")
    unlinked = LessonRow.school_id == school_id, LessonRow.teacher_id.is_(None)
    refs = session.scalars(
        select(LessonRow.teacher_ref)
        .distinct()
        .where(*unlinked, LessonRow.teacher_ref.startswith(prefix, autoescape=True))
    )
    filled = 0
    now = dt.datetime.now(dt.UTC)
    for ref in list(refs):
        person_id = teacher_of(ref.removeprefix(prefix)) if ref else None
        if person_id is None:
            continue
        lessons = list(session.scalars(select(LessonRow.source_id).where(*unlinked, LessonRow.teacher_ref == ref)))
        session.execute(update(LessonRow).where(*unlinked, LessonRow.teacher_ref == ref).values(teacher_id=person_id))
        session.execute(
            insert(AuditRow),
            [
                {
                    "at": now,
                    "actor": actor,
                    "action": "update",
                    "school_id": school_id,
                    "entity": AUDIT_NAMES["lessons"],
                    "entity_id": key,
                    "changes": {"teacher_id": [None, person_id]},
                    "reason": reason,
                }
                for key in lessons
            ],
        )
        filled += len(lessons)
    return filled
