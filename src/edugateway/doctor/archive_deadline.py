"""Last school year's archive: from 1 July (each school's date) it must be in every archive destination
(000 §3.1.16 «не позднее 30 июня на 2 электронных носителя»); a person should write it, so it is a warning."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from edugateway.archive.deadline import overdue_archive
from edugateway.archive.destinations import archive_roots
from edugateway.config.settings import Settings
from edugateway.doctor.platforms import Clock, utc_now
from edugateway.doctor.result import CheckResult
from edugateway.store.db import Database
from edugateway.store.schools import school_by_code

NAME = "archive"


def archive_in_place(settings: Settings, *, clock: Clock = utc_now) -> CheckResult:
    """Run only once the database check passed: a school year is asked for only when its classes are stored."""
    roots = archive_roots(settings)
    late: list[str] = []
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            for school in settings.schools:
                stored = school_by_code(session, school.code)
                if stored is None:
                    continue
                today = clock().astimezone(ZoneInfo(stored.timezone)).date()
                overdue = overdue_archive(session, settings, stored.id, school.code, today)
                if overdue is not None:
                    where = ", ".join(str(p) for p in overdue.missing)
                    late.append(f"{school.code} {overdue.title} (missing in {where})")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[0]
        return CheckResult.fail(NAME, f"the schools' classes could not be read: {reason}", "run `edugateway init-db`")
    finally:
        db.dispose()
    media = f"{len(roots)} destination(s): {', '.join(str(r) for r in roots)}"
    if not late:
        return CheckResult.ok(NAME, f"every past school year due by 30 June is archived; {media}")
    return CheckResult.warn(
        NAME,
        f"past the 30 June deadline, not archived: {'; '.join(late)}",
        "write it: `edugateway archive write --school CODE --year YEAR` (it goes to every [archive] dirs entry)",
    )
