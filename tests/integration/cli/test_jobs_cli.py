"""`edugateway jobs list|run|history` and `edugateway scheduler run` with a real sync job against the ЕЦП emulator,
on SQLite and PostgreSQL: a job run by hand goes through the run_log and the lease; the daemon stops on SIGTERM
only after its running job has finished."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.emulators import ecp
from edugateway.emulators.faults import FaultConfig
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.job_leases import LeaseKey, LeaseStore
from edugateway.store.job_run_log import JobRunLog
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.times import as_utc, utc_now
from support.ecp_gateway_toml import ecp_gateway_toml
from support.scheduler_support import wait_until

SCRIPT = Path(sys.executable).parent / "edugateway"
WIDE = {"COLUMNS": "200"}  # xdist's workers set COLUMNS=80: a table row stays one line here
JOB = "contingent-ecp"


@dataclass
class Gateway:
    config: Path
    emulator: ecp.EcpEmulator
    db: Database
    school: str

    def args(self, *more: str) -> list[str]:
        return ["--config", str(self.config), *more]


def _config(db: Database, base_url: str, school: str, jobs: str) -> str:
    url = db.engine.url.render_as_string(hide_password=False)
    return ecp_gateway_toml(url, base_url, school, school_lines='timezone = "Asia/Yekaterinburg"', more=jobs)


CONTINGENT_JOB = f"""
[[jobs]]
name = "{JOB}"
kind = "sync"
cron = "* * * * *"
platform = "ecp"
entities = ["persons"]
retries = 0
misfire_grace_s = 120
"""


@pytest.fixture
def gateway(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    school = generate_school(students=30, classes=2, seed=4).snapshot
    write_oneroster(school, tmp_path / "or")
    apply_roster(database, read_oneroster(tmp_path / "or"), school.school.code)
    emulator = ecp.create_app(ecp.world_from_snapshot(school))
    monkeypatch.setenv("CLI_ECP_PASSWORD", ecp.ADMIN_PASSWORD)
    with BackgroundServer(emulator.app) as server:
        config = tmp_path / "gateway.toml"
        config.write_text(_config(database, server.base_url, school.school.code, CONTINGENT_JOB), encoding="utf-8")
        yield Gateway(config, emulator, database, school.school.code)


def test_list_run_and_history(gateway: Gateway) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, gateway.args("jobs", "list"), env=WIDE)
    assert listed.exit_code == 0, listed.output
    assert listed.output.split()[:7] == ["job", "kind", "cron", "school", "platform", "next", "run"]
    assert JOB in listed.output
    assert "(Asia/Yekaterinburg)" in listed.output  # the school's time, its zone named
    assert "never run" in listed.output
    (job,) = json.loads(runner.invoke(app, gateway.args("jobs", "list", "--format", "json")).stdout)
    assert (job["job"], job["school"], job["platform"], job["last_status"]) == (JOB, gateway.school, "ecp", None)
    assert dt.datetime.fromisoformat(job["next"]).utcoffset() is not None  # ISO 8601 with its offset

    empty = runner.invoke(app, gateway.args("jobs", "history"))
    assert empty.output == "no job runs yet\n"

    ran = runner.invoke(app, gateway.args("jobs", "run", JOB))
    assert ran.exit_code == 0, ran.output
    assert f"{JOB} {gateway.school} ecp: run " in ran.output
    assert re.search(r" done \(sync run \d+, status done\)", ran.output)
    assert "{" not in ran.output
    assert len(gateway.emulator.world.uploads["students"]) == 30

    history = runner.invoke(app, gateway.args("jobs", "history", "--job", JOB), env=WIDE)
    assert history.exit_code == 0, history.output
    header, line = history.output.splitlines()
    assert header.split()[:3] == ["run", "scheduled", "for"]
    assert "manual" in line
    assert " done " in line
    assert "+05 (Asia/Yekaterinburg)" in line  # shown in the school's time, the zone said
    (shown,) = json.loads(runner.invoke(app, gateway.args("jobs", "history", "--format", "json")).stdout)
    assert (shown["trigger"], shown["status"], shown["summary"]["status"]) == ("manual", "done", "done")
    (row,) = JobRunLog(gateway.db).history()
    assert (row.trigger, row.status, row.attempts, row.holder[:4]) == ("manual", "done", 1, "cli:")

    (job,) = json.loads(runner.invoke(app, gateway.args("jobs", "list", "--format", "json")).stdout)
    assert job["last_status"] == "done"


def test_run_refuses_what_it_cannot_run_and_skips_a_busy_school(gateway: Gateway) -> None:
    runner = CliRunner()
    unknown = runner.invoke(app, gateway.args("jobs", "run", "nope"))
    assert unknown.exit_code == 2
    assert "no job 'nope'" in unknown.output
    other = runner.invoke(app, gateway.args("jobs", "run", JOB, "--school", "sch999"))
    assert other.exit_code == 2
    assert "does not run for school 'sch999'" in other.output

    leases = LeaseStore(gateway.db, dt.timedelta(minutes=5))
    leases.acquire(LeaseKey(gateway.school, "ecp"), "gw2:99:beef", job="nightly", run_id=None)
    busy = runner.invoke(app, gateway.args("jobs", "run", JOB))
    assert busy.exit_code == 4, busy.output
    assert "skipped" in busy.output
    assert "held by gw2:99:beef (job nightly" in busy.output
    assert gateway.emulator.world.uploads["students"] == {}


def test_the_daemon_refuses_a_job_it_could_not_run(gateway: Gateway) -> None:
    original = gateway.config.read_text(encoding="utf-8")
    reconcile = '\n[[jobs]]\nname = "nightly-reconcile"\nkind = "reconcile"\ncron = "0 4 * * *"\n'
    # Without its platform: refused when the configuration loads, by the daemon and every other command.
    gateway.config.write_text(original + reconcile, encoding="utf-8")
    result = CliRunner().invoke(app, gateway.args("scheduler", "run"))
    assert result.exit_code == 2
    assert "jobs.nightly-reconcile.platform: required for a reconcile job and not set" in result.output
    assert CliRunner().invoke(app, gateway.args("jobs", "list")).exit_code == 2
    # Of entities reconciliation does not know: refused when the daemon starts, listed as not runnable.
    gateway.config.write_text(original + reconcile + 'platform = "ecp"\nentities = ["homework"]\n', encoding="utf-8")
    result = CliRunner().invoke(app, gateway.args("scheduler", "run"))
    assert result.exit_code == 2
    assert "jobs.nightly-reconcile: cannot reconcile homework" in result.output
    listed = CliRunner().invoke(app, gateway.args("jobs", "list"), env=WIDE)
    assert listed.exit_code == 0
    assert "nightly-reconcile" in listed.output
    assert "not runnable" in listed.output


def test_sigterm_lets_the_running_job_finish(gateway: Gateway) -> None:
    """The daemon starts, owes the run of the last minute and starts it; SIGTERM comes while the emulator is
    answering slowly; the daemon exits 0 only after the run has finished and been recorded."""
    gateway.emulator.set_faults(FaultConfig(latency_ms=700))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [str(SCRIPT), *gateway.args("scheduler", "run")]
    run_log = JobRunLog(gateway.db)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env) as proc:
        try:
            wait_until(
                lambda: any(r.status == "running" for r in run_log.history()) and gateway.emulator.stats.total > 0,
                what="the catch-up run to be under way",
            )
            signalled_at = utc_now()
            proc.send_signal(signal.SIGTERM)
            output, _ = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, output
    assert "stopping: waiting for running jobs to finish" in output
    assert output.rstrip().endswith("scheduler stopped")
    (row,) = run_log.history()
    assert row.status == "done", row.error
    assert row.finished_at is not None
    assert as_utc(row.finished_at) > signalled_at  # it ran on after the signal, and the daemon waited for it
    assert len(gateway.emulator.world.uploads["students"]) == 30
