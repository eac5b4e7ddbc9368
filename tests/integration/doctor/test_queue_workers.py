"""doctor's job queue check (procrastinate executor, PostgreSQL): the schema is there, and when jobs wait some
worker has a recent heartbeat; `init-db` applies the schema once and says so (issue 19)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.doctor.queue_workers import queue_workers
from edugateway.doctor.result import Status
from edugateway.store.db import Database
from edugateway.store.queue_tables import queue_schema_present
from support.scheduler_support import settings_with, sync_job


@pytest.fixture
def pg(database: Database) -> Database:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("the procrastinate executor runs on PostgreSQL only")
    return database


def test_the_local_executor_has_no_queue_to_check(pg: Database) -> None:
    assert queue_workers(settings_with(sync_job(), database_url=pg.url)) is None


def test_init_db_applies_the_queue_schema_once_and_doctor_warns_of_waiting_jobs_without_a_worker(
    pg: Database,
) -> None:
    settings = settings_with(sync_job(), database_url=pg.url, scheduler={"executor": "procrastinate"})
    missing = queue_workers(settings)
    assert missing is not None
    assert missing.status is Status.FAIL
    assert "run `edugateway init-db`" in missing.fix

    config = ["--database-url", pg.url, "init-db"]
    env = {"EDUGATEWAY_SCHEDULER__EXECUTOR": "procrastinate"}
    first = CliRunner().invoke(app, config, env=env)
    assert first.exit_code == 0, first.output
    assert "job queue: procrastinate's tables created" in first.output
    again = CliRunner().invoke(app, config, env=env)
    assert again.exit_code == 0, again.output
    assert "job queue: procrastinate's tables already there" in again.output
    assert queue_schema_present(pg)

    idle = queue_workers(settings)
    assert idle is not None
    assert idle.status is Status.OK
    assert idle.found == "0 job(s) waiting, 0 running, 0 worker(s) alive"

    with pg.engine.begin() as conn:
        conn.execute(text("INSERT INTO procrastinate_jobs (queue_name, task_name, args) VALUES ('jobs', 't', '{}')"))
        conn.execute(text("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour')"))
    waiting = queue_workers(settings)
    assert waiting is not None
    assert waiting.status is Status.WARN
    assert "1 job(s) waiting, 0 running, 0 worker(s) alive: nothing runs the waiting jobs" in waiting.found
    assert "start `edugateway worker`" in waiting.fix

    with pg.engine.begin() as conn:
        conn.execute(text("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now())"))
    served = queue_workers(settings)
    assert served is not None
    assert served.status is Status.OK
    assert served.found == "1 job(s) waiting, 0 running, 1 worker(s) alive"


def test_the_worker_command_refuses_the_local_executor_in_one_line(pg: Database) -> None:
    result = CliRunner().invoke(app, ["--database-url", pg.url, "worker"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        'error: scheduler.executor is "local": the scheduler daemon runs the jobs itself; set executor = '
        '"procrastinate" (PostgreSQL) and run `edugateway init-db` to use workers'
    ]
