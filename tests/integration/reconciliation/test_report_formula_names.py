"""Issue 14, findings 1 and 8, for the nightly report: pupils whose names on Дневник.ру look like formulas
(`=HYPERLINK(…)`, DDE `=cmd|…`), pulled over a real socket, are text cells in the report's XLSX, and the three
report files are readable by the gateway's group only."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import stat
from pathlib import Path

from edugateway.emulators import dnevnik
from edugateway.emulators.loopback import emulated_platforms
from edugateway.emulators.synthetic import generate_school
from edugateway.emulators.worldgen import build_world
from edugateway.reconciliation.service import ReconcileRequest, reconcile
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.snapshots import load_snapshot
from support.xlsx_cells import cells_starting_with, formula_cells

CODE = "sch81"
UNTIL = dt.date(2026, 11, 20)
LINK = '=HYPERLINK("http://x","y")'
DDE = "=cmd|' /C calc'!A0"


def test_formula_names_from_the_platform_are_text_in_the_report(database: Database, tmp_path: Path) -> None:
    write_oneroster(generate_school(students=24, classes=2, seed=81, code=CODE).snapshot, tmp_path / "roster")
    apply_roster(database, read_oneroster(tmp_path / "roster"), CODE)
    world_dir = tmp_path / "world"
    build_world(load_snapshot(database, CODE), world_dir, profile="none", seed=81, until=UNTIL)
    world = dnevnik.load_world(world_dir)
    pupils = [p for p in world.persons.values() if "EduStudent" in p["roles"]]
    pupils[0]["lastName"] = LINK
    pupils[1]["lastName"] = DDE
    pupils[2]["lastName"] = "@SUM(1+1)"
    world.save(world_dir)
    before = os.umask(0o002)
    try:
        with emulated_platforms(world_dir, CODE) as (settings, _stats):
            settings = settings.model_copy(update={"data_dir": tmp_path / "var"})
            request = ReconcileRequest(CODE, "dnevnik", as_of=UNTIL, entities=("persons",))
            outcome = asyncio.run(reconcile(database, settings, request))
    finally:
        os.umask(before)
    assert {fmt: stat.S_IMODE(path.stat().st_mode) for fmt, path in outcome.files.items()} == {
        "html": 0o640,
        "xlsx": 0o640,
        "json": 0o640,
        "summary": 0o640,  # the director's one page: teachers and classes, 0640 like the rest
    }
    xlsx = outcome.files["xlsx"]
    assert formula_cells(xlsx) == []
    cells = cells_starting_with(xlsx, ("=", "@"))
    for name in (LINK, DDE, "@SUM(1+1)"):  # as the platform has it, or within the full name it begins
        assert any(c.value.startswith(name) for c in cells), name
    assert {(c.xml_type, c.quote_prefix) for c in cells} == {("inlineStr", True)}
