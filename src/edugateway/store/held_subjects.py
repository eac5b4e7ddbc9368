"""Subjects held for a platform: a subject the platform teaches and the school does not have is kept as a local
row of the platform's (`SubjectRow.held_for`, source id "<platform>:<remote id>"), linked to the platform's
subject, so the lessons, marks and attendance pulled under it are stored instead of skipped.

A held subject is not the school's: roster imports neither deactivate nor update it, and exports and the roster
comparison leave it out. When the school gets a subject of its own for it, `move_journal` moves every lesson
and mark from the held row to the school's and retires the held row (inactive, never deleted: nothing that
still points at it is lost). The id link itself is the caller's (sync/linking.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from edugateway.errors import DataSafetyError
from edugateway.store.id_links import platform_ref
from edugateway.store.tables import AuditRow, LessonRow, MarkRow, SubjectRow


def held_key(platform: str, remote_id: str) -> str:
    """The local key of the subject held for `platform`'s subject `remote_id`."""
    return platform_ref(platform, remote_id)


@dataclass(frozen=True)
class HeldSubject:
    row_id: int
    local_key: str
    remote_id: str
    name: str


def held_subjects(session: Session, school_id: int, platform: str) -> list[HeldSubject]:
    """The subjects held for `platform` and not yet taken over by one of the school's, oldest first."""
    prefix = held_key(platform, "")
    rows = session.scalars(
        select(SubjectRow)
        .where(SubjectRow.school_id == school_id, SubjectRow.held_for == platform, SubjectRow.active.is_(True))
        .order_by(SubjectRow.id)
    )
    return [HeldSubject(r.id, r.source_id, r.source_id.removeprefix(prefix), r.name) for r in rows]


@dataclass(frozen=True)
class Holder:
    """Who writes: the audit's actor and why."""

    school_id: int
    platform: str
    actor: str
    reason: str


def hold_subject(session: Session, holder: Holder, remote_id: str, name: str) -> str | None:
    """Keeps `holder.platform`'s subject `remote_id` as a held local subject named `name` (created, or a retired
    one brought back, or renamed as the platform renamed it); returns its local key, or None when one of the
    school's own subjects already has that key (it is never taken over: the platform's records stay skipped)."""
    key = held_key(holder.platform, remote_id)
    row = session.scalar(
        select(SubjectRow).where(SubjectRow.school_id == holder.school_id, SubjectRow.source_id == key)
    )
    if row is None:
        session.add(SubjectRow(school_id=holder.school_id, source_id=key, name=name, held_for=holder.platform))
        _audit(session, holder, "create", key, {"name": [None, name], "held_for": [None, holder.platform]})
        return key
    if row.held_for != holder.platform:
        return None
    changes: dict[str, list[Any]] = {}
    if row.name != name:
        changes["name"] = [row.name, name]
        row.name = name
    if not row.active:
        changes["active"] = [False, True]
        row.active = True
    if changes:
        _audit(session, holder, "update", key, changes)
    return key


@dataclass(frozen=True)
class Moved:
    lessons: int
    marks: int


def move_journal(session: Session, holder: Holder, held: HeldSubject, target_key: str) -> Moved:
    """Moves the lessons and marks of `held` to the school's subject `target_key` and retires the held row.

    One audit row per moved lesson and mark (as for any write to the journal), and one for the retired subject."""
    target = session.scalar(
        select(SubjectRow).where(SubjectRow.school_id == holder.school_id, SubjectRow.source_id == target_key)
    )
    if target is None:
        raise DataSafetyError(f"subject {target_key!r} is not in the local database; nothing was moved to it")
    moved = Moved(
        _move(session, holder, LessonRow, "lesson", held, target),
        _move(session, holder, MarkRow, "mark", held, target),
    )
    row = session.get(SubjectRow, held.row_id)
    if row is not None:
        row.active = False
    _audit(
        session,
        holder,
        "retire",
        held.local_key,
        {
            "active": [True, False],
            "moved_to": [None, target_key],
            "lessons": [None, moved.lessons],
            "marks": [None, moved.marks],
        },
    )
    return moved


def _move(
    session: Session,
    holder: Holder,
    table: type[LessonRow] | type[MarkRow],
    noun: str,
    held: HeldSubject,
    target: SubjectRow,
) -> int:
    keys = list(
        session.scalars(
            select(table.source_id).where(table.school_id == holder.school_id, table.subject_id == held.row_id)
        )
    )
    if not keys:
        return 0
    session.execute(
        update(table)
        .where(table.school_id == holder.school_id, table.subject_id == held.row_id)
        .values(subject_id=target.id)
    )
    now = dt.datetime.now(dt.UTC)
    session.execute(
        insert(AuditRow),
        [
            {
                "at": now,
                "actor": holder.actor,
                "action": "update",
                "school_id": holder.school_id,
                "entity": noun,
                "entity_id": key,
                "changes": {"subject_id": [held.row_id, target.id]},
                "reason": holder.reason,
            }
            for key in keys
        ],
    )
    return len(keys)


def _audit(session: Session, holder: Holder, action: str, key: str, changes: dict[str, list[Any]]) -> None:
    session.add(
        AuditRow(
            actor=holder.actor,
            action=action,
            school_id=holder.school_id,
            entity="subject",
            entity_id=key,
            changes=changes,
            reason=holder.reason,
        )
    )
