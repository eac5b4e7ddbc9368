"""The import journal's row for an import that stopped (refused by a hold, or failed): written in its own
transaction after the import's own was rolled back, so the refusal is on record though nothing else was
written. Shared by the roster imports and `import journal`."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from sqlalchemy import select

from edugateway.logs import mask_text
from edugateway.store.db import Database
from edugateway.store.tables import ImportRunRow, SchoolRow


class StoppedImport(Protocol):
    school: str
    source: str
    mode: str
    location: str
    run_id: int | None

    def problems_dict(self) -> dict[str, Any]: ...


def record_stopped_import(db: Database, report: StoppedImport, status: str, exc: Exception) -> None:
    """Writes the run with `status` ("refused" or "failed") and the error, masked; sets `report.run_id`."""
    with db.session() as session:
        school_id = session.scalar(select(SchoolRow.id).where(SchoolRow.code == report.school))
        run = ImportRunRow(
            school_id=school_id,
            source=report.source,
            mode=report.mode,
            location=report.location,
            status=status,
            finished_at=dt.datetime.now(dt.UTC),
            problems=report.problems_dict(),
            error=mask_text(str(exc)),
        )
        session.add(run)
        session.flush()
        report.run_id = run.id
