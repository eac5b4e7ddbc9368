"""Issue 16, the archive on two media, checked again for as long as it is kept: every write goes to every
`archive.dirs` destination and is verified there; `archive-verify` re-checks every stored year in every
destination. SQLite and PostgreSQL (the write reads the database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from edugateway.archive import verify_archive, write_archive
from edugateway.archive.stored import verify_stored
from edugateway.config.settings import ArchiveJob, ArchiveSettings, ArchiveVerifyJob, SchoolSettings, Settings
from edugateway.scheduler import JobContext
from edugateway.scheduler.services import run_archive_job, run_archive_verify_job
from edugateway.store.db import Database
from support.archive_school import CODE, YEAR, add_archive_school

JUNE = dt.datetime(2027, 6, 25, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def school_db(database: Database) -> Database:
    add_archive_school(database)
    return database


def _two_media(tmp_path: Path, first: Path | None = None) -> Settings:
    dirs = [first or tmp_path / "media-a", tmp_path / "media-b"]
    return Settings(data_dir=tmp_path / "var", archive=ArchiveSettings(dirs=dirs), schools=[SchoolSettings(code=CODE)])


def test_every_destination_gets_a_verified_identical_copy(school_db: Database, tmp_path: Path) -> None:
    """000 §3.8: «Электронное хранение архивных данных должно осуществляться минимально на двух носителях и
    храниться в разных помещениях»; 000 §3.1.16: «на 2 электронных носителя»."""
    summary = write_archive(_two_media(tmp_path), school_db, CODE, YEAR, now=JUNE)
    a, b = (Path(p) for p in summary["paths"])
    assert (a, b) == (tmp_path / "media-a" / CODE / "2026-2027", tmp_path / "media-b" / CODE / "2026-2027")
    assert summary["failed"] == []
    for copy in (a, b):
        assert verify_archive(copy, expected_manifest_sha256=summary["manifest_sha256"]).ok
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    assert all((a / name).read_bytes() == (b / name).read_bytes() for name in summary["files"])


@pytest.mark.parametrize("broken_first", [True, False])
def test_a_failing_destination_is_named_and_the_other_copy_is_still_written(
    school_db: Database, tmp_path: Path, broken_first: bool
) -> None:
    """A medium that is not there (here a file where the folder should be) fails the write loudly, by name; the
    other medium still gets its verified copy, whichever of the two failed."""
    broken = tmp_path / "unmounted"
    broken.write_text("not a directory", encoding="utf-8")
    good = tmp_path / "media-b" if broken_first else tmp_path / "media-a"
    dirs = [broken, good] if broken_first else [good, broken]
    settings = Settings(archive=ArchiveSettings(dirs=dirs), schools=[SchoolSettings(code=CODE)])
    summary = write_archive(settings, school_db, CODE, YEAR, now=JUNE)
    assert summary["failed"] == [f"archive destination {broken}: not written: Not a directory"]
    assert summary["paths"] == [str(good / CODE / "2026-2027")]
    assert verify_archive(Path(summary["paths"][0]), expected_manifest_sha256=summary["manifest_sha256"]).ok
    assert summary["journal_rows"] == {"Уроки": 5, "Отметки": 0, "Итоговые": 13, "Посещаемость": 0}  # counted once

    job = ArchiveJob(name="yearly-archive", cron="0 20 25 6 *")
    ctx = JobContext(school_db, settings.model_copy(update={"jobs": [job]}), job, CODE, "archive", JUNE, "s:j", "h")
    outcome = run_archive_job(ctx)
    assert outcome.failed == f"archive destination {broken}: not written: Not a directory"  # alerted


def _verify_job(settings: Settings, db: Database) -> JobContext:
    job = ArchiveVerifyJob(name="archive-check", cron="0 5 1 * *")
    return JobContext(db, settings, job, CODE, "archive", JUNE, "scheduler:archive-check", "h")


def test_archive_verify_finds_a_tampered_file_in_one_destination(school_db: Database, tmp_path: Path) -> None:
    """000 §3.8: «Архивное хранение учетных данных должно предусматривать контроль за их целостность и
    достоверностью на протяжении всего необходимого срока» — every stored year, every medium, again and again."""
    settings = _two_media(tmp_path)
    write_archive(settings, school_db, CODE, YEAR - 1, now=JUNE - dt.timedelta(days=365))
    write_archive(settings, school_db, CODE, YEAR, now=JUNE)
    intact = run_archive_verify_job(_verify_job(settings, school_db))
    assert (intact.failed, intact.summary["folders"]) == (None, 4)

    tampered = tmp_path / "media-b" / CODE / "2026-2027" / "summary-sheet-2026-2027.html"
    tampered.write_text(tampered.read_text(encoding="utf-8").replace("66,7", "96,7"), encoding="utf-8")
    outcome = run_archive_verify_job(_verify_job(settings, school_db))
    (problem,) = outcome.summary["problems"]
    assert problem.startswith(f"{tampered.parent}: file changed: summary-sheet-2026-2027.html: ")
    assert outcome.failed == f"archive of {CODE}: 1 problem(s): {problem}"
    assert verify_stored([tmp_path / "media-a"], CODE).ok  # the other medium's copy is intact


def test_archive_verify_finds_a_copy_one_destination_lacks(school_db: Database, tmp_path: Path) -> None:
    """A year archived on one medium only (the other replaced, or written with --out) is a copy lost."""
    settings = _two_media(tmp_path)
    write_archive(settings, school_db, CODE, YEAR, now=JUNE, out_dir=tmp_path / "media-a")
    outcome = run_archive_verify_job(_verify_job(settings, school_db))
    missing = tmp_path / "media-b" / CODE / "2026-2027"
    assert outcome.summary["problems"] == [f"{missing}: missing in this destination (other copies exist)"]
    assert outcome.failed is not None
