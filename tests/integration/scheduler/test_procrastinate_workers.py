"""The procrastinate executor on PostgreSQL, with daemons and workers as separate processes (issue 19, done when):

- two daemons and three workers, two per-minute jobs over 20 schools for five minutes of schedule (a minute
  compressed to a second by the daemons' trigger): every (job, school, fire) ran exactly once, every run done
  (none skipped for a busy lease: the queue's lock made them wait), and never two runs of one school and
  platform at once, by the run intervals in the job run log;
- SIGTERM: the worker's running job ends after its current window and the worker exits;
- a worker killed (SIGKILL) mid-sync, right after sending a write and before recording it: another worker
  retries its job once the dead one is stalled, the run log keeps one row for the fire, and the ЕЦП emulator
  holds one copy of every write (none lost, none doubled).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import signal
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import ecp
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.scheduler.plan import plan_jobs
from edugateway.scheduler.queue import FireQueue
from edugateway.store.db import Database
from edugateway.store.job_run_log import JobRunLog
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.queue_tables import apply_queue_schema
from edugateway.store.roster import apply_roster
from edugateway.store.tables import AuditRow, OutboxRow, SyncRunRow
from edugateway.store.times import as_utc, utc_now
from support.queue_processes import settings_of
from support.scheduler_support import wait_until

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def pg(database: Database) -> Database:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("the procrastinate executor runs on PostgreSQL only")
    assert apply_queue_schema(database)
    assert not apply_queue_schema(database)  # init-db again: already there, nothing done
    return database


class Processes:
    """Daemons and workers started by a test, each with its spec file and log; all ended at teardown."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: list[tuple[subprocess.Popen[str], Path]] = []

    def start(self, role: str, spec: dict[str, Any]) -> subprocess.Popen[str]:
        name = spec["name"]
        spec_file = self.tmp_path / f"{name}.json"
        spec_file.write_text(json.dumps(spec))
        log = self.tmp_path / f"{name}.log"
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT / 'tests'}"}
        with log.open("w") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "support.queue_processes", role, str(spec_file)],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                env=env,
                cwd=self.tmp_path,
            )
        self.started.append((proc, log))
        wait_until(lambda: "ready" in log.read_text() or proc.poll() is not None, timeout=60, what=f"{name} to start")
        assert proc.poll() is None, f"{name} ended at start:\n{log.read_text()[-3000:]}"
        return proc

    def terminate(self, proc: subprocess.Popen[str]) -> int:
        proc.send_signal(signal.SIGTERM)
        return proc.wait(timeout=60)

    def close(self) -> None:
        for proc, _log in self.started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
            if proc.stdin is not None:
                proc.stdin.close()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    running = Processes(tmp_path)
    yield running
    running.close()


SCHOOLS = [f"s{n:02d}" for n in range(20)]
FIRES = 5
FIRE = dt.datetime(2026, 10, 20, 20, 30, tzinfo=dt.UTC)


