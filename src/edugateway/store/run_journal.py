"""The run journal a sysadmin reads on the web: the newest sync runs, scheduled job runs and roster imports, of
the schools in the account's scope only (the scope goes into each query, as on every page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from edugateway.store.db import Database
from edugateway.store.school_scope import SchoolScope
from edugateway.store.tables import ImportRunRow, JobRunRow, SchoolRow, SyncRunRow


@dataclass(frozen=True, slots=True)
class JournalRun:
    kind: str  # sync, job, import
    run_id: int
    school_code: str
    school_name: str
    what: str  # the platform of a sync, the job's name, the import's source
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    counts: dict[str, Any] | None
    error: str | None
    dry_run: bool = False
    trigger: str | None = None  # a job's: schedule or manual


@dataclass(frozen=True, slots=True)
class RunJournal:
    syncs: list[JournalRun]
    jobs: list[JournalRun]
    imports: list[JournalRun]
    schools: list[tuple[int, str, str]]  # (id, code, name) of the scope's schools, by name


def run_journal(db: Database, scope: SchoolScope, *, school_id: int | None, limit: int) -> RunJournal:
    """The newest `limit` runs of each kind, of one school or of every school in the scope."""
    chosen = [scope.where(SchoolRow.id)] + ([SchoolRow.id == school_id] if school_id is not None else [])
    with db.session() as session:
        schools = [
            (sid, code, name)
            for sid, code, name in session.execute(
                select(SchoolRow.id, SchoolRow.code, SchoolRow.name)
                .where(scope.where(SchoolRow.id))
                .order_by(SchoolRow.name)
            ).tuples()
        ]
        syncs = [
            JournalRun(
                "sync",
                r.id,
                code,
                name,
                r.platform,
                r.status,
                r.started_at,
                r.finished_at,
                r.counts,
                r.error,
                r.dry_run,
            )
            for r, code, name in session.execute(
                select(SyncRunRow, SchoolRow.code, SchoolRow.name)
                .join(SchoolRow, SchoolRow.id == SyncRunRow.school_id)
                .where(*chosen)
                .order_by(SyncRunRow.started_at.desc(), SyncRunRow.id.desc())
                .limit(limit)
            ).tuples()
        ]
        jobs = [
            JournalRun(
                "job",
                r.id,
                code,
                name,
                r.job,
                r.status,
                r.started_at,
                r.finished_at,
                r.summary,
                r.error,
                trigger=r.trigger,
            )
            for r, code, name in session.execute(
                select(JobRunRow, SchoolRow.code, SchoolRow.name)
                .join(SchoolRow, SchoolRow.code == JobRunRow.school)  # job runs name the school by its code
                .where(*chosen)
                .order_by(JobRunRow.started_at.desc(), JobRunRow.id.desc())
                .limit(limit)
            ).tuples()
        ]
        imports = [
            JournalRun("import", r.id, code, name, r.source, r.status, r.started_at, r.finished_at, r.counts, r.error)
            for r, code, name in session.execute(
                select(ImportRunRow, SchoolRow.code, SchoolRow.name)
                .join(SchoolRow, SchoolRow.id == ImportRunRow.school_id)
                .where(*chosen)
                .order_by(ImportRunRow.started_at.desc(), ImportRunRow.id.desc())
                .limit(limit)
            ).tuples()
        ]
    return RunJournal(syncs, jobs, imports, schools)
