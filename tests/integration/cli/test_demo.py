"""`edugateway demo` from nothing, twice: the second run re-imports the same files and changes nothing."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.store.db import Database
from edugateway.store.repository import load_snapshot


def test_demo_builds_a_school_and_a_rerun_changes_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["demo", "--dir", str(tmp_path), "--students", "60", "--classes", "4", "--seed", "3"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "1. A synthetic school" in first.output
    assert (tmp_path / "oneroster" / "manifest.csv").exists()
    snapshot = load_snapshot(Database(f"sqlite:///{tmp_path / 'edugateway.sqlite3'}"), "sch125")
    assert sum(1 for p in snapshot.persons if "student" in p.roles) == 60

    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    person_row = next(line for line in second.output.splitlines() if line.strip().startswith("person "))
    assert person_row.split()[1:4] == ["0", "0", str(len(snapshot.persons))]  # created, updated, unchanged
