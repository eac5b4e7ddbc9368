"""The configuration checks: platform ids per synced platform, jobs, and the exit code."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from edugateway.config.settings import Settings
from edugateway.doctor import CheckResult, Status, exit_code
from edugateway.doctor.configuration import platform_ids, schools_configured

PLATFORMS: dict[str, Any] = {
    "dnevnik": {"kind": "dnevnik", "base_url": "https://api.dnevnik.ru/v2/"},
    "ecp": {"kind": "ecp", "base_url": "https://dnevnik.egov66.ru/api"},
}


def settings(schools: list[dict[str, Any]], jobs: list[dict[str, Any]]) -> Settings:
    return Settings.model_validate({"schools": schools, "platforms": PLATFORMS, "jobs": jobs})


def sync(platform: str, schools: list[str] | None = None) -> dict[str, Any]:
    job: dict[str, Any] = {"name": f"sync-{platform}", "kind": "sync", "cron": "0 1 * * *", "platform": platform}
    return job | ({"schools": schools} if schools else {})


def test_a_dnevnik_sync_without_the_school_id_fails_and_names_the_setting() -> None:
    found = platform_ids(settings([{"code": "a"}, {"code": "b", "platform_ids": {"dnevnik": "1"}}], [sync("dnevnik")]))
    assert [(r.name, r.status) for r in found] == [
        ("platform ids: a", Status.FAIL),
        ("platform ids: b", Status.OK),
    ]
    assert 'dnevnik = "..."' in found[0].fix


def test_an_ecp_sync_without_the_id_only_warns_it_falls_back_to_the_code() -> None:
    [found] = platform_ids(settings([{"code": "a"}], [sync("ecp")]))
    assert found.status is Status.WARN


def test_a_school_no_job_syncs_needs_no_ids() -> None:
    found = platform_ids(settings([{"code": "a"}, {"code": "b"}], [sync("dnevnik", ["b"])]))
    assert [r.status for r in found] == [Status.OK, Status.FAIL]


def test_jobs_naming_an_unknown_school_are_refused_before_the_doctor_plans_them() -> None:
    # Refused when the configuration loads; the doctor reports that as its failed configuration check
    # (tests/integration/cli/test_config_errors_cli.py).
    with pytest.raises(ValidationError, match=r"jobs\.0\.schools: names school 'zz', which has no"):
        settings([{"code": "a"}], [sync("ecp", ["zz"])])


def test_jobs_of_unknown_entities_are_refused_before_the_doctor_plans_them() -> None:
    job = sync("ecp") | {"entities": ["persons", "grades"]}
    with pytest.raises(ValidationError, match=r"jobs\.0\.sync\.entities\.1"):
        settings([{"code": "a"}], [job])


def test_no_schools_fails() -> None:
    assert schools_configured(settings([], [])).status is Status.FAIL


def test_warnings_alone_exit_0_a_failure_exits_1() -> None:
    ok, warn, fail = CheckResult.ok("a", ""), CheckResult.warn("b", "", "x"), CheckResult.fail("c", "", "y")
    assert exit_code([ok, warn]) == 0
    assert exit_code([ok, warn, fail]) == 1
