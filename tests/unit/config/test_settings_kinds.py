"""Platforms and jobs are unions on `kind`: each kind takes its own keys, and a wrong configuration is refused at
load with one line per problem: the file and line (or the variable), the key, and what to write."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from edugateway.config import load_settings
from edugateway.config.settings import DnevnikSettings, EcpSettings, EsiaSettings, ReconcileJob, SyncJob, VerifyJob
from edugateway.errors import ConfigError

SCHOOL = """
[[schools]]
code = "sch1"
timezone = "Asia/Yekaterinburg"

[platforms.dn]
kind = "dnevnik"
base_url = "http://127.0.0.1:9/v2/"
"""


def refusal(tmp_path: Path, toml: str) -> str:
    """The message load_settings refuses `toml` with, as gateway.toml."""
    path = tmp_path / "gateway.toml"
    path.write_text(textwrap.dedent(toml).lstrip("\n"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "pydantic" not in message
    assert "errors.pydantic.dev" not in message
    return message


def test_each_kind_loads_as_its_own_type(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(
        SCHOOL
        + textwrap.dedent("""
        [platforms.ecp]
        kind = "ecp"
        base_url = "http://127.0.0.1:9/api/"
        login = "admin"

        [platforms.esia]
        kind = "esia"
        base_url = "http://127.0.0.1:9/ws"

        [[jobs]]
        name = "s"
        kind = "sync"
        cron = "0 1 * * *"
        platform = "dn"

        [[jobs]]
        name = "r"
        kind = "reconcile"
        cron = "0 4 * * *"
        platform = "ecp"

        [[jobs]]
        name = "v"
        kind = "verify"
        cron = "0 3 * * 0"
        force = true
        """),
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert [type(p) for p in settings.platforms.values()] == [DnevnikSettings, EcpSettings, EsiaSettings]
    assert [type(j) for j in settings.jobs] == [SyncJob, ReconcileJob, VerifyJob]
    assert settings.platforms["ecp"].compliance.topic_deadline_days == 7  # type: ignore[union-attr]
    assert settings.platforms["dn"].compliance.topic_deadline_days == 0  # type: ignore[union-attr]


def test_an_unknown_kind_names_the_line_and_the_kinds(tmp_path: Path) -> None:
    message = refusal(
        tmp_path,
        """
        [platforms.dnevnik]
        kind = "dnevnick"
        base_url = "https://api.dnevnik.ru/v2/"
        """,
    )
    assert message == (
        'gateway.toml:2: platforms.dnevnik.kind: expected one of dnevnik, ecp, esia, got "dnevnick"; '
        'write e.g. kind = "dnevnik"'
    ).replace("gateway.toml", str(tmp_path / "gateway.toml"))


def test_a_missing_kind_points_at_the_table(tmp_path: Path) -> None:
    message = refusal(tmp_path, '\n[platforms.esia]\nbase_url = "http://x/ws"\n')
    assert message.endswith(
        "gateway.toml:1: platforms.esia.kind: not set; every platform says which kind it is; "
        'write e.g. kind = "esia" (one of dnevnik, ecp, esia)'
    )


def test_a_missing_field_says_what_to_write(tmp_path: Path) -> None:
    message = refusal(
        tmp_path,
        SCHOOL
        + """
        [[jobs]]
        name = "nightly-report"
        kind = "reconcile"
        cron = "30 4 * * *"
        """,
    )
    assert message.endswith(
        "gateway.toml:9: jobs.nightly-report.platform: required for a reconcile job and not set; "
        'write e.g. platform = "dn" (a name from [platforms])'
    )


def test_a_wrong_type_says_what_is_expected(tmp_path: Path) -> None:
    message = refusal(tmp_path, SCHOOL + 'timeout_s = "fast"\nretries = 2.5\n')
    lines = message.splitlines()
    assert lines[0].startswith("2 problems in the configuration")
    assert lines[1].endswith(
        'gateway.toml:8: platforms.dn.timeout_s: expected a number, got "fast"; write e.g. timeout_s = 30.0'
    )
    assert lines[2].endswith(
        "gateway.toml:9: platforms.dn.retries: expected a whole number, got 2.5; write e.g. retries = 5"
    )


def test_a_setting_of_another_kind_is_refused_with_its_kind(tmp_path: Path) -> None:
    message = refusal(
        tmp_path,
        """
        [platforms.esia]
        kind = "esia"
        base_url = "http://x/ws"
        token = { env = "TOKEN" }
        """,
    )
    assert message.endswith(
        "gateway.toml:4: platforms.esia.token: not a setting of an esia platform (it is a setting of dnevnik "
        "platforms); remove it, or change `kind`"
    )


def test_an_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    message = refusal(tmp_path, 'databse_url = "sqlite:///x.db"\n')
    assert message.endswith(
        "gateway.toml:1: databse_url: unknown key; did you mean `database_url`? (otherwise remove it)"
    )
    message = refusal(tmp_path, SCHOOL + "colour = 1\n")
    assert "gateway.toml:8: platforms.dn.colour: unknown key; remove it (a dnevnik platform takes base_url," in message


def test_a_bound_is_explained(tmp_path: Path) -> None:
    message = refusal(tmp_path, SCHOOL + "rate_limit_rps = 0\n")
    assert message.endswith(
        "gateway.toml:8: platforms.dn.rate_limit_rps: should be greater than 0, got 0; write e.g. rate_limit_rps = 5.0"
    )


def test_not_toml_at_all_names_the_line(tmp_path: Path) -> None:
    message = refusal(tmp_path, 'log_level = "INFO"\nthis is not toml\n')
    assert message.startswith(f"{tmp_path / 'gateway.toml'}:2: not valid TOML: ")


@pytest.mark.parametrize(
    ("job", "message"),
    [
        ('kind = "sync"', r"gateway.toml:9: jobs.j.platform: required for a sync job and not set"),
        (
            'kind = "sync"\nplatform = "nope"',
            r"gateway.toml:13: jobs.j.platform: no platform 'nope' in \[platforms\]; ",
        ),
        (
            'kind = "sync"\nplatform = "dn"\nforce = true',
            r"jobs.j.force: not a setting of a sync job \(it is a setting of verify",
        ),
        ('kind = "sync"\nplatform = "dn"\nschools = ["sch9"]', r"jobs.j.schools: names school 'sch9', which has no"),
        (
            'kind = "verify"\nplatform = "dn"',
            r"jobs.j.platform: not a setting of a verify job .*identity.esia_platform",
        ),
        (
            'kind = "verify"',
            r"gateway.toml: identity.esia_platform: is 'esia', but platforms.esia is not an entry of kind",
        ),
        (
            'kind = "archive"\nplatform = "dn"',
            r"jobs.j.platform: not a setting of an archive job .*local database only",
        ),
        ('kind = "archive"\nforce = true', r"jobs.j.force: not a setting of an archive job .*; remove it"),
        (
            'kind = "reconcile"\nplatform = "esia"',
            r"jobs.j.platform: platform 'esia' is of kind esia, which has no roster",
        ),
    ],
)
def test_a_wrong_job_is_refused_at_load(tmp_path: Path, job: str, message: str) -> None:
    esia = '\n[platforms.esia]\nkind = "esia"\nbase_url = "http://x/ws"\n' if 'esia"' in job else ""
    toml = SCHOOL + esia + f'\n[[jobs]]\nname = "j"\ncron = "0 1 * * *"\n{job}\n'
    found = refusal(tmp_path, toml)
    assert re.search(message, found), found


def test_job_names_are_unique_and_jobs_need_a_school(tmp_path: Path) -> None:
    job = '\n[[jobs]]\nname = "x"\nkind = "sync"\ncron = "0 1 * * *"\nplatform = "dn"\n'
    assert "gateway.toml:16: jobs.x.name: 'x' is used twice; give each [[jobs]] its own name" in refusal(
        tmp_path, SCHOOL + job + job
    )
    without_schools = SCHOOL.split("[platforms.dn]")[1]
    message = refusal(tmp_path, "[platforms.dn]" + without_schools + job)
    assert "jobs.x.schools: runs for all schools, but there is no [[schools]] entry; add one" in message


def test_an_unknown_time_zone_is_refused_at_load(tmp_path: Path) -> None:
    message = refusal(tmp_path, SCHOOL.replace("Asia/Yekaterinburg", "Europe/Atlantis"))
    assert message.endswith(
        "gateway.toml:3: schools.sch1.timezone: 'Europe/Atlantis' is not a time zone; use e.g. Asia/Yekaterinburg"
    )


def test_a_value_from_the_environment_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDUGATEWAY_PLATFORMS__DN__RATE_LIMIT_RPS", "fast")
    monkeypatch.setenv("EDUGATEWAY_LOG_LEVEL", "LOUD")
    message = refusal(tmp_path, SCHOOL)
    assert 'EDUGATEWAY_LOG_LEVEL: log_level: expected one of DEBUG, INFO, WARNING, ERROR, got "LOUD"' in message
    assert (
        'EDUGATEWAY_PLATFORMS__DN__RATE_LIMIT_RPS: platforms.dn.rate_limit_rps: expected a number, got "fast"'
        in message
    )


def test_a_platform_only_in_the_environment_names_its_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDUGATEWAY_PLATFORMS__EXTRA__BASE_URL", "http://x/")
    message = refusal(tmp_path, SCHOOL)
    assert message.startswith("EDUGATEWAY_PLATFORMS__EXTRA__BASE_URL: platforms.extra.kind: not set;")


def test_the_environment_still_overrides_a_kinds_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDUGATEWAY_PLATFORMS__DN__TOKEN__ENV", "DN_TOKEN")
    path = tmp_path / "gateway.toml"
    path.write_text(SCHOOL, encoding="utf-8")
    platform = load_settings(path).platforms["dn"]
    assert isinstance(platform, DnevnikSettings)
    assert platform.token is not None
    assert platform.token.env == "DN_TOKEN"


def test_an_unknown_entity_or_direction_is_refused_at_load(tmp_path: Path) -> None:
    message = refusal(
        tmp_path,
        SCHOOL
        + """
        [platforms.dn.directions]
        pupils = "push"
        persons = "sideways"

        [[jobs]]
        name = "s"
        kind = "sync"
        cron = "0 1 * * *"
        platform = "dn"
        entities = ["persons", "grades"]
        """,
    )
    lines = message.splitlines()[1:]
    assert len(lines) == 3
    assert re.search(
        r"gateway\.toml:10: platforms\.dn\.directions\.pupils: 'pupils' is not a name .*use one of persons,", lines[0]
    )
    assert re.search(
        r"gateway\.toml:11: platforms\.dn\.directions\.persons: expected one of push, pull, compare", lines[1]
    )
    assert lines[1].endswith('write e.g. persons = "push"')
    assert re.search(r"gateway\.toml:18: jobs\.s\.entities#2: expected one of persons, .*got \"grades\"", lines[2])
