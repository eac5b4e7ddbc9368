"""One table style, one time convention, `--format json` (issue 17, the terminal: «`jobs list` and `runs list`
have no header; `runs show` is raw JSON only; `jobs run`/`jobs history` print a Python dict; an empty `jobs
history` prints nothing; `reports list` truncates paths; times are UTC without a zone in one place, +0500 in
another … One table style, one time convention (the school's zone, shown), JSON behind `--format json`»)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.cli._output import print_table, school_time, zone_of
from edugateway.store.db import Database
from edugateway.store.tables import SchoolRow, SyncRunRow

LIST_COMMANDS = [["runs", "list"], ["jobs", "list"], ["jobs", "history"], ["reports", "list"]]


def test_one_time_convention_names_the_zone() -> None:
    at = dt.datetime(2026, 12, 5, 23, 30, tzinfo=dt.UTC)
    assert school_time(at, zone_of("Asia/Yekaterinburg")) == "2026-12-06 04:30 +05 (Asia/Yekaterinburg)"
    assert school_time(at.replace(tzinfo=None), zone_of("Asia/Kolkata")) == "2026-12-06 05:00 +05:30 (Asia/Kolkata)"
    assert school_time(at, zone_of(None)) == "2026-12-05 23:30 +00 (UTC)"
    assert school_time(at, zone_of("Mars/Olympus")) == "2026-12-05 23:30 +00 (UTC)"
    assert school_time(None, None) == "-"


def test_a_long_path_is_folded_never_cut(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    path = "/var/lib/edugateway/reports/sch125/ecp/2026-12-06/reconciliation-report-sch125-ecp-2026-12-06.html"
    print_table(["report", "html"], [["7", path]], empty="no reports yet")
    shown = capsys.readouterr().out
    assert "…" not in shown
    assert shown.split()[:2] == ["report", "html"]
    assert path in "".join(shown.split()[3:])  # folded over lines: every character is there


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gw.sqlite3'}"
    db = Database(url)
    db.migrate()
    db.dispose()
    return url


@pytest.mark.parametrize("command", LIST_COMMANDS, ids=" ".join)
def test_every_list_says_it_is_empty_and_gives_pure_json(database_url: str, command: list[str]) -> None:
    runner = CliRunner()
    table = runner.invoke(app, ["--database-url", database_url, *command])
    assert table.exit_code == 0, table.output
    assert re.fullmatch(r"no [a-z ]+ (yet|configured: add \[\[jobs\]\] .*)\n", table.output), table.output
    as_json = runner.invoke(app, ["--database-url", database_url, *command, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == []


def test_runs_have_a_header_and_the_school_time(database_url: str) -> None:
    db = Database(database_url)
    with db.session() as session:
        school = SchoolRow(code="sch125", name="Школа № 125", timezone="Asia/Yekaterinburg")
        session.add(school)
        session.flush()
        started = dt.datetime(2026, 12, 5, 23, 30, tzinfo=dt.UTC)
        session.add(
            SyncRunRow(
                school_id=school.id,
                platform="ecp",
                entities=["persons"],
                directions={"persons": "push"},
                status="done",
                started_at=started,
                finished_at=started + dt.timedelta(seconds=42),
                counts={"persons": {"read": 30, "created": 2, "skipped": 1, "failed": 0}},
            )
        )
    db.dispose()
    runner = CliRunner()
    listed = runner.invoke(app, ["--database-url", database_url, "runs", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    header, row = listed.output.splitlines()
    assert header.split() == ["run", "started", "school", "platform", "status", "took", "skipped", "failed"]
    assert "2026-12-06 04:30 +05 (Asia/Yekaterinburg)" in row
    assert row.split()[-5:] == ["done", "42.0", "s", "1", "0"]
    shown = runner.invoke(app, ["--database-url", database_url, "runs", "show", "1"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert not shown.output.lstrip().startswith("{")  # for people: fields, not raw JSON
    assert re.search(r"^ started +2026-12-06 04:30 \+05 \(Asia/Yekaterinburg\)", shown.output, re.M), shown.output
    assert re.search(r"^ persons +30 read, 2 created, 1 skipped", shown.output, re.M), shown.output
    detail = json.loads(
        runner.invoke(app, ["--database-url", database_url, "runs", "show", "1", "--format", "json"]).stdout
    )
    assert (detail["school"], detail["started_at"]) == ("sch125", "2026-12-05T23:30:00+00:00")
