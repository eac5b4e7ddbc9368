"""What the gateway keeps of a school on a platform, and forgetting it when the school starts there afresh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from edugateway.errors import ConfigError
from edugateway.store.batches import IN_CHUNK
from edugateway.store.db import Database
from edugateway.store.tables import (
    AuditRow,
    IdentityLinkRow,
    LessonRow,
    MarkRow,
    OutboxRow,
    RemoteRecordRow,
    SchoolRow,
    SyncCursorRow,
)


def _drop_pulled(session: Session, school_id: int, links: Sequence[IdentityLinkRow]) -> dict[str, int]:
    """Deletes the lessons and marks these links say were pulled (attendance and marks go with their lesson)."""
    pulled: dict[str, list[str]] = {}
    for link in links:
        if link.method == "pulled":
            pulled.setdefault(link.entity, []).append(link.local_key)
    counts: dict[str, int] = {}
    for entity, table in (("marks", MarkRow), ("final_marks", MarkRow), ("lessons", LessonRow)):
        keys = pulled.get(entity, [])
        for start in range(0, len(keys), IN_CHUNK):
            part = keys[start : start + IN_CHUNK]
            statement = delete(table).where(table.school_id == school_id, table.source_id.in_(part))
            # No rows of these tables are in the session; without this the ORM checks every object it holds.
            result = session.execute(statement, execution_options={"synchronize_session": False})
            counts[entity] = counts.get(entity, 0) + int(cast("CursorResult[Any]", result).rowcount or 0)
    return counts


def forget_platform(
    db: Database, school_code: str, platform: str, *, actor: str, reason: str, drop_pulled: bool = False
) -> int:
    """Ends every active link of the school on the platform and drops its sync state (pushed records, cursors,
    open outbox rows), for a school re-registered on a platform from scratch. The sync run log and the link
    history stay. `drop_pulled` also deletes the journal pulled from it (lessons with their marks and attendance,
    final marks): the platform's data, which a new platform account would not hold. Returns the links ended."""
    now = dt.datetime.now(dt.UTC)
    with db.session() as session:
        school_id = session.scalar(select(SchoolRow.id).where(SchoolRow.code == school_code))
        if school_id is None:
            raise ConfigError(f"no school {school_code!r} in the local database")
        scope = (IdentityLinkRow.school_id == school_id, IdentityLinkRow.platform == platform)
        active = list(session.scalars(select(IdentityLinkRow).where(*scope, IdentityLinkRow.unlinked_at.is_(None))))
        dropped = _drop_pulled(session, school_id, active) if drop_pulled else {}
        for link in active:
            link.unlinked_at, link.reason = now, reason
        ended = len(active)
        for table in (RemoteRecordRow, SyncCursorRow):
            session.execute(delete(table).where(table.school_id == school_id, table.platform == platform))
        session.execute(
            delete(OutboxRow).where(
                OutboxRow.school_id == school_id,
                OutboxRow.platform == platform,
                OutboxRow.status.in_(("pending", "sending")),
            )
        )
        session.add(
            AuditRow(
                actor=actor,
                action="forget_platform",
                school_id=school_id,
                entity=f"platform:{platform}",
                entity_id=school_code,
                changes={"links_ended": [None, ended], **{f"{k}_deleted": [None, n] for k, n in dropped.items()}},
                reason=reason,
            )
        )
    return ended