def test_two_daemons_three_workers_run_every_fire_once_one_school_at_a_time(pg: Database, processes: Processes) -> None:
    base = {"database_url": pg.url, "schools": SCHOOLS, "jobs": ["nightly", "evening"], "service": "recording"}
    # An evening run outlasts the second between fires, so the next nightly run of its school comes due while it
    # runs: only the queue's lock keeps them apart (without it the lease would refuse one: "skipped").
    base |= {"stalled_after_s": 30.0, "fires": FIRES, "run_s": {"nightly": 0.05, "evening": 1.2}}
    daemons = [processes.start("daemon", {**base, "name": f"daemon-{n}"}) for n in "ab"]
    workers = [processes.start("worker", {**base, "name": f"worker-{n}", "concurrency": 3}) for n in "xyz"]
    start = (utc_now() + dt.timedelta(seconds=2)).replace(microsecond=0)
    for proc in daemons:
        assert proc.stdin is not None
        proc.stdin.write(f"go {start.isoformat()}\n")
        proc.stdin.flush()
    expected = {
        (job, school, start + dt.timedelta(seconds=k))
        for job in base["jobs"]
        for school in SCHOOLS
        for k in range(FIRES)
    }

    def ended() -> list[Any]:
        return [r for r in JobRunLog(pg).history(limit=10_000) if r.finished_at is not None]

    wait_until(lambda: len(ended()) >= len(expected), timeout=120, what="every fire to run")
    for proc in [*daemons, *workers]:
        assert processes.terminate(proc) == 0

    rows = JobRunLog(pg).history(limit=10_000)
    ran = Counter((r.job, r.school, as_utc(r.scheduled_for)) for r in rows)
    assert set(ran) == expected
    assert max(ran.values()) == 1
    assert Counter(r.status for r in rows) == Counter(done=len(expected))
    assert {r.holder.split(":")[0] for r in rows} == {"worker"}
    assert len({r.summary["pid"] for r in rows if r.summary}) > 1, "one worker ran everything; the test proved little"
    by_school: dict[tuple[str, str], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for r in rows:
        assert r.finished_at is not None
        by_school[(r.school, r.platform)].append((as_utc(r.started_at), as_utc(r.finished_at)))
    for key, spans in by_school.items():
        spans.sort()
        for (_, end), (begin, _) in itertools.pairwise(spans):
            assert end <= begin, f"two runs of {key} overlapped"
    with pg.engine.connect() as conn:
        found = conn.execute(text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY 1")).all()
    statuses = dict(found)
    assert set(statuses) == {"succeeded"}  # a fire deferred twice (after a worker took it) ran as "taken"
    assert statuses["succeeded"] >= len(expected)


def test_sigterm_lets_a_worker_end_its_run_after_the_current_window(pg: Database, processes: Processes) -> None:
    spec: dict[str, Any] = {"database_url": pg.url, "schools": ["sch1"], "jobs": ["nightly"], "service": "windows"}
    spec |= {"stalled_after_s": 30.0, "name": "worker-w"}
    settings = settings_of(spec)
    (planned,) = plan_jobs(settings)
    worker = processes.start("worker", spec)
    queue = FireQueue(settings)
    queue.open()
    try:
        assert queue.defer(planned, FIRE) is not None
    finally:
        queue.close()
    wait_until(lambda: [r.status for r in JobRunLog(pg).history()] == ["running"], what="the run to start")
    assert processes.terminate(worker) == 0
    (row,) = JobRunLog(pg).history()
    assert row.status == "interrupted"  # ended by the stop after a whole window, not killed: the next run goes on
    assert row.summary is not None
    assert row.summary["windows"] >= 1  # the service's own ending, recorded: it returned, it was not cut off
    with pg.engine.connect() as conn:
        assert conn.scalar(text("SELECT status::text FROM procrastinate_jobs")) == "succeeded"


# --- a worker killed mid-sync ---------------------------------------------------------------------------------

CODE = "sch125"


@pytest.fixture(scope="module")
def school() -> SchoolSnapshot:
    return generate_school(students=60, classes=4, seed=8, code=CODE).snapshot


def test_a_worker_killed_mid_sync_is_retried_by_another_with_no_lost_or_doubled_write(
    pg: Database, school: SchoolSnapshot, processes: Processes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_oneroster(school, tmp_path / "or")
    apply_roster(pg, read_oneroster(tmp_path / "or"), CODE)
    emulator = ecp.create_app(ecp.world_from_snapshot(school))
    monkeypatch.setenv("SYNC_ECP_PASSWORD", ecp.ADMIN_PASSWORD)
    with BackgroundServer(emulator.app) as server:
        spec: dict[str, Any] = {"database_url": pg.url, "schools": [CODE], "service": "ecp", "stalled_after_s": 2.0}
        spec |= {"ecp_base_url": f"{server.base_url}/api/", "ecp_login": ecp.admin_login(CODE)}
        settings = settings_of(spec)
        (planned,) = plan_jobs(settings)
        queue = FireQueue(settings)
        queue.open()
        try:
            assert queue.defer(planned, FIRE) is not None
            assert queue.defer(planned, FIRE) is None  # the same fire again while it waits: held by its queueing lock
        finally:
            queue.close()

        doomed = processes.start("worker", {**spec, "name": "worker-doomed", "kill_after_records": 0})
        assert doomed.wait(timeout=60) == -signal.SIGKILL
        (first,) = JobRunLog(pg).history()
        assert first.status == "running"  # the dead worker's claim, left as it was
        with pg.session() as session:
            assert session.scalars(select(SyncRunRow.status)).all() == ["running"]
            assert session.scalar(select(func.count()).where(OutboxRow.status == "sending")) > 0

        heir = processes.start("worker", {**spec, "name": "worker-heir"})
        wait_until(lambda: JobRunLog(pg).history()[0].status != "running", timeout=90, what="the retried run to end")
        assert processes.terminate(heir) == 0

    (row,) = JobRunLog(pg).history()
    assert row.status == "done", row.error
    assert row.id == first.id
    assert row.holder != first.holder
    assert row.holder.endswith(first.holder.rsplit(":", 1)[-1])  # the same queue job, on another worker
    with pg.session() as session:
        assert sorted(session.scalars(select(SyncRunRow.status))) == ["abandoned", "done"]
        left = list(session.execute(select(OutboxRow.status, OutboxRow.op).where(OutboxRow.status != "done")))
        assert left == []
        pushes = session.scalar(select(func.count()).where(AuditRow.action == "push_create"))
        created = {r.local_key for r in session.scalars(select(OutboxRow).where(OutboxRow.op == "create"))}
    wanted = {p.id for p in school.persons if "student" in p.roles}
    assert {key[0] for key in emulator.world.uploads["students"]} == wanted  # none lost
    assert pushes == len(created)  # one recorded push per write: none doubled
