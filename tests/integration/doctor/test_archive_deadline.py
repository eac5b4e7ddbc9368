"""Issue 16: nothing warned when the year's archive was missing after 30 June. 000 §3.1.16: «проводит резервное
копирование электронного классного журнала в конце учебного года (не позднее 30 июня) на 2 электронных
носителя» — from 1 July on the school's clock, `doctor` warns while a destination lacks the year that ended.
The school (Asia/Yekaterinburg, UTC+5) keeps classes of 2025/2026 and 2026/2027."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from edugateway.archive import write_archive
from edugateway.config.settings import ArchiveSettings, SchoolSettings, Settings
from edugateway.doctor.archive_deadline import archive_in_place
from edugateway.doctor.result import Status
from edugateway.store.db import Database
from support.archive_school import CODE, YEAR, add_archive_school

# 30 June 2027, 23:59 and 1 July 2027, 00:01 in Yekaterinburg.
LAST_MINUTE = dt.datetime(2027, 6, 30, 18, 59, tzinfo=dt.UTC)
NEXT_MORNING = dt.datetime(2027, 6, 30, 19, 1, tzinfo=dt.UTC)


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    add_archive_school(database)
    media = [tmp_path / "media-a", tmp_path / "media-b"]
    settings = Settings(
        database_url=database.url, archive=ArchiveSettings(dirs=media), schools=[SchoolSettings(code=CODE)]
    )
    # The year before is in place: until 30 June 2027 it is the one due.
    write_archive(settings, database, CODE, YEAR - 1, now=LAST_MINUTE - dt.timedelta(days=365))
    return settings


def test_doctor_is_quiet_on_30_june_and_warns_on_1_july(settings: Settings, tmp_path: Path) -> None:
    assert archive_in_place(settings, clock=lambda: LAST_MINUTE).status is Status.OK
    late = archive_in_place(settings, clock=lambda: NEXT_MORNING)
    assert late.status is Status.WARN
    assert late.found == (
        f"past the 30 June deadline, not archived: {CODE} 2026/2027 "
        f"(missing in {tmp_path / 'media-a'}, {tmp_path / 'media-b'})"
    )
    assert "edugateway archive write --school CODE --year YEAR" in late.fix


def test_the_warning_names_only_the_destination_that_lacks_it(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    write_archive(settings, database, CODE, YEAR, now=LAST_MINUTE, out_dir=tmp_path / "media-a")
    late = archive_in_place(settings, clock=lambda: NEXT_MORNING)
    assert late.found.endswith(f"{CODE} 2026/2027 (missing in {tmp_path / 'media-b'})")
    write_archive(settings, database, CODE, YEAR, now=LAST_MINUTE, out_dir=tmp_path / "media-b")
    assert archive_in_place(settings, clock=lambda: NEXT_MORNING).status is Status.OK


def test_a_year_the_database_holds_no_class_of_is_not_asked_for(settings: Settings) -> None:
    """On 1 July 2028 the due year is 2027/2028, of which the school keeps nothing: nothing to archive."""
    assert archive_in_place(settings, clock=lambda: NEXT_MORNING + dt.timedelta(days=366)).status is Status.OK
