"""Issue 16: nothing warned when the year's archive was missing after 30 June. 000 §3.1.16: «проводит резервное
копирование электронного классного журнала в конце учебного года (не позднее 30 июня) на 2 электронных
носителя» — the nightly report made on 1 July says so in one line; the one made on 30 June does not, nor the one
made once the year is archived. The night a report is made is the day after the day it is about (`as_of`)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from edugateway.archive import write_archive
from edugateway.config.settings import ArchiveSettings, Settings
from edugateway.emulators.loopback import emulated_platforms
from edugateway.emulators.synthetic import generate_school
from edugateway.emulators.worldgen import build_world
from edugateway.reconciliation.service import ReconcileRequest, reconcile
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.snapshots import load_snapshot

CODE = "sch16"
YEAR = 2025  # the school year 2025/2026, due by 30 June 2026


def _notes(database: Database, settings: Settings, as_of: dt.date) -> list[str]:
    request = ReconcileRequest(CODE, "dnevnik", as_of=as_of, entities=("persons",), write_files=False)
    return [n for n in asyncio.run(reconcile(database, settings, request)).report.notes if n.startswith("Архив ")]


def test_the_nightly_report_warns_from_1_july_while_the_year_is_not_archived(
    database: Database, tmp_path: Path
) -> None:
    write_oneroster(
        generate_school(students=12, classes=1, seed=16, code=CODE, academic_year=YEAR).snapshot, tmp_path / "r"
    )
    apply_roster(database, read_oneroster(tmp_path / "r"), CODE)
    build_world(load_snapshot(database, CODE), tmp_path / "world", profile="none", seed=16, until=dt.date(2026, 6, 30))
    media = [tmp_path / "media-a", tmp_path / "media-b"]
    with emulated_platforms(tmp_path / "world", CODE) as (platforms, _stats):
        settings = platforms.model_copy(update={"data_dir": tmp_path / "var", "archive": ArchiveSettings(dirs=media)})
        assert _notes(database, settings, dt.date(2026, 6, 29)) == []  # made on 30 June
        assert _notes(database, settings, dt.date(2026, 6, 30)) == [  # made on 1 July
            f"Архив 2025/2026 учебного года не записан (срок — 30 июня, 000 §3.1.16) в {media[0]}, {media[1]}: "
            f"выполните edugateway archive write --school {CODE} --year 2025."
        ]
        write_archive(settings, database, CODE, YEAR, now=dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC))
        assert _notes(database, settings, dt.date(2026, 6, 30)) == []
