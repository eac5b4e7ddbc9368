"""`edugateway jobs status` (issue 19, "the region's night": "a dashboard row per school in the web app and
`jobs status`: queued, running where, done, failed, retrying"), as a subprocess of the tree under test:

- procrastinate executor on PostgreSQL, a queue holding a fire in each state (support/night_queue.py);
- the local executor (SQLite and PostgreSQL): no queue, the run log says what runs, retries, is done or failed;
- nothing configured and nothing run: it says so; an unknown --school is one line and exit 2.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from edugateway.store.db import Database
from edugateway.store.tables import JobRunRow
from edugateway.store.times import utc_now
from support.night_queue import night_settings, plant_queue_night

ROOT = Path(__file__).resolve().parents[3]


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "250"}
    return subprocess.run(
        [sys.executable, "-m", "edugateway", "--config", str(config), "jobs", "status", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _rows(config: Path, *args: str) -> tuple[dict[str, Any], dict[tuple[str, str], dict[str, Any]]]:
    done = _cli(config, "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    board = json.loads(done.stdout)
    return board, {(r["school"], r["job"]): r for r in board["rows"]}


def test_a_queue_in_every_state_one_row_per_school_and_job(database: Database, tmp_path: Path) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("the procrastinate executor runs on PostgreSQL only")
    settings, config = night_settings(database, tmp_path, "procrastinate")
    planted = plant_queue_night(database, settings)

    board, rows = _rows(config)

    assert board["executor"] == "procrastinate"
    assert board["totals"] == {"queued": 2, "running": 1, "done": 1, "failed": 1, "retrying": 1}
    assert len(rows) == 8  # two jobs for each of four schools
    queued, running, retrying, failed = (rows[(s, "nightly")] for s in ("s1", "s2", "s3", "s4"))
    assert queued["queued"] == 1
    assert queued["queued_since"] is not None
    assert (queued["last_status"], queued["done"]) == ("done", 1)
    assert running["running_on"] == [f"night-host-2 pid 4242 (queue job {planted.running_job})"]
    assert (retrying["queued"], retrying["retrying"], retrying["attempts"]) == (1, 1, 1)
    assert dt.datetime.fromisoformat(retrying["retry_at"]) > dt.datetime.fromisoformat(retrying["queued_since"])
    assert (failed["failed"], failed["queued"], failed["running"]) == (1, 0, 0)
    month = dt.datetime.fromisoformat(rows[("s1", "month")]["next_fire"]).astimezone(ZoneInfo("Asia/Yekaterinburg"))
    assert (month.day, month.hour, month.minute) == (1, 6, 0)  # "0 6 1 * *" in the school's zone
    workers = {w["id"]: w["alive"] for w in board["workers"]}
    assert workers == {planted.live_worker: True, planted.dead_worker: False}

    table = _cli(config)
    assert table.returncode == 0, table.stderr
    assert "procrastinate executor: 1 of 2 worker(s) alive" in table.stdout
    line = next(line for line in table.stdout.splitlines() if line.split()[:2] == ["s2", "nightly"])
    assert "night-host-2 pid 4242" in line
    assert "(Asia/Yekaterinburg)" in table.stdout  # times in the school's zone
    s3 = next(line for line in table.stdout.splitlines() if line.split()[:2] == ["s3", "nightly"])
    assert "1 (attempt 1) at" in s3  # and when the retry is due

    one, only = _rows(config, "--school", "s3")
    assert {school for school, _job in only} == {"s3"}
    assert one["totals"]["retrying"] == 1
    assert one["totals"]["running"] == 0


def _run(school: str, fire: dt.datetime, status: str, holder: str, **fields: Any) -> JobRunRow:
    values = {"attempts": 1, "started_at": fire, **fields}
    return JobRunRow(
        job="nightly", kind="sync", school=school, platform="dn", scheduled_for=fire, trigger="schedule",
        status=status, holder=holder, **values,
    )  # fmt: skip


def test_the_local_executor_reads_the_run_log(database: Database, tmp_path: Path) -> None:
    _settings, config = night_settings(database, tmp_path, "local")
    now = utc_now()
    fire = now.replace(microsecond=0) - dt.timedelta(hours=2)
    two_days = dt.timedelta(days=2)
    with database.session() as session:
        session.add_all(
            [
                _run("s1", fire, "running", "gw-host:911:ab12", attempts=2, started_at=now - dt.timedelta(minutes=5)),
                _run("s2", fire, "failed", "gw-host:911:ab12", attempts=3, finished_at=fire),
                _run("s3", fire, "done", "cli:root@gw-host:5", finished_at=fire),
                _run("s4", fire - two_days, "done", "gw-host:911:ab12", finished_at=fire - two_days),  # not tonight's
            ]
        )

    board, rows = _rows(config)

    assert board["executor"] == "local"
    assert board["workers"] == []
    assert board["totals"] == {"queued": 0, "running": 1, "done": 1, "failed": 1, "retrying": 1}
    assert rows[("s1", "nightly")]["running_on"] == ["gw-host pid 911 (daemon)"]
    assert rows[("s1", "nightly")]["attempts"] == 2
    assert (rows[("s2", "nightly")]["failed"], rows[("s2", "nightly")]["last_status"]) == (1, "failed")
    assert rows[("s4", "nightly")]["done"] == 0
    assert rows[("s4", "nightly")]["last_status"] == "done"
    table = _cli(config)
    assert table.returncode == 0, table.stderr
    assert table.stdout.startswith("local executor (no queue: the daemon runs each fire itself)")


def test_nothing_configured_says_so_and_an_unknown_school_is_refused(sqlite_db: Database, tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    url = sqlite_db.engine.url.render_as_string(hide_password=False)
    config.write_text(f'database_url = "{url}"\nlog_level = "WARNING"\n', encoding="utf-8")
    empty = _cli(config)
    assert empty.returncode == 0, empty.stderr
    assert "no jobs: none configured ([[jobs]] in gateway.toml) and none in the run log" in empty.stdout
    assert json.loads(_cli(config, "--format", "json").stdout)["rows"] == []
    unknown = _cli(config, "--school", "nope")
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines() == [
        "error: no school 'nope' in the configuration; see [[schools]] in gateway.toml"
    ]
