"""How runs started from the command line end and meet, over real processes, sockets and databases (SQLite and
PostgreSQL): an edu-upload outage fails the sync with its own exit code and the scheduler alerts; a second sync of
the same school and platform is refused while the first runs, and every record reaches the platform once; a run
killed with SIGKILL is found and marked abandoned by the next run, which sends what it left unanswered."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.emulators import ecp
from edugateway.emulators.faults import FaultConfig
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.job_leases import LeaseKey, LeaseStore
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.sync_run_log import recent_sync_runs
from edugateway.store.tables import OutboxRow
from support.alert_sinks import WebhookServer
from support.ecp_gateway_toml import ecp_gateway_toml
from support.scheduler_support import wait_until

SCRIPT = Path(sys.executable).parent / "edugateway"
STUDENTS = 30
UPLOAD = "/api/edu-upload/"


class UploadGate:
    """ASGI middleware that holds every edu-upload request until the test opens the gate: a run can be caught
    mid-push, holding its lease, for as long as the test needs, with no race against the clock."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.open = threading.Event()
        self.waiting = threading.Event()  # an upload has arrived and waits at the gate

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith(UPLOAD) and not self.open.is_set():
            self.waiting.set()
            await asyncio.to_thread(self.open.wait, 60)
        await self.inner(scope, receive, send)


@dataclass
class Gateway:
    config: Path
    emulator: ecp.EcpEmulator
    gate: UploadGate
    hook: WebhookServer
    db: Database
    school: str

    def args(self, *more: str) -> list[str]:
        return ["--config", str(self.config), *more]

    def sync_args(self) -> list[str]:
        return self.args("sync", "--school", self.school, "--platform", "ecp", "--entities", "persons")

    def start_sync(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(SCRIPT), *self.sync_args()],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "CLI_ECP_PASSWORD": ecp.ADMIN_PASSWORD},
        )

    def lease_taken(self) -> bool:
        return LeaseStore(self.db, TTL).current(LeaseKey(self.school, "ecp")) is not None


TTL = dt.timedelta(seconds=60)
ECP_LINES = "retries = 1\nbackoff_max_s = 0.05\ntimeout_s = 120"
JOB_AND_ALERTS = """
[[jobs]]
name = "contingent"
kind = "sync"
cron = "30 1 * * *"
platform = "ecp"
entities = ["persons"]
retries = 1
retry_backoff_s = 0.01
[alerts]"""


