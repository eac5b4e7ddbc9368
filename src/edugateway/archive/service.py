"""`write_archive`: the service the CLI (`edugateway archive write`) and the scheduler (kind `archive`) both call."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from edugateway.archive.destinations import archive_roots, write_copies
from edugateway.archive.manifest import MANIFEST
from edugateway.archive.render_html import write_html
from edugateway.archive.render_journal import journal_file_name, write_class_journal
from edugateway.archive.render_xlsx import write_xlsx
from edugateway.archive.summary_sheet import build_summary_sheet, current_academic_year
from edugateway.config.settings import Settings
from edugateway.errors import ValidationError
from edugateway.logs import get_logger, run_context
from edugateway.store.db import Database
from edugateway.store.schools import find_school, school_by_code
from edugateway.store.year_journal import journal_classes

log = get_logger(__name__)


def archive_root(settings: Settings) -> Path:
    """The first destination (see destinations.archive_roots for all of them)."""
    return archive_roots(settings)[0]


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
    HTML and the year's class journals as XLSX, with a manifest, into a new archive folder under every destination
    (`out_dir`, or [archive] dirs) and says what it did; a destination that failed is listed under "failed"."""
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
    journal_rows: dict[str, int] = {}

    def write_files(folder: Path) -> list[str]:
        journal_rows.clear()  # rendered again into the next destination when the first one failed
        write_xlsx(sheet, folder / f"{stem}.xlsx")
        write_html(sheet, folder / f"{stem}.html")
        return [
            f"{stem}.xlsx",
            f"{stem}.html",
            *_write_journals(database, school_code, academic_year, folder, journal_rows),
        ]

    copies = write_copies(
        [out_dir] if out_dir is not None else archive_roots(settings),
        school=sheet.school_code,
        school_name=sheet.school_name,
        academic_year=academic_year,
        generated_at=generated_at,
        write_files=write_files,
    )
    good = [c for c in copies if c.ok]
    first = good[0] if good else None
    files = sorted(p.name for p in first.path.iterdir()) if first is not None and first.path else []
    summary: dict[str, Any] = {
        "path": str(first.path) if first is not None else None,
        "paths": [str(c.path) for c in good],
        "academic_year": academic_year,
        "classes": len(sheet.classes),
        "students": sheet.students,
        "journal_rows": journal_rows,
        "files": [f for f in files if f != MANIFEST],
        "manifest_sha256": first.manifest_sha256 if first is not None else None,
        "failed": [c.failure() for c in copies if not c.ok],
    }
    # Counts and where it went only: the sheet is full of names, which are never logged.
    for copy in copies:
        if copy.ok:
            log.info(
                "archive.written",
                school=school_code,
                academic_year=academic_year,
                classes=len(sheet.classes),
                students=sheet.students,
                path=str(copy.path),
                manifest_sha256=copy.manifest_sha256,
            )
        else:
            log.error("archive.copy_failed", school=school_code, academic_year=academic_year, error=copy.failure())
    return summary


def _write_journals(
    database: Database, school_code: str, academic_year: int, folder: Path, counts: dict[str, int]
) -> list[str]:
    """The year's journal, a workbook per homeroom class, streamed from one read transaction; adds the rows
    each sheet got to `counts`."""
    names: list[str] = []
    with database.session() as session:
        school = school_by_code(session, school_code)
        if school is None:  # build_summary_sheet refused it already; this tells the type checker
            raise ValidationError(f"school {school_code!r} is not in the database")
        for cls in journal_classes(session, school.id, academic_year):
            name = journal_file_name(cls, academic_year)
            for sheet_title, rows in write_class_journal(session, cls, academic_year, folder / name).items():
                counts[sheet_title] = counts.get(sheet_title, 0) + rows
            names.append(name)
    return names
