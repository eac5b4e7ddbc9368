"""The yearly archive's deadline: 000 §3.1.16 «резервное копирование электронного классного журнала в конце
учебного года (не позднее 30 июня) на 2 электронных носителя». From 1 July (the school's date) the year that ended
must be archived in every destination; `doctor` and the nightly report say so while it is not.

A year the database holds no class of is not asked for: there is nothing the gateway could archive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from edugateway.archive.destinations import archive_roots
from edugateway.archive.stored import has_year
from edugateway.config.settings import Settings
from edugateway.store.year_journal import keeps_year

DEADLINE = (6, 30)  # month, day: «не позднее 30 июня»


def due_year(today: dt.date) -> int:
    """The school year (the year it starts) whose deadline is the last one passed on `today`."""
    return today.year - 1 if (today.month, today.day) > DEADLINE else today.year - 2


@dataclass(frozen=True)
class Overdue:
    academic_year: int
    missing: list[Path]  # the destinations without it

    @property
    def title(self) -> str:
        return f"{self.academic_year}/{self.academic_year + 1}"


def overdue_archive(
    session: Session, settings: Settings, school_id: int, school: str, today: dt.date
) -> Overdue | None:
    """The school year past its deadline that some destination lacks, if the database has that year's classes."""
    year = due_year(today)
    missing = [root for root in archive_roots(settings) if not has_year(root, school, year)]
    if not missing:
        return None
    return Overdue(year, missing) if keeps_year(session, school_id, year) else None


def report_note(overdue: Overdue | None, school: str) -> list[str]:
    """The nightly report's one line about it (none when the archive is in place)."""
    if overdue is None:
        return []
    where = ", ".join(str(p) for p in overdue.missing)
    return [
        f"Архив {overdue.title} учебного года не записан (срок — 30 июня, 000 §3.1.16) в {where}: "
        f"выполните edugateway archive write --school {school} --year {overdue.academic_year}."
    ]
