"""A long sync shows its progress at a terminal and nothing extra in a pipe (issue 17, the terminal: «Long
commands are silent … Show progress at a terminal (entity, window, requests, ETA) with rich, and nothing extra
when not a TTY»). The same sync against the Дневник.ру emulator, run as `python -m edugateway` of the tree under
test, once under a pseudo-terminal and once with pipes."""

from __future__ import annotations

import datetime as dt
import os
import pty
import re
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import edugateway
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster

UNTIL = dt.date(2026, 10, 20)  # the school year from 1 September: three windows of the pull per journal entity
SRC = Path(edugateway.__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\r")


@pytest.fixture
def command(tmp_path: Path) -> Iterator[tuple[list[str], dict[str, str]]]:
    journal = generate_journal(generate_school(students=20, classes=2, seed=5).snapshot, until=UNTIL, seed=5)
    code = journal.school.code
    db = Database(f"sqlite:///{tmp_path / 'gw.sqlite3'}")
    db.migrate()
    write_oneroster(journal, tmp_path / "or")
    apply_roster(db, read_oneroster(tmp_path / "or"), code)
    db.dispose()
    emulator = dnevnik.create_app(dnevnik.world_from_snapshot(journal))
    with BackgroundServer(emulator.app) as server:
        config = tmp_path / "gateway.toml"
        config.write_text(
            f"""
database_url = "sqlite:///{tmp_path / "gw.sqlite3"}"
data_dir = "{tmp_path / "data"}"
log_level = "WARNING"
[[schools]]
code = "{code}"
platform_ids = {{ dnevnik = "{platform_id("school", code)}" }}
[platforms.dnevnik]
kind = "dnevnik"
base_url = "{server.base_url}/v2.0/"
token = {{ env = "CLI_DNEVNIK_TOKEN" }}
rate_limit_rps = 500
[[jobs]]
name = "nightly-report"
kind = "reconcile"
cron = "0 4 * * *"
platform = "dnevnik"
""",
            encoding="utf-8",
        )
        args = [sys.executable, "-m", "edugateway", "--config", str(config)]
        args += ["sync", "--school", code, "--platform", "dnevnik", "--until", str(UNTIL)]
        env = {**os.environ, "PYTHONPATH": str(SRC), "CLI_DNEVNIK_TOKEN": emulator.admin_token, "TERM": "xterm"}
        env.pop("NO_COLOR", None)
        yield args, env


def _under_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Runs the command with stdin, stdout and stderr on a pseudo-terminal; returns its exit code and screen text."""
    controller, terminal = pty.openpty()
    with subprocess.Popen(args, stdin=terminal, stdout=terminal, stderr=terminal, env=env) as proc:
        os.close(terminal)
        chunks: list[bytes] = []
        while True:
            ready, _, _ = select.select([controller], [], [], 120)
            if not ready:
                proc.kill()
                printed = b"".join(chunks).decode(errors="replace")
                raise AssertionError(f"the sync printed nothing for 120 s after:\n{printed}")
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: every process holding it ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = proc.wait(timeout=60)
    os.close(controller)
    return code, ANSI.sub("", b"".join(chunks).decode("utf-8", errors="replace"))


def test_a_terminal_sees_entities_windows_and_requests(command: tuple[list[str], dict[str, str]]) -> None:
    code, screen = _under_a_terminal(*command)
    assert code == 0, screen
    assert "persons: reading the platform's roster" in screen
    for entity in ("lessons", "marks", "attendance"):
        assert f"{entity}: 2026-09-01…2026-09-30 (1/2)" in screen, screen
        assert f"{entity}: 2026-10-01…2026-10-20 (2/2)" in screen, screen
    assert "final_marks: the whole year" in screen
    assert re.search(r"\d+ requests", screen), screen
    assert "run 1: done" in screen


def test_a_pipe_gets_only_the_summary(command: tuple[list[str], dict[str, str]]) -> None:
    args, env = command
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    assert "window" not in done.stdout
    assert "requests" not in done.stdout
    assert "2026-09-01…" not in done.stdout
    assert "reading the platform's roster" not in done.stdout
    assert done.stdout.splitlines()[-1] == "run 1: done"


def test_jobs_run_of_a_reconcile_job_shows_progress_at_a_terminal(command: tuple[list[str], dict[str, str]]) -> None:
    args, env = command
    job = [*args[: args.index("sync")], "jobs", "run", "nightly-report"]
    code, screen = _under_a_terminal(job, env)
    assert code in (0, 1), screen
    assert "nightly-report" in screen
    assert "reconcile job" in screen
    assert re.search(r"[1-9]\d* requests", screen), screen
