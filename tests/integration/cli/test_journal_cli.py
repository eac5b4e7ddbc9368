"""`edugateway import journal` and `edugateway template journal` in a real process on an SQLite file: the summary,
the exit codes of the roster's import (0 done, 1 rows rejected, 2 refused, 3 on hold) and JSON for scripts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from edugateway.store.db import Database
from edugateway.store.journal_layout import LESSONS, MARKS
from support.cli_process import run_cli
from support.journal_school import CODE, add_roster, write_csv

DAY = dt.date(2026, 10, 5)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gw.sqlite3'}"
    db = Database(url)
    db.migrate()
    add_roster(db, tmp_path)
    db.dispose()
    return url


def _lessons(folder: Path, days: list[int]) -> Path:
    """Russian Excel's CSV: «;» and Windows-1251."""
    rows = [["id", "class", "subject", "date", "number", "topic"]]
    rows += [[f"L{d}", "cls-5A", "subj-math", (DAY + dt.timedelta(days=d)).isoformat(), "1", "Дроби"] for d in days]
    return write_csv(folder / "lessons.csv", rows, encoding="cp1251", sep=";").parent


def test_the_template_is_filled_and_imported_with_rejected_rows_listed(url: str, tmp_path: Path) -> None:
    book = tmp_path / "journal.xlsx"
    done = run_cli("--database-url", url, "template", "journal", str(book), "--school", CODE, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    wb = load_workbook(book)
    wb[LESSONS].append(["L1", "cls-5A", "subj-math", DAY, 1, "t1", "Дроби", "№ 5", None])
    wb[MARKS].append([None, "s1", "L1", None, None, None, None, "5", None, None, None, None, None])
    wb[MARKS].append([None, "s404", "L1", None, None, None, None, "4", None, None, None, None, None])
    wb.save(book)

    done = run_cli("--database-url", url, "import", "journal", str(book), "--school", CODE, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    rows = {line.split("│")[1].strip(): line for line in done.stdout.splitlines() if line.startswith("│")}
    assert list(rows) == ["lesson", "mark", "final", "attendance"]
    assert f"journal.xlsx:{MARKS}:3" in done.stdout
    assert "s404" in done.stdout
    assert (tmp_path / "journal-import-problems.csv").exists()


def test_csv_files_import_as_json_then_a_bulk_file_missing_most_lessons_is_held(url: str, tmp_path: Path) -> None:
    folder = _lessons(tmp_path / "j", [0, 1, 2, 3, 4])
    done = run_cli(
        "--database-url", url, "import", "journal", str(folder), "-s", CODE, "--format", "json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["counts"]["lesson"]["created"] == 5
    assert result["encodings"] == {"lessons.csv": "cp1251"}

    short = _lessons(tmp_path / "k", [0, 4])  # the 6th to the 8th are missing: 3 of 5
    held = run_cli("--database-url", url, "import", "journal", str(short), "-s", CODE, cwd=tmp_path)
    assert held.returncode == 3, held.stdout + held.stderr
    assert "--allow-mass-delete" in held.stderr
    (error,) = [line for line in held.stderr.splitlines() if line.startswith("error:")]
    assert "3 of the 5 lessons" in error
    done = run_cli(
        "--database-url", url, "import", "journal", str(short), "-s", CODE, "--allow-mass-delete", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr


def test_a_path_that_is_not_a_journal_is_refused_in_one_line(url: str, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = run_cli("--database-url", url, "import", "journal", str(tmp_path / "empty"), "-s", CODE, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error:")
    assert len(done.stderr.strip().splitlines()) == 1
