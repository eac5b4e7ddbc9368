"""Reads of the outbox a push whose creates are not upserts needs (sync/journal_send.py): the platform's id of
what a record's last landed write made, and which claimed rows were claimed before (their write may have
landed already: a dead run's, or one whose request failed without an answer)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from edugateway.store.db import Database
from edugateway.store.outbox import OutboxScope
from edugateway.store.tables import OutboxRow


def landed_remote_ids(db: Database, scope: OutboxScope, keys: Collection[str]) -> dict[str, str]:
    """key -> the remote id the record's newest done write answered."""
    if not keys:
        return {}
    with db.session() as session:
        rows = session.execute(
            select(OutboxRow.local_key, OutboxRow.remote_id)
            .where(
                OutboxRow.school_id == scope.school_id,
                OutboxRow.platform == scope.platform,
                OutboxRow.entity == scope.entity,
                OutboxRow.status == "done",
                OutboxRow.remote_id.is_not(None),
                OutboxRow.local_key.in_(list(keys)),
            )
            .order_by(OutboxRow.id)
        )
        return {key: remote for key, remote in rows if remote}


def claimed_before(db: Database, row_ids: Collection[int]) -> set[int]:
    """The rows among `row_ids` (just claimed) that had been claimed before: their result is in doubt."""
    if not row_ids:
        return set()
    with db.session() as session:
        return set(session.scalars(select(OutboxRow.id).where(OutboxRow.id.in_(list(row_ids)), OutboxRow.attempts > 1)))
