"""A fire's queue priority (issue 19: "priorities and fairness"): from its job's kind, the night's syncs before what
reads their results, unless [[jobs]] sets `priority`."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from edugateway.config.settings import MonthReportJob
from edugateway.scheduler import plan_jobs
from edugateway.scheduler.queue import KIND_PRIORITY, fire_priority
from edugateway.scheduler.services import SERVICES
from support.scheduler_support import settings_with, sync_job


def test_syncs_come_before_reports_and_archives() -> None:
    assert KIND_PRIORITY["sync"] > KIND_PRIORITY["verify"] > KIND_PRIORITY["reconcile"] > KIND_PRIORITY["archive"]
    assert KIND_PRIORITY["month-report"] == KIND_PRIORITY["period-report"] == KIND_PRIORITY["reconcile"]
    assert set(KIND_PRIORITY) == set(SERVICES)  # every kind a job may have is ranked


def test_a_configured_priority_wins() -> None:
    sync, report = plan_jobs(settings_with(sync_job(), MonthReportJob(name="month", cron="0 6 1 * *", priority=40)))
    assert (fire_priority(sync), fire_priority(report)) == (30, 40)


def test_a_priority_out_of_range_is_refused() -> None:
    with pytest.raises(ValidationError, match="less than or equal to 100"):
        sync_job(priority=1000)
