"""write_archive, as the CLI and the scheduler call it: a verified folder holding the school's real numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from edugateway.archive import verify_archive, write_archive
from edugateway.config.settings import ArchiveJob, ArchiveSettings, SchoolSettings, Settings
from edugateway.errors import ValidationError
from edugateway.logs import get_logger
from edugateway.scheduler import JobContext
from edugateway.scheduler.services import run_archive_job
from edugateway.store.db import Database
from edugateway.store.tables import ClassRow, PersonRow, SchoolRow
from support.archive_school import CODE, ORDER_5A, SCHOOL_NAME, YEAR, add_archive_school
from support.xlsx_cells import cells_starting_with, formula_cells

# 30 June 2027 on the school's clock (Asia/Yekaterinburg, UTC+5): still the 2026/2027 school year.
JUNE = dt.datetime(2027, 6, 25, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def school_db(database: Database) -> Database:
    add_archive_school(database)
    return database


def test_the_archive_of_the_current_year_verifies_and_holds_the_sheet(school_db: Database, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    summary = write_archive(settings, school_db, CODE, now=JUNE)
    path = Path(summary["path"])
    assert path == tmp_path / "var" / "archive" / CODE / "2026-2027"
    assert (summary["academic_year"], summary["classes"], summary["students"]) == (YEAR, 2, 4)
    assert summary["files"] == [
        "journal-2026-2027-10A-2.xlsx",
        "journal-2026-2027-5A-1.xlsx",
        "summary-sheet-2026-2027.html",
        "summary-sheet-2026-2027.xlsx",
    ]
    result = verify_archive(path, expected_manifest_sha256=summary["manifest_sha256"])
    assert result.ok, result.problems
    book = load_workbook(path / "summary-sheet-2026-2027.xlsx")
    assert book.sheetnames == ["5А", "10А", "Итоги"]
    assert [book["5А"].cell(row, 2).value for row in (5, 6, 7)] == ORDER_5A
    html = (path / "summary-sheet-2026-2027.html").read_text(encoding="utf-8")
    assert "обучающихся 5А класса, 2026/2027 учебный год" in html
    assert SCHOOL_NAME in html
    assert "66,7" in html  # 5А's успеваемость in the first quarter
    assert "Борисова" not in html  # she left in December


def test_the_configured_dir_an_explicit_year_and_no_overwrite(school_db: Database, tmp_path: Path) -> None:
    settings = Settings(archive=ArchiveSettings(dir=tmp_path / "media1"))
    first = write_archive(settings, school_db, CODE, YEAR, now=JUNE)
    again = write_archive(settings, school_db, CODE, YEAR, now=JUNE + dt.timedelta(hours=1))
    assert Path(first["path"]) == tmp_path / "media1" / CODE / "2026-2027"
    assert Path(again["path"]) == tmp_path / "media1" / CODE / "2026-2027.20270625T110000"
    assert verify_archive(Path(first["path"])).ok


def test_an_unknown_school_is_refused_and_nothing_written(school_db: Database, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="school 'nope' is not in the database"):
        write_archive(Settings(data_dir=tmp_path), school_db, "nope", now=JUNE)
    assert not (tmp_path / "archive").exists()


def test_the_scheduler_archives_the_year_of_its_fire_time(school_db: Database, tmp_path: Path) -> None:
    job = ArchiveJob(name="yearly-archive", cron="0 20 25 6 *")
    settings = Settings(data_dir=tmp_path, schools=[SchoolSettings(code=CODE)], jobs=[job])
    ctx = JobContext(school_db, settings, job, CODE, "archive", JUNE, "scheduler:yearly-archive", "test-holder")
    outcome = run_archive_job(ctx)
    assert outcome.attention is None
    assert outcome.summary["academic_year"] == YEAR
    assert verify_archive(Path(outcome.summary["path"])).ok


def test_the_writes_lines_name_the_school_only_while_it_writes(
    school_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from edugateway.archive import service

    build = service.build_summary_sheet

    def logging_build(*args: Any) -> Any:
        get_logger("test").info("build.inside")
        return build(*args)

    monkeypatch.setattr(service, "build_summary_sheet", logging_build)
    with capture_logs(processors=[merge_contextvars]) as logs:
        write_archive(Settings(data_dir=tmp_path / "var"), school_db, CODE, YEAR, now=JUNE)
        get_logger("test").info("after.write")
    (inside,) = [e for e in logs if e["event"] == "build.inside"]
    assert inside["school"] == CODE
    (after,) = [e for e in logs if e["event"] == "after.write"]
    assert "school" not in after


def test_names_that_look_like_formulas_stay_text_in_the_summary_sheet(school_db: Database, tmp_path: Path) -> None:
    """Issue 14, finding 1: names the school's own system wrote straight into the database (no importer to refuse
    them) reach the XLSX summary sheet as text cells, never as live formulas."""
    dangerous = {
        "abramova": '=HYPERLINK("http://x","y")',
        "ezhov": "=cmd|' /C calc'!A0",
        "elkin": "@SUM(1+1)",
    }
    with school_db.session() as session:
        for source_id, last_name in dangerous.items():
            session.execute(update(PersonRow).where(PersonRow.source_id == source_id).values(last_name=last_name))
        session.execute(update(ClassRow).where(ClassRow.source_id == "c5a").values(name="-5А"))
        session.execute(update(SchoolRow).where(SchoolRow.code == CODE).values(name="+МАОУ СОШ № 42"))
    summary = write_archive(Settings(data_dir=tmp_path / "var"), school_db, CODE, now=JUNE)
    xlsx = Path(summary["path"]) / "summary-sheet-2026-2027.xlsx"
    assert formula_cells(xlsx) == []
    cells = cells_starting_with(xlsx, ("=", "+", "-", "@"))
    assert {c.value for c in cells} >= {'=HYPERLINK("http://x","y") В. П.', "=cmd|' /C calc'!A0 Г.", "-5А"}
    assert {(c.xml_type, c.quote_prefix) for c in cells} == {("inlineStr", True)}
