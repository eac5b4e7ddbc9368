"""`edugateway sync` and `runs list|show` against the ЕЦП emulator: a dry run prints and writes the plan and
changes nothing; the real run pushes; the journal shows both; a push cut short by an upload outage fails the
run, and `runs show` says what is still owed. Against the Дневник.ру emulator: the summary names the platform
subjects the school lacks, and `runs show` lists them."""

from __future__ import annotations

import datetime as dt
import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.emulators import dnevnik, ecp
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from support.ecp_gateway_toml import ecp_gateway_toml
from support.upload_outage import UploadOutage

UNTIL = dt.date(2026, 10, 20)


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[str], ecp.EcpEmulator, UploadOutage]]:
    school = generate_school(students=30, classes=2, seed=4).snapshot
    db = Database(f"sqlite:///{tmp_path / 'gw.sqlite3'}")
    db.migrate()
    write_oneroster(school, tmp_path / "or")
    apply_roster(db, read_oneroster(tmp_path / "or"), school.school.code)
    db.dispose()
    emulator = ecp.create_app(ecp.world_from_snapshot(school))
    outage = UploadOutage(emulator.app)
    monkeypatch.setenv("CLI_ECP_PASSWORD", ecp.ADMIN_PASSWORD)
    with BackgroundServer(outage) as server:
        config = tmp_path / "gateway.toml"
        url = f"sqlite:///{tmp_path / 'gw.sqlite3'}"
        config.write_text(ecp_gateway_toml(url, server.base_url, school.school.code), encoding="utf-8")
        yield ["--config", str(config)], emulator, outage


def test_dry_run_then_run_then_the_journal(
    setup: tuple[list[str], ecp.EcpEmulator, UploadOutage], tmp_path: Path
) -> None:
    base, emulator, _ = setup
    runner = CliRunner()
    plan_file = tmp_path / "plan.json"
    sync = [*base, "sync", "--school", "sch125", "--platform", "ecp", "--entities", "persons"]
    dry = runner.invoke(app, [*sync, "--dry-run", "--plan-json", str(plan_file)])
    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing applied" in dry.output
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    assert stat.S_IMODE(plan_file.stat().st_mode) == 0o600  # persons' keys and fields: the operator's only
    assert len(plan["entities"]["persons"]["push"]["create"]) > 30  # pupils and their representatives
    assert emulator.world.uploads["students"] == {}

    real = runner.invoke(app, sync)
    assert real.exit_code == 0, real.output
    assert len(emulator.world.uploads["students"]) == 30

    listed = runner.invoke(app, [*base, "runs", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    runs = json.loads(listed.stdout)
    assert [r["dry_run"] for r in runs] == [False, True]
    run_id = str(runs[0]["id"])
    shown = runner.invoke(app, [*base, "runs", "show", run_id, "--format", "json"])
    assert shown.exit_code == 0, shown.output
    detail = json.loads(shown.stdout)
    assert detail["status"] == "done"
    assert detail["needs_mapping"] is None  # nothing was pulled
    assert detail["counts"]["persons"]["created"] > 30
    assert detail["owed"] == []
    table = runner.invoke(app, [*base, "runs", "show", run_id])
    assert table.output.strip().endswith("Nothing is owed to ecp.")

    unknown = runner.invoke(app, [*base, "sync", "--school", "sch125", "--platform", "nope"])
    assert unknown.exit_code == 2
    assert "no platform 'nope'" in unknown.output


def test_an_upload_outage_fails_the_run_and_runs_show_says_what_is_owed(
    setup: tuple[list[str], ecp.EcpEmulator, UploadOutage],
) -> None:
    base, emulator, outage = setup
    runner = CliRunner()
    outage.lands = 1  # the pupils' file lands, then the service goes down
    failed = runner.invoke(app, [*base, "sync", "--school", "sch125", "--platform", "ecp", "--entities", "persons"])
    assert failed.exit_code == 2
    assert "pushing persons to ecp failed" in failed.output
    assert len(emulator.world.uploads["students"]) == 30
    run_id = str(json.loads(runner.invoke(app, [*base, "runs", "list", "--format", "json"]).stdout)[0]["id"])
    detail = json.loads(runner.invoke(app, [*base, "runs", "show", run_id, "--format", "json"]).stdout)
    assert detail["status"] == "failed"
    assert "are queued for the next run" in detail["error"]
    shown = runner.invoke(app, [*base, "runs", "show", run_id])
    assert shown.exit_code == 0, shown.output
    owed = shown.output.strip().splitlines()[-2:]
    assert owed[0] == "Still owed to ecp:"
    assert re.fullmatch(r"  persons: \d+ pending", owed[1])


def test_the_summary_names_the_subjects_that_need_mapping_and_runs_show_has_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = generate_journal(generate_school(students=30, classes=2, seed=4).snapshot, until=UNTIL, seed=4)
    code = journal.school.code
    local = journal.model_copy(update={"subjects": [s for s in journal.subjects if s.name != "Математика"]})
    db = Database(f"sqlite:///{tmp_path / 'gw.sqlite3'}")
    db.migrate()
    write_oneroster(local, tmp_path / "or")
    apply_roster(db, read_oneroster(tmp_path / "or"), code)
    db.dispose()
    emulator = dnevnik.create_app(dnevnik.world_from_snapshot(journal))
    monkeypatch.setenv("CLI_DNEVNIK_TOKEN", emulator.admin_token)
    with BackgroundServer(emulator.app) as server:
        config = tmp_path / "gateway.toml"
        config.write_text(
            f"""
database_url = "sqlite:///{tmp_path / "gw.sqlite3"}"
[[schools]]
code = "{code}"
platform_ids = {{ dnevnik = "{platform_id("school", code)}" }}
[platforms.dnevnik]
kind = "dnevnik"
base_url = "{server.base_url}/v2.0/"
token = {{ env = "CLI_DNEVNIK_TOKEN" }}
rate_limit_rps = 500
""",
            encoding="utf-8",
        )
        base = ["--config", str(config)]
        runner = CliRunner()
        synced = runner.invoke(app, [*base, "sync", "--school", code, "--platform", "dnevnik", "--until", str(UNTIL)])
        assert synced.exit_code == 0, synced.output
        (line,) = [line for line in synced.output.splitlines() if "need mapping" in line or "needs mapping" in line]
        assert "«Математика» (" in line
        assert line.endswith("see runs show 1")
        assert "run 1: done" in synced.output

        shown = runner.invoke(app, [*base, "runs", "show", "1", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    (subject,) = json.loads(shown.stdout)["needs_mapping"]["subjects"]
    assert subject["name"] == "Математика"
    assert subject["lessons"] > 0
