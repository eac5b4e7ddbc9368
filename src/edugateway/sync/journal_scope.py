"""What of the school's own journal a push wants on the platform: the local lessons, marks and attendance of the
lessons matched to the platform's (sync/lesson_match.py). A local lesson without a platform lesson is listed in
the run log with its reason, and nothing of it (marks, attendance, homework) is planned; finals need no lesson."""

from __future__ import annotations

from edugateway.connectors.base import Connector
from edugateway.domain.entities import Entity
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.store.db import Database
from edugateway.store.id_links import IdLinks
from edugateway.store.local_journal import load_local_journal
from edugateway.store.sync_run_log import SyncRunLog
from edugateway.sync.journal_push import FINAL_KINDS
from edugateway.sync.lesson_match import LESSONS, match_lessons

JOURNAL_PUSHED = (Entity.MARKS, Entity.FINAL_MARKS, Entity.ATTENDANCE, Entity.HOMEWORK)


async def local_journal_to_push(
    db: Database, run_log: SyncRunLog, connector: Connector, snapshot: SchoolSnapshot, *, dry_run: bool
) -> SchoolSnapshot:
    """`snapshot` with the local journal to push; the lesson links it makes are kept unless `dry_run`."""
    journal = load_local_journal(db, snapshot.school.code)
    names = {c.id: c.name for c in snapshot.classes}
    subjects = {s.id: s.name for s in snapshot.subjects}
    with db.session() as session:
        ids = IdLinks(
            session,
            run_log.school_id,
            run_log.platform,
            actor=f"sync:{run_log.platform}",
            run_id=run_log.run_id,
            entities=["classes", "subjects", LESSONS],
        )
        match = await match_lessons(connector, ids, journal.lessons, names, subjects)
        if dry_run:
            session.rollback()
    for lesson_id, reason in match.missing:
        run_log.skip(LESSONS, lesson_id, reason)
    kept = set(match.matched)
    return snapshot.model_copy(
        update={
            "lessons": [lesson for lesson in journal.lessons if lesson.id in kept],
            "marks": [mk for mk in journal.marks if mk.kind in FINAL_KINDS or mk.lesson_id in kept],
            "attendance": [a for a in journal.attendance if a.lesson_id in kept],
        }
    )
