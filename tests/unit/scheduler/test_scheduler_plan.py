"""The configured jobs are expanded per school and checked before the daemon starts; missing kinds are refused."""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.config.settings import JobSettings, PlatformSettings
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


@pytest.mark.parametrize("kind", ["verify", "reconcile", "archive"])
def test_kinds_without_a_service_are_refused_at_start_up(kind: str) -> None:
    settings = settings_with(JobSettings(name="nightly-x", kind=kind, cron="0 4 * * *"))  # type: ignore[arg-type]
    only_sync = {"sync": SERVICES["sync"]}
    with pytest.raises(ConfigError, match=rf"jobs\.nightly-x: kind '{kind}' is not available in this version"):
        plan_jobs(settings, only_sync)


def test_this_version_runs_every_kind_the_configuration_accepts() -> None:
    assert sorted(SERVICES) == ["archive", "reconcile", "sync", "verify"]


def test_a_reconcile_job_locks_its_platform_like_a_sync() -> None:
    settings = settings_with(JobSettings(name="r", kind="reconcile", cron="0 4 * * *", platform=PLATFORM))
    (planned,) = plan_jobs(settings)
    assert (planned.school, planned.platform) == (SCHOOL, PLATFORM)


@pytest.mark.parametrize(
    ("job", "message"),
    [
        (JobSettings(name="r", kind="reconcile", cron="0 4 * * *"), "a reconcile job needs `platform`"),
        (
            JobSettings(name="r", kind="reconcile", cron="0 4 * * *", platform=PLATFORM, entities=["grades"]),
            "cannot reconcile grades",
        ),
    ],
)
def test_a_wrong_reconcile_job_is_refused_at_start_up(job: JobSettings, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        plan_jobs(settings_with(job))


def test_an_archive_job_locks_its_own_lease_not_a_platforms() -> None:
    settings = settings_with(JobSettings(name="archive", kind="archive", cron="0 20 25 6 *"))
    (planned,) = plan_jobs(settings)
    assert (planned.school, planned.platform) == (SCHOOL, "archive")


def test_a_verify_job_locks_the_esia_platform() -> None:
    settings = settings_with(JobSettings(name="verify", kind="verify", cron="0 3 * * 0", force=True))
    settings.platforms["esia"] = PlatformSettings(kind="esia", base_url="http://127.0.0.1:9/ws")
    (planned,) = plan_jobs(settings)
    assert (planned.school, planned.platform) == (SCHOOL, "esia")


@pytest.mark.parametrize(
    ("job", "message"),
    [
        (JobSettings(name="s", kind="sync", cron="0 1 * * *"), "needs `platform`"),
        (JobSettings(name="s", kind="sync", cron="0 1 * * *", platform="nope"), "no platform 'nope'"),
        (sync_job("s", entities=["persons", "grades"]), "unknown entities grades"),
        (sync_job("s", force=True), "`force` is for verify jobs"),
        (sync_job("s", schools=["sch9"]), "names school 'sch9'"),
        (sync_job("s", cron="0 1 * *"), "use five fields"),
        (JobSettings(name="v", kind="verify", cron="0 3 * * 0", platform=PLATFORM), "remove `platform"),
        (JobSettings(name="v", kind="verify", cron="0 3 * * 0"), "identity.esia_platform"),
        (JobSettings(name="a", kind="archive", cron="0 20 25 6 *", platform=PLATFORM), "remove `platform`"),
        (JobSettings(name="a", kind="archive", cron="0 20 25 6 *", force=True), "remove `force`"),
    ],
)
def test_a_wrong_job_says_what_to_fix(job: JobSettings, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        plan_jobs(settings_with(job))


def test_names_are_unique_and_known() -> None:
    with pytest.raises(ConfigError, match="used twice"):
        plan_jobs(settings_with(sync_job("x"), sync_job("x")))
    with pytest.raises(ConfigError, match="no job 'y'"):
        plan_jobs(settings_with(sync_job("x")), only="y")


def test_all_schools_needs_a_school_and_zones_must_exist() -> None:
    with pytest.raises(ConfigError, match="no \\[\\[schools\\]\\] entry"):
        plan_jobs(settings_with(sync_job(), schools=()))
    settings = settings_with(sync_job())
    settings.schools[0].timezone = "Europe/Atlantis"
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
