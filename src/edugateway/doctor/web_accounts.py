"""The clerk's web accounts: an active account with no school reads nothing (as every clerk and viewer is after
migration 0010 until given a school), which its owner would take for a broken gateway."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from edugateway.doctor.result import CheckResult
from edugateway.store.db import Database
from edugateway.store.web_accounts import active_users_without_school

NAME = "web accounts"


def accounts_have_schools(url: str) -> CheckResult:
    """Run only once the database check passed (the schema is current)."""
    db = Database(url)
    try:
        lonely = active_users_without_school(db)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[0]
        return CheckResult.fail(NAME, f"the accounts could not be read: {reason}", "run `edugateway init-db`")
    finally:
        db.dispose()
    if not lonely:
        return CheckResult.ok(NAME, "every active account belongs to a school (or, an admin, to all)")
    return CheckResult.warn(
        NAME,
        f"{len(lonely)} active account(s) belong to no school and see no case or report: {', '.join(lonely)}",
        "give each its schools: `edugateway users schools NAME --add CODE` (see `edugateway users list`)",
    )
