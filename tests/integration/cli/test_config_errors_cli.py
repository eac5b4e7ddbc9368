"""A wrong gateway.toml, as a user sees it: every command refuses it with one line per problem (the file and
line, the key, what to write) and exit code 2, and nothing of pydantic's own text."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edugateway.cli import app

WRONG = textwrap.dedent(
    """\
    [[schools]]
    code = "sch125"

    [platforms.dnevnik]
    kind = "dnevnick"
    base_url = "https://api.dnevnik.ru/v2/"

    [[jobs]]
    name = "nightly-report"
    kind = "reconcile"
    cron = "30 4 * * *"
    """
)


@pytest.fixture
def wrong_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "gateway.toml"
    path.write_text(WRONG, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["jobs", "list"],
        ["sync", "--school", "sch125", "--platform", "dnevnik"],
        ["reconcile", "--school", "sch125", "--platform", "dnevnik"],
    ],
)
def test_a_wrong_configuration_is_refused_with_its_lines_and_exit_2(wrong_config: Path, command: list[str]) -> None:
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "error: 2 problems in the configuration; fix each, then run again:",
        '  gateway.toml:5: platforms.dnevnik.kind: expected one of dnevnik, ecp, esia, got "dnevnick"; '
        'write e.g. kind = "dnevnik"',
        "  gateway.toml:8: jobs.nightly-report.platform: required for a reconcile job and not set; "
        'write e.g. platform = "dnevnik" (a name from [platforms])',
    ]
    assert "pydantic" not in result.output


def test_doctor_reports_it_as_the_configuration_check(wrong_config: Path) -> None:
    result = CliRunner().invoke(app, ["--config", str(wrong_config), "doctor"])
    assert result.exit_code == 2  # README: 2, the configuration cannot be loaded
    assert f"{wrong_config}:5: platforms.dnevnik.kind: expected one of dnevnik, ecp, esia" in result.output


def test_a_variable_is_named_instead_of_a_line(wrong_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong_config.write_text(WRONG.replace("dnevnick", "dnevnik").split("[[jobs]]")[0], encoding="utf-8")
    monkeypatch.setenv("EDUGATEWAY_PLATFORMS__DNEVNIK__MAX_CONCURRENCY", "0")
    result = CliRunner().invoke(app, ["jobs", "list"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: EDUGATEWAY_PLATFORMS__DNEVNIK__MAX_CONCURRENCY: platforms.dnevnik.max_concurrency: should be greater "
        'than or equal to 1, got "0"; set e.g. EDUGATEWAY_PLATFORMS__DNEVNIK__MAX_CONCURRENCY=4\n'
    )
