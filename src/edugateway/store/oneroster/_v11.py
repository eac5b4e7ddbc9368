"""OneRoster 1.1 CSV as edugateway reads it: which edition a set is, and what 1.1 writes differently.

1.1 has no roles.csv: each user row carries its one `role` and its `orgSourcedIds` (the orgs it belongs to,
which edugateway does not keep, as it ignores orgSourcedId of 1.2 roles). Every other roster file has the
columns of 1.2 (orgs, academicSessions, courses, classes, demographics, enrollments). The role vocabulary
has `administrator` where 1.2 splits it into site/district/system administrators.
"""

from __future__ import annotations

import csv
from pathlib import Path

from edugateway.domain.models import Role
from edugateway.errors import ValidationError
from edugateway.store.csvfiles import detect_encoding
from edugateway.store.import_limits import ImportLimits
from edugateway.store.oneroster._spec import ROLE_MAP

V11 = "1.1"
V12 = "1.2"

# users.csv of 1.1, in the spec's order.
USERS_COLUMNS = (
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "orgSourcedIds",
    "role",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
)
USERS_REQUIRED = ("sourcedId", "givenName", "familyName", "role")
# The columns only a 1.1 users.csv has: either one marks the set as 1.1 when the manifest does not say.
MARKERS = ("role", "orgSourcedIds")

ROLES = ("administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher")
# The 1.2 names are read too: producers half-way between the editions write them.
ROLE_MAP_11: dict[str, Role] = {**ROLE_MAP, "administrator": Role.STAFF}

NOTE = "OneRoster 1.1 set: each user's role was read from the role column of users.csv (1.1 has no roles.csv)"


def role_problem(sid: str, role: str) -> str:
    """Why a 1.1 user's role cell is refused. The 1.1 `role` is one value of its vocabulary (OneRoster v1.1 CSV,
    users.csv); several roles per user came with 1.2's roles.csv. A list of roles in the cell is therefore no 1.1
    role: taking one of them would drop the others without a word, so the row is refused saying how to send it."""
    words = [w.strip() for w in role.replace(";", ",").split(",") if w.strip()]
    if len(words) > 1 and all(w in ROLE_MAP_11 for w in words):
        return (
            f"user {sid!r}: role {role!r} lists several roles, but a OneRoster 1.1 user has one; send the person "
            "as one user per role, or as a OneRoster 1.2 set with a roles.csv row per role"
        )
    return f"user {sid!r}: role {role!r} is not a OneRoster 1.1 role ({', '.join(ROLES)}); give each user its role"


def users_header(path: Path, limits: ImportLimits) -> list[str]:
    """The column names of users.csv, or [] when it has none to read (its reading reports why, later)."""
    if not path.exists():
        return []
    try:
        with path.open(encoding=detect_encoding(path, limits), newline="") as fh:
            return [h.strip() for h in next(csv.reader(fh), [])]
    except (csv.Error, UnicodeDecodeError):
        return []


def edition(declared: str | None, header: list[str], roles_read: bool) -> str:
    """ "1.1" or "1.2" for a set whose manifest declares `declared` (None: no manifest, or no oneroster.version),
    whose users.csv has `header`, and which has (True) or lacks a roles.csv to read. A set that is partly one,
    partly the other is refused: read either way, every user's role would be wrong or missing."""
    marked = [c for c in MARKERS if c in header]
    if declared == V11:
        if roles_read:
            raise ValidationError(
                "manifest.csv says oneroster.version 1.1 but the set has roles.csv, a 1.2 file; remove roles.csv "
                "and give each user its role in users.csv, or set oneroster.version to 1.2"
            )
        if header and "role" not in header:
            raise ValidationError(
                "manifest.csv says oneroster.version 1.1 but users.csv has no role column; add the role column "
                "(student, teacher, parent, …), or set oneroster.version to 1.2 and give the roles in roles.csv"
            )
        return V11
    if not marked:
        return V12
    if roles_read:
        raise ValidationError(
            f"users.csv has the OneRoster 1.1 column(s) {', '.join(marked)} and the set has roles.csv (1.2); "
            "remove one: a 1.1 set gives roles in users.csv, a 1.2 set in roles.csv"
        )
    if declared == V12:
        raise ValidationError(
            f"manifest.csv says oneroster.version 1.2 but users.csv has the 1.1 column(s) {', '.join(marked)} and "
            "there is no roles.csv; set oneroster.version to 1.1, or give the roles in roles.csv"
        )
    if "role" not in header:
        raise ValidationError(
            "users.csv has the OneRoster 1.1 column orgSourcedIds but no role column; add the role column "
            "(student, teacher, parent, …)"
        )
    return V11
