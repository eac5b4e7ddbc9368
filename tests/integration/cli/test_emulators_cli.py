"""`edugateway emulators world` writes a world from a school in the local database; `emulators serve` runs
all three emulators on loopback and prints what a person needs to try them at once."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import edugateway
from edugateway.cli import app

SCRIPT = Path(sys.executable).parent / "edugateway"


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("emulators-cli")
    runner = CliRunner()
    demo = runner.invoke(app, ["demo", "--dir", str(base), "--students", "60", "--classes", "4", "--seed", "3"])
    assert demo.exit_code == 0, demo.output
    out = base / "cli-world"  # the demo itself leaves its worlds in base / "world"
    db = ["--database-url", f"sqlite:///{base / 'edugateway.sqlite3'}"]
    made = runner.invoke(
        app, [*db, "emulators", "world", "--from-school", "sch125", "--out", str(out), "--until", "2026-11-20"]
    )
    assert made.exit_code == 0, made.output
    assert "planted drift (realistic)" in made.output
    again = runner.invoke(app, [*db, "emulators", "world", "--from-school", "sch125", "--out", str(out)])
    assert again.exit_code == 2
    assert "not empty" in again.output
    return out


def test_the_world_has_every_platform_and_its_ground_truth(world_dir: Path) -> None:
    manifest = json.loads((world_dir / "world.json").read_text(encoding="utf-8"))
    assert manifest["school"] == "sch125"
    assert manifest["journal_until"] == "2026-11-20"
    for platform in manifest["platforms"]:
        assert (world_dir / platform).is_dir()
    assert (world_dir / "dnevnik" / "persons.jsonl").stat().st_size > 0
    assert (world_dir / "esia" / "prns.jsonl").stat().st_size > 0
    planted = [
        json.loads(line) for line in (world_dir / "planted-drift.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert planted
    assert sum(manifest["planted"].values()) == len(planted)


def test_an_unknown_school_is_refused_with_the_reason(tmp_path: Path, world_dir: Path) -> None:
    db = ["--database-url", f"sqlite:///{world_dir.parent / 'edugateway.sqlite3'}"]
    result = CliRunner().invoke(app, [*db, "emulators", "world", "--from-school", "nope", "--out", str(tmp_path / "w")])
    assert result.exit_code == 2
    assert "nope" in result.output


def test_serve_prints_ready_credentials_and_stops_on_ctrl_c(world_dir: Path) -> None:
    args = [str(SCRIPT), "emulators", "serve", "--world", str(world_dir)]
    args += ["--dnevnik-port", "0", "--ecp-port", "0", "--smev-port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env) as proc:
        try:
            output = _read_until_serving(proc)
            urls = dict(re.findall(r"^(dnevnik|ecp|smev): (http://127\.0\.0\.1:\d+)$", output, re.M))
            assert set(urls) == {"dnevnik", "ecp", "smev"}, output
            token = re.search(r"dnevnik token: ([0-9a-f]{32})$", output, re.M)
            assert token, output
            me = httpx.get(f"{urls['dnevnik']}/v2.0/users/me", headers={"Access-Token": token.group(1)})
            assert me.status_code == 200
            assert "EduSchoolAdministrator" in me.json()["roles"]
            wsdl = httpx.get(f"{urls['smev']}/smev/v1.3/ws", params={"wsdl": ""})
            assert wsdl.status_code == 200
            assert b"SendRequest" in wsdl.content
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
    assert proc.returncode == 0


def test_serve_listens_on_the_host_it_is_given_and_stops_on_sigterm(world_dir: Path) -> None:
    """`--host` is how a container publishes them (0.0.0.0); here 127.0.0.2, another loopback address. A container
    is stopped with SIGTERM, which a first process must handle itself."""
    args = [str(SCRIPT), "emulators", "serve", "--world", str(world_dir), "--host", "127.0.0.2"]
    args += ["--dnevnik-port", "0", "--ecp-port", "0", "--smev-port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env) as proc:
        try:
            output = _read_until_serving(proc)
            urls = dict(re.findall(r"^(dnevnik|ecp|smev): (http://127\.0\.0\.2:\d+)$", output, re.M))
            assert set(urls) == {"dnevnik", "ecp", "smev"}, output
            wsdl = httpx.get(f"{urls['smev']}/smev/v1.3/ws", params={"wsdl": ""})
            assert wsdl.status_code == 200
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
    assert proc.returncode == 0


def _read_until_serving(proc: subprocess.Popen[str]) -> str:
    """The lines the command prints up to «serving»; fails with what it printed if it never gets there."""
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if line.startswith("serving"):
            return "\n".join(lines)
    raise AssertionError("emulators serve did not start:\n" + "\n".join(lines))


def test_serve_says_what_it_does_and_prints_what_a_configuration_needs(world_dir: Path) -> None:
    """Issue 17, the terminal: «`emulators serve` is silent for 6–10 s, doesn't print the ЕЦП school id or a
    refresh token». Each step is printed as it starts; the ЕЦП school id and a Дневник.ру refresh token that a
    configured gateway renews its token with are printed, as the example configuration names them."""
    args = [sys.executable, "-m", "edugateway", "emulators", "serve", "--world", str(world_dir)]
    args += ["--dnevnik-port", "0", "--ecp-port", "0", "--smev-port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(Path(edugateway.__file__).resolve().parents[1])}
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env) as proc:
        try:
            output = _read_until_serving(proc)
            lines = output.splitlines()
            assert lines[0] == f"loading the Дневник.ру world from {world_dir}…", output
            assert "starting the ecp emulator on 127.0.0.1 (a free port)…" in lines
            ecp_school = json.loads((world_dir / "ecp" / "schools.jsonl").read_text(encoding="utf-8").splitlines()[0])
            ids = re.search(r'platform_ids = \{ dnevnik = "(\d+)", ecp = "([^"]+)" \}', output)
            assert ids, output
            assert ids.group(2) == ecp_school["id"]
            refresh = re.search(r"^  export EDUGATEWAY_DNEVNIK_REFRESH_TOKEN=(\S+)", output, re.M)
            client_id = re.search(r'client_id = "([^"]+)"', output)
            secret = re.search(r"^  client_secret \(the file client_secret names holds it\): (\S+)$", output, re.M)
            assert refresh, output
            assert client_id, output
            assert secret, output
            base = re.search(r'\[platforms\.dnevnik\] base_url = "([^"]+)"', output)
            assert base, output
            renewed = httpx.post(
                base.group(1) + "authorizations",
                json={
                    "grant_type": "RefreshToken",
                    "refreshToken": refresh.group(1),
                    "client_id": client_id.group(1),
                    "client_secret": secret.group(1),
                },
            )
            assert renewed.status_code == 200, renewed.text
            me = httpx.get(base.group(1) + "users/me", headers={"Access-Token": renewed.json()["accessToken"]})
            assert me.status_code == 200
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
    assert proc.returncode == 0
