"""The configured jobs are expanded per school and checked before the daemon starts; missing kinds are refused."""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.config.settings import (
    ArchiveJob,
    ArchiveVerifyJob,
    EsiaSettings,
    JobSettings,
    ReconcileJob,
    VerifyJob,
)
from edugateway.domain.entities import Entity
from edugateway.errors import ConfigError
from edugateway.scheduler import SERVICES, plan_jobs
from edugateway.scheduler.cron import cron_trigger
from edugateway.scheduler.plan import last_fire_before
from support.scheduler_support import PLATFORM, SCHOOL, settings_with, sync_job


def test_one_unit_per_job_and_school_in_the_schools_zone() -> None:
    settings = settings_with(sync_job("all"), sync_job("one", schools=["b"]), schools=("a", "b"))
    planned = plan_jobs(settings)
    assert [(p.id, p.platform, str(p.timezone)) for p in planned] == [
        ("all@a", PLATFORM, "Asia/Yekaterinburg"),
        ("all@b", PLATFORM, "Asia/Yekaterinburg"),
        ("one@b", PLATFORM, "Asia/Yekaterinburg"),
    ]
    assert [p.id for p in plan_jobs(settings, only="one")] == ["one@b"]


ESIA = {"esia": EsiaSettings(base_url="http://127.0.0.1:9/ws")}
VALID_JOBS: dict[str, JobSettings] = {
    "verify": VerifyJob(name="nightly-x", cron="0 4 * * *"),
    "reconcile": ReconcileJob(name="nightly-x", cron="0 4 * * *", platform=PLATFORM),
    "archive": ArchiveJob(name="nightly-x", cron="0 4 * * *"),
    "archive-verify": ArchiveVerifyJob(name="nightly-x", cron="0 4 * * *"),
}


@pytest.mark.parametrize("kind", ["verify", "reconcile", "archive", "archive-verify"])
def test_kinds_without_a_service_are_refused_at_start_up(kind: str) -> None:
    settings = settings_with(VALID_JOBS[kind], platforms=ESIA)
    only_sync = {"sync": SERVICES["sync"]}
    with pytest.raises(ConfigError, match=rf"jobs\.nightly-x: kind '{kind}' is not available in this version"):
        plan_jobs(settings, only_sync)


def test_this_version_runs_every_kind_the_configuration_accepts() -> None:
    assert sorted(SERVICES) == [
        "archive",
        "archive-verify",
        "month-report",
        "period-report",
        "reconcile",
        "sync",
        "verify",
    ]


def test_a_reconcile_job_locks_its_platform_like_a_sync() -> None:
    settings = settings_with(ReconcileJob(name="r", cron="0 4 * * *", platform=PLATFORM))
    (planned,) = plan_jobs(settings)
    assert (planned.school, planned.platform) == (SCHOOL, PLATFORM)


def test_a_reconcile_job_of_unknown_entities_is_refused_at_start_up() -> None:
    job = ReconcileJob(name="r", cron="0 4 * * *", platform=PLATFORM, entities=[Entity.HOMEWORK])
    with pytest.raises(ConfigError, match="cannot reconcile homework"):
        plan_jobs(settings_with(job))


def test_an_archive_job_locks_its_own_lease_not_a_platforms() -> None:
    settings = settings_with(ArchiveJob(name="archive", cron="0 20 25 6 *"))
    (planned,) = plan_jobs(settings)
    assert (planned.school, planned.platform) == (SCHOOL, "archive")


def test_an_archive_verify_job_shares_the_archive_lease_so_it_never_checks_a_folder_being_written() -> None:
    settings = settings_with(ArchiveVerifyJob(name="archive-check", cron="0 6 1 * *"))
    (planned,) = plan_jobs(settings)
    assert (planned.school, planned.platform) == (SCHOOL, "archive")


def test_a_verify_job_locks_the_esia_platform() -> None:
    settings = settings_with(VerifyJob(name="verify", cron="0 3 * * 0", force=True), platforms=ESIA)
    (planned,) = plan_jobs(settings)
    assert (planned.school, planned.platform) == (SCHOOL, "esia")


# A job without its platform, with another kind's setting, naming an unknown platform, school or entity, or used
# twice is refused when the configuration loads: tests/unit/config/test_settings_kinds.py.
def test_a_wrong_cron_says_what_to_fix() -> None:
    with pytest.raises(ConfigError, match="use five fields"):
        plan_jobs(settings_with(sync_job("s", cron="0 1 * *")))


def test_a_verify_job_needs_an_esia_platform_that_can_be_asked() -> None:
    settings = settings_with(VerifyJob(name="v", cron="0 3 * * 0"), platforms=ESIA)
    settings.identity.esia_platform = PLATFORM  # changed after load: the scheduler still refuses it
    with pytest.raises(ConfigError, match=r"identity\.esia_platform"):
        plan_jobs(settings)


def test_names_must_be_known() -> None:
    with pytest.raises(ConfigError, match="no job 'y'"):
        plan_jobs(settings_with(sync_job("x")), only="y")


def test_zones_must_exist() -> None:
    settings = settings_with(sync_job())
    settings.schools[0].timezone = "Europe/Atlantis"  # changed after load: the scheduler still refuses it
    with pytest.raises(ConfigError, match="not a time zone"):
        plan_jobs(settings)


def test_after_downtime_only_the_latest_missed_fire_is_owed() -> None:
    hourly = cron_trigger("hourly", "0 * * * *", dt.UTC)
    now = dt.datetime(2026, 3, 10, 12, 20, tzinfo=dt.UTC)
    # down since 07:10: five fires missed (08:00 … 12:00); six hours of grace cover all, one is owed
    assert last_fire_before(hourly, now, dt.timedelta(hours=6)) == dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
    # a fire older than the grace is not owed
    assert last_fire_before(hourly, now, dt.timedelta(minutes=19)) is None
    assert last_fire_before(hourly, now.replace(minute=0), dt.timedelta(minutes=1)) == now.replace(minute=0)
