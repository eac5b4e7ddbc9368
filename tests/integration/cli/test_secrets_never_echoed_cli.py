"""Issue 14, finding 7: a secret written where its reference belongs (in gateway.toml or an EDUGATEWAY_* variable),
and the password of a database URL, never come back on stdout or stderr: not from `doctor`, not from a command
that fails on the configuration, not as pydantic's `input_value=`."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from support.cli_process import run_cli

TOKEN = "d7c1e0f4a9b24c3e8f6a1b2c3d4e5f60"  # shaped like a Дневник.ру token
PASSWORD = "Pa55-word-never-shown"
COMMANDS = [["doctor"], ["sync", "--school", "sch125", "--platform", "dnevnik"]]


def _config(folder: Path, token_line: str) -> Path:
    path = folder / "gateway.toml"
    path.write_text(
        textwrap.dedent(
            f"""\
            database_url = "sqlite:///{folder}/gw.sqlite3"
            [[schools]]
            code = "sch125"
            [platforms.dnevnik]
            kind = "dnevnik"
            base_url = "http://127.0.0.1:9/v2/"
            {token_line}
            """
        ),
        encoding="utf-8",
    )
    return path


def _assert_refused_without(secret: str, result: subprocess.CompletedProcess[str]) -> str:
    out = result.stdout + result.stderr
    assert result.returncode == 2, out
    assert secret not in out
    assert "input_value" not in out
    assert "Traceback" not in out
    return out


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_literal_token_in_the_file_is_refused_and_never_repeated(tmp_path: Path, command: list[str]) -> None:
    _config(tmp_path, f'token = "{TOKEN}"')
    result = run_cli(*command, cwd=tmp_path)
    out = _assert_refused_without(TOKEN, result)
    assert "gateway.toml:7: platforms.dnevnik.token: a secret itself is never written in the configuration" in out
    assert 'token = { env = "VARIABLE" }' in out


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_literal_token_in_the_variable_is_refused_and_never_repeated(tmp_path: Path, command: list[str]) -> None:
    _config(tmp_path, "")
    result = run_cli(*command, cwd=tmp_path, env={"EDUGATEWAY_PLATFORMS__DNEVNIK__TOKEN": TOKEN})
    out = _assert_refused_without(TOKEN, result)
    assert "EDUGATEWAY_PLATFORMS__DNEVNIK__TOKEN: platforms.dnevnik.token: a secret itself is never written" in out


def test_a_token_written_as_the_name_of_its_variable_is_not_shown(tmp_path: Path) -> None:
    _config(tmp_path, f'token = {{ env = "{TOKEN}" }}')
    result = run_cli("doctor", cwd=tmp_path)
    out = result.stdout + result.stderr
    assert TOKEN not in out
    assert "does not look like a variable's name" in out


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://edugateway:{PASSWORD}@db.local:port5432/edugateway",  # not a URL: its port is no number
        f"postgresql//edugateway:{PASSWORD}@db.local/edugateway",  # not a URL: no scheme
    ],
)
@pytest.mark.parametrize("where", ["option", "variable"])
def test_a_database_url_that_does_not_parse_is_refused_without_its_password(
    tmp_path: Path, url: str, where: str
) -> None:
    _config(tmp_path, "")
    for command in (["doctor"], ["import", "oneroster", str(tmp_path), "--school", "sch125"]):
        if where == "option":
            result = run_cli("--database-url", url, *command, cwd=tmp_path)
        else:
            result = run_cli(*command, cwd=tmp_path, env={"EDUGATEWAY_DATABASE_URL": url})
        out = _assert_refused_without(PASSWORD, result)
        assert "database_url: is not a database URL" in out


def test_an_unreachable_database_is_named_without_its_password(tmp_path: Path) -> None:
    _config(tmp_path, "")
    url = f"postgresql://edugateway:{PASSWORD}@127.0.0.1:9/edugateway"
    result = run_cli(
        "import", "oneroster", str(tmp_path), "--school", "sch125", cwd=tmp_path, env={"EDUGATEWAY_DATABASE_URL": url}
    )
    _assert_refused_without(PASSWORD, result)
    doctor = run_cli("doctor", cwd=tmp_path, env={"EDUGATEWAY_DATABASE_URL": url})
    assert PASSWORD not in doctor.stdout + doctor.stderr
    assert "edugateway:***@127.0.0.1:9" in doctor.stdout