@pytest.fixture
def gateway(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    school = generate_school(students=STUDENTS, classes=2, seed=4).snapshot
    write_oneroster(school, tmp_path / "or")
    apply_roster(database, read_oneroster(tmp_path / "or"), school.school.code)
    emulator = ecp.create_app(ecp.world_from_snapshot(school))
    gate = UploadGate(emulator.app)
    monkeypatch.setenv("CLI_ECP_PASSWORD", ecp.ADMIN_PASSWORD)
    with WebhookServer() as hook, BackgroundServer(gate) as server:
        config = tmp_path / "gateway.toml"
        url = database.engine.url.render_as_string(hide_password=False)
        config.write_text(
            ecp_gateway_toml(url, server.base_url, school.school.code, ecp_lines=ECP_LINES, more=JOB_AND_ALERTS)
            + f'webhook_url = "{hook.url}"\n',
            encoding="utf-8",
        )
        yield Gateway(config, emulator, gate, hook, database, school.school.code)


def test_an_upload_outage_fails_the_run_and_the_scheduler_retries_and_alerts(gateway: Gateway) -> None:
    gateway.gate.open.set()
    gateway.emulator.set_faults(FaultConfig(down_paths=(UPLOAD,)))  # reads work, edu-upload answers 503
    runner = CliRunner()
    result = runner.invoke(app, gateway.sync_args())
    assert result.exit_code == 2, result.output
    assert "edu-upload" in result.output
    assert gateway.emulator.world.uploads["students"] == {}
    (run,) = recent_sync_runs(gateway.db)
    assert run.status == "failed"
    assert "503" in (run.error or "")

    job = runner.invoke(app, gateway.args("jobs", "run", "contingent"))
    assert job.exit_code == 2, job.output
    assert " failed" in job.output
    assert [r.status for r in recent_sync_runs(gateway.db)] == ["failed", "failed", "failed"]  # the job retried
    (alert,) = gateway.hook.received
    assert alert["json"]["what"] == "failed"
    assert alert["json"]["job"] == "contingent"
    assert "edu-upload" in alert["json"]["message"]

    # The service is back: the next run sends what the failed ones still owed, each record once.
    gateway.emulator.set_faults(FaultConfig())
    again = runner.invoke(app, gateway.sync_args())
    assert again.exit_code == 0, again.output
    assert len(gateway.emulator.world.uploads["students"]) == STUDENTS
    assert set(gateway.emulator.world.received.values()) == {1}


def test_a_second_sync_is_refused_while_the_first_runs_and_every_record_is_sent_once(gateway: Gateway) -> None:
    first = gateway.start_sync()
    try:
        wait_until(gateway.gate.waiting.is_set, timeout=60, what="the first sync to reach the upload")
        second = subprocess.run(
            [str(SCRIPT), *gateway.sync_args()],
            capture_output=True,
            text=True,
            env={**os.environ, "CLI_ECP_PASSWORD": ecp.ADMIN_PASSWORD},
            timeout=120,
        )
    finally:
        gateway.gate.open.set()
        out, err = first.communicate(timeout=120)
    assert second.returncode == 4, second.stdout + second.stderr
    assert "is busy: the lease is held by sync:" in second.stderr
    assert "--wait" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.returncode == 0, out + err
    assert len(gateway.emulator.world.uploads["students"]) == STUDENTS
    assert set(gateway.emulator.world.received.values()) == {1}  # no record reached the platform twice
    assert [r.status for r in recent_sync_runs(gateway.db)] == ["done"]  # the refused run never started


def test_a_killed_run_is_marked_abandoned_by_the_next_which_sends_what_it_left(gateway: Gateway) -> None:
    killed = gateway.start_sync()
    wait_until(gateway.gate.waiting.is_set, timeout=60, what="the sync to reach the upload")
    os.kill(killed.pid, signal.SIGKILL)
    killed.communicate(timeout=30)  # reaps it and closes its pipes
    with gateway.db.session() as session:  # its claimed writes are left with no answer
        assert session.scalars(select(OutboxRow).where(OutboxRow.status == "sending")).first() is not None
    (left,) = recent_sync_runs(gateway.db)
    assert left.status == "running"

    gateway.gate.open.set()
    assert gateway.lease_taken()  # its lease outlives it; the next run sees its process is gone
    result = CliRunner().invoke(app, gateway.sync_args())
    assert result.exit_code == 0, result.output
    assert f"run {left.id} was left running by a process that died" in result.output
    runs = {r.id: r for r in recent_sync_runs(gateway.db)}
    assert runs[left.id].status == "abandoned"
    assert runs[left.id].finished_at is not None
    assert "the next holder of the lease" in (runs[left.id].error or "")
    assert len(gateway.emulator.world.uploads["students"]) == STUDENTS
    with gateway.db.session() as session:
        statuses = set(session.scalars(select(OutboxRow.status)))
    assert statuses == {"done"}
    assert not gateway.lease_taken()


def test_a_reconcile_is_refused_while_another_run_holds_the_school_and_platform(gateway: Gateway) -> None:
    LeaseStore(gateway.db, TTL).acquire(LeaseKey(gateway.school, "ecp"), "gw2:99:beef", job="nightly", run_id=None)
    result = CliRunner().invoke(app, gateway.args("reconcile", "--school", gateway.school, "--platform", "ecp"))
    assert result.exit_code == 4, result.output
    assert "is busy: the lease is held by gw2:99:beef (job nightly" in result.output
    assert gateway.emulator.stats.total == 0  # nothing was read
