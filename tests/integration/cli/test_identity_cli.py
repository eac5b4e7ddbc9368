"""`edugateway identity verify` and `cases list` against the СМЭВ/ЕСИА emulator: the verification reports its
outcomes and opens cases; the queue comes out as a table, JSON and CSV, never with a SNILS in it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.emulators.drift import DriftProfile, drift_esia
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.smev import ENDPOINT, create_app, world_from_snapshot
from edugateway.emulators.synthetic import GeneratedSchool, generate_school
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[list[str], GeneratedSchool]]:
    generated = generate_school(students=60, classes=3, seed=9)
    db = Database(f"sqlite:///{tmp_path / 'gw.sqlite3'}")
    db.migrate()
    write_oneroster(generated.snapshot, tmp_path / "or")
    apply_roster(db, read_oneroster(tmp_path / "or"), generated.snapshot.school.code)
    db.dispose()
    esia, extras, _ = drift_esia(generated.snapshot, DriftProfile.named("heavy"), random.Random(9), dt.date.today())
    emulator = create_app(world_from_snapshot(esia, extras), response_delay_s=0.05)
    with BackgroundServer(emulator.app) as server:
        config = tmp_path / "gateway.toml"
        config.write_text(
            f"""
database_url = "sqlite:///{tmp_path / "gw.sqlite3"}"
[platforms.esia]
kind = "esia"
base_url = "{server.base_url}{ENDPOINT}"
sender_mnemonic = "EDUGW01"
poll_max_s = 0.2
""",
            encoding="utf-8",
        )
        yield ["--config", str(config)], generated


def test_verify_then_list_the_cases_in_every_format(setup: tuple[list[str], GeneratedSchool]) -> None:
    base, generated = setup
    runner = CliRunner()
    verified = runner.invoke(app, [*base, "identity", "verify", "--school", "sch125"])
    assert verified.exit_code == 0, verified.output
    assert "checked with ЕСИА" in verified.output
    assert "confirmed" in verified.output
    opened = int(verified.output.split("cases: ")[1].split(" opened")[0])
    assert opened > 0

    table = runner.invoke(app, [*base, "cases", "list", "--school", "sch125"])
    assert table.exit_code == 0, table.output
    assert f"{opened} cases" in table.output

    as_json = runner.invoke(app, [*base, "cases", "list", "--format", "json"])
    rows = json.loads(as_json.output)
    assert len(rows) == opened
    assert {"id", "case_type", "title", "status", "last_name", "class_name"} <= set(rows[0])
    missing = [r for r in rows if r["case_type"] == "missing_snils"]
    assert missing
    assert missing[0]["title"] == "Нет СНИЛС"

    as_csv = runner.invoke(app, [*base, "cases", "list", "--format", "csv", "--type", "missing_snils"])
    # For Russian Excel (issue 17): a BOM, `;` between fields, CRLF line ends.
    assert as_csv.output.startswith("\ufeffid;school;class_name;case_type;title;")
    assert as_csv.stdout_bytes.count(b"\r\n") == len(missing) + 1  # .output turns CRLF into LF
    parsed = list(csv.DictReader(io.StringIO(as_csv.output.removeprefix("\ufeff"), newline=""), delimiter=";"))
    assert len(parsed) == len(missing)
    assert {r["title"] for r in parsed} == {"Нет СНИЛС"}

    everything = table.output + as_json.output + as_csv.output
    for person in generated.snapshot.persons:
        if person.snils:
            assert person.snils not in everything.replace("-", "").replace(" ", "")

    again = runner.invoke(app, [*base, "identity", "verify", "--school", "sch125"])
    assert "0 checked with ЕСИА" in again.output
    assert "cases: 0 opened" in again.output


def test_an_unknown_school_and_a_missing_esia_entry_are_refused(
    setup: tuple[list[str], GeneratedSchool], tmp_path: Path
) -> None:
    base, _ = setup
    runner = CliRunner()
    unknown = runner.invoke(app, [*base, "identity", "verify", "--school", "nope"])
    assert unknown.exit_code == 2
    assert "no school 'nope'" in unknown.output
    bare = tmp_path / "bare.toml"
    bare.write_text(f'database_url = "sqlite:///{tmp_path / "gw.sqlite3"}"\n', encoding="utf-8")
    no_esia = runner.invoke(app, ["--config", str(bare), "identity", "verify", "--school", "sch125"])
    assert no_esia.exit_code == 2
    assert "platforms.esia" in no_esia.output
