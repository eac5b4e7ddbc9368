"""`write_archive`: the service the CLI (`edugateway archive write`) and the scheduler (kind `archive`) both call."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from edugateway.archive.manifest import write_archive_folder
from edugateway.archive.render_html import write_html
from edugateway.archive.render_xlsx import write_xlsx
from edugateway.archive.summary_sheet import build_summary_sheet, current_academic_year
from edugateway.config.settings import Settings
from edugateway.errors import ValidationError
from edugateway.logs import get_logger, run_context
from edugateway.store.db import Database
from edugateway.store.schools import find_school

log = get_logger(__name__)


def archive_root(settings: Settings) -> Path:
    return settings.archive.dir or settings.data_dir / "archive"


def school_today(database: Database, school_code: str, now: dt.datetime) -> dt.date:
    """`now` as a date on the school's wall clock (the school year turns over in the school's time)."""
    school = find_school(database, school_code)
    if school is None:
        raise ValidationError(f"school {school_code!r} is not in the database; import it first or check --school")
    return now.astimezone(ZoneInfo(school.timezone)).date()


def write_archive(
    settings: Settings,
    database: Database,
    school_code: str,
    year: int | None = None,
    *,
    out_dir: Path | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Writes the summary sheet of `year` (the year the school year starts; default: the current one) as XLSX and
    HTML with a manifest into a new archive folder under `out_dir` (default: [archive] dir) and says what it did."""
    with run_context(school=school_code):
        return _write_archive(settings, database, school_code, year, out_dir=out_dir, now=now)


def _write_archive(
    settings: Settings,
    database: Database,
    school_code: str,
    year: int | None,
    *,
    out_dir: Path | None,
    now: dt.datetime | None,
) -> dict[str, Any]:
    generated_at = now or dt.datetime.now(dt.UTC)
    academic_year = (
        year if year is not None else current_academic_year(school_today(database, school_code, generated_at))
    )
    sheet = build_summary_sheet(database, school_code, academic_year)
    stem = f"summary-sheet-{academic_year}-{academic_year + 1}"

    def write_files(folder: Path) -> list[str]:
        write_xlsx(sheet, folder / f"{stem}.xlsx")
        write_html(sheet, folder / f"{stem}.html")
        return [f"{stem}.xlsx", f"{stem}.html"]

    written = write_archive_folder(
        out_dir or archive_root(settings),
        school=sheet.school_code,
        school_name=sheet.school_name,
        academic_year=academic_year,
        generated_at=generated_at,
        write_files=write_files,
    )
    summary: dict[str, Any] = {
        "path": str(written.path),
        "academic_year": academic_year,
        "classes": len(sheet.classes),
        "students": sheet.students,
        "files": [f.name for f in written.manifest.files],
        "manifest_sha256": written.manifest.manifest_sha256,
    }
    # Counts and where it went only: the sheet is full of names, which are never logged.
    log.info(
        "archive.written",
        school=school_code,
        academic_year=academic_year,
        classes=len(sheet.classes),
        students=sheet.students,
        path=str(written.path),
        manifest_sha256=written.manifest.manifest_sha256,
    )
    return summary
