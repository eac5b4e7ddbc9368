"""An import report is keyed by the kinds of record (RecordKind), yet what it stores and prints is the same text as
when its keys were plain strings: the counts' JSON, the import run's stored counts and the audit rows' entity."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from edugateway.domain.entities import RecordKind
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster

# The tiny school's first import, as the importer wrote it before its keys became RecordKind members.
FIRST_IMPORT_COUNTS = (
    '{"school": {"created": 1, "updated": 0, "unchanged": 0, "deactivated": 0, "rejected": 0}, '
    '"subject": {"created": 2, "updated": 0, "unchanged": 0, "deactivated": 0, "rejected": 0}, '
    '"class": {"created": 2, "updated": 0, "unchanged": 0, "deactivated": 0, "rejected": 0}, '
    '"person": {"created": 4, "updated": 0, "unchanged": 0, "deactivated": 0, "rejected": 0}, '
    '"parent_link": {"created": 2, "updated": 0, "unchanged": 0, "deactivated": 0, "rejected": 0}, '
    '"enrollment": {"created": 4, "updated": 0, "unchanged": 0, "deactivated": 0, "rejected": 0}, '
    '"period": {"created": 2, "updated": 0, "unchanged": 0, "deactivated": 0, "rejected": 0}}'
)


def test_the_counts_of_an_import_report_store_and_serialise_as_before(
    sqlite_db: Database, tiny_school: SchoolSnapshot, tmp_path: Path
) -> None:
    write_oneroster(tiny_school, tmp_path / "or")
    report = apply_roster(sqlite_db, read_oneroster(tmp_path / "or"), "sch1")

    assert list(report.counts) == list(RecordKind)
    assert json.dumps(report.counts_dict()) == FIRST_IMPORT_COUNTS
    with sqlite_db.engine.connect() as conn:
        assert conn.execute(text("SELECT counts FROM import_runs")).scalar_one() == FIRST_IMPORT_COUNTS
        audited = conn.execute(text("SELECT entity, count(*) FROM audit_log GROUP BY entity ORDER BY min(id)")).all()
    assert [tuple(row) for row in audited] == [
        ("school", 1),
        ("subject", 2),
        ("class", 2),
        ("person", 4),
        ("parent_link", 2),
        ("enrollment", 4),
        ("period", 2),
    ]
