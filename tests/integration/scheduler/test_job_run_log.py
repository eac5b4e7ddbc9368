"""The job run run_log on SQLite and PostgreSQL: a fire is claimed once; the history reads newest first."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from edugateway.store.db import Database
from edugateway.store.job_run_log import Fire, JobRunLog
from edugateway.store.times import as_utc

AT = dt.datetime(2026, 3, 11, 1, 30, tzinfo=ZoneInfo("Asia/Yekaterinburg"))


def _fire(job: str = "nightly", school: str = "sch1", at: dt.datetime = AT) -> Fire:
    return Fire(job, "sync", school, "dnevnik", at, "schedule")


def test_a_fire_is_claimed_once_whatever_the_zone_it_is_named_in(database: Database) -> None:
    run_log = JobRunLog(database)
    first = run_log.claim(_fire(), "daemon-a")
    assert first is not None
    assert run_log.claim(_fire(at=AT.astimezone(dt.UTC)), "daemon-b") is None
    assert run_log.claimed_by(_fire()) == "daemon-a"
    assert run_log.claim(_fire(school="sch2"), "daemon-b") is not None  # another school: its own fire
    assert run_log.claim(_fire(job="weekly"), "daemon-b") is not None
    assert run_log.has_run("nightly", "sch1", AT)
    assert not run_log.has_run("nightly", "sch1", AT + dt.timedelta(days=1))


def test_history_and_latest(database: Database) -> None:
    run_log = JobRunLog(database)
    ids = [run_log.claim(_fire(at=AT + dt.timedelta(days=n)), "daemon-a") for n in range(3)]
    assert None not in ids
    run_log.finish(ids[0] or 0, "done", summary={"sync_run": 1})
    run_log.finish(ids[1] or 0, "failed", error="[dnevnik] down")
    rows = run_log.history(job="nightly", limit=2)
    assert [r.id for r in rows] == [ids[2], ids[1]]
    assert as_utc(rows[0].scheduled_for) == AT + dt.timedelta(days=2)
    assert rows[1].error == "[dnevnik] down"
    latest = run_log.latest()
    assert latest[("nightly", "sch1")].id == ids[2]
    assert run_log.history(school="other") == []
    with pytest.raises(ValueError, match="status is one of"):
        run_log.finish(ids[2] or 0, "running")
