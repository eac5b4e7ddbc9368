"""`edugateway demo` from nothing, twice: the second run re-imports the same files and changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.store.db import Database
from edugateway.store.snapshots import load_snapshot
from edugateway.store.tables import IdentityCaseRow, SyncRunRow


def test_demo_builds_a_school_and_a_rerun_changes_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["demo", "--dir", str(tmp_path), "--students", "60", "--classes", "4", "--seed", "3"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "1. A synthetic school" in first.output
    assert not re.search(r"\d{3}-\d{3}-\d{3} \d{2}", first.output)  # no SNILS in full on the screen
    assert (tmp_path / "oneroster" / "manifest.csv").exists()
    snapshot = load_snapshot(Database(f"sqlite:///{tmp_path / 'edugateway.sqlite3'}"), "sch125")
    assert sum(1 for p in snapshot.persons if "student" in p.roles) == 60

    assert "5. First sync" in first.output
    assert "6. Incremental sync" in first.output
    db = Database(f"sqlite:///{tmp_path / 'edugateway.sqlite3'}")
    with db.session() as session:
        runs = list(session.scalars(select(SyncRunRow).order_by(SyncRunRow.id)))
    assert [(r.platform, r.status) for r in runs] == [("ecp", "done"), ("dnevnik", "done")] * 2
    first_ecp, first_dnevnik, again_ecp, again_dnevnik = (r.counts or {} for r in runs)
    assert first_ecp["persons"]["created"] > 60  # pupils and their representatives pushed
    assert again_ecp["persons"]["created"] == again_ecp["persons"]["updated"] == 0
    assert first_dnevnik["lessons"]["created"] > 0
    assert again_dnevnik["lessons"]["created"] == again_dnevnik["lessons"]["updated"] == 0
    assert "7. ЕСИА verification" in first.output
    with db.session() as session:
        cases = session.scalar(select(func.count()).select_from(IdentityCaseRow))
    assert cases  # the synthetic roster always has SNILS problems planted
    assert f"{cases} new cases for the records clerk" in first.output
    # The night's total is the sections' findings: the per-teacher rollup counts them again and is not among them.
    night = re.search(r"dnevnik: report \d+, (\d+) findings in \d+ sections: (.*)", first.output)
    assert night is not None
    listed = dict(item.rsplit(" ", 1) for item in night.group(2).split(", "))
    assert "compliance.by_teacher" not in listed
    assert int(night.group(1)) == sum(int(n) for n in listed.values())
    db.dispose()

    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    person_row = next(line for line in second.output.splitlines() if line.strip().startswith("person "))
    assert person_row.split()[1:4] == ["0", "0", str(len(snapshot.persons))]  # created, updated, unchanged
