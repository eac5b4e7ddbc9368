"""`runs show` prints the run (as JSON with --format json, the outbox included), then what the school still
owes the platform: per entity the pending, sending (with the claiming run) and failed writes, the first 20 failed
ones by key and reason, never a SNILS or a name."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.store.db import Database
from edugateway.store.outbox import OutboxScope, QueuedWrite, WriteOutcome, claim_batch, queue_writes, record_outcomes
from edugateway.store.tables import SchoolRow, SyncRunRow

REASON = "column snils: СНИЛС 112-233-445 95 ученика Иванова Мария Петровна неверен"


def test_runs_show_lists_what_is_still_owed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gw.sqlite3'}"
    db = Database(url)
    db.migrate()
    with db.session() as session:
        school = SchoolRow(code="s1", name="Школа № 1")
        session.add(school)
        session.flush()
        runs = [
            SyncRunRow(school_id=school.id, platform="ecp", entities=["persons"], directions={}, status=status)
            for status in ("failed", "running")
        ]
        session.add_all(runs)
        session.flush()
        scope = OutboxScope(school.id, "ecp", "persons", "contingent")
        failed_run, live_run = (r.id for r in runs)
    queue_writes(db, scope, failed_run, [QueuedWrite("create", f"p{n:02}", {}) for n in range(30)])
    refused = claim_batch(db, scope, failed_run, limit=25)
    record_outcomes(
        db, scope, failed_run, [WriteOutcome(w.row_id, w.op, {}, "d", ok=False, error=REASON) for w in refused]
    )
    claim_batch(db, scope, live_run, limit=2)
    db.dispose()

    as_json = CliRunner().invoke(app, ["--database-url", url, "runs", "show", str(failed_run), "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    detail = json.loads(as_json.stdout)
    assert detail["status"] == "failed"
    (owed,) = detail["owed"]
    assert (owed["pending"], owed["sending"], owed["failed"]) == (3, {str(live_run): 2}, 25)
    assert owed["failed_rows"][0]["reason"] == "column snils: СНИЛС ***-***-*45 ** ученика *** неверен"
    assert "112-233" not in as_json.output

    shown = CliRunner().invoke(app, ["--database-url", url, "runs", "show", str(failed_run)])
    assert shown.exit_code == 0, shown.output
    assert re.search(r"^ status +failed +$", shown.output, re.M), shown.output
    lines = shown.output[shown.output.index("Still owed") :].strip().splitlines()
    assert lines[:3] == [
        "Still owed to ecp:",
        f"  persons: 3 pending, 2 sending in run {live_run}, 25 failed",
        "    p00 (create): column snils: СНИЛС ***-***-*45 ** ученика *** неверен",
    ]
    assert [line.split()[0] for line in lines[2:22]] == [f"p{n:02}" for n in range(20)]
    assert lines[22:] == ["    and 5 more"]
    assert "112-233" not in shown.output
    assert "Иванова" not in shown.output
