"""A OneRoster 1.2 set rewritten as a 1.1 producer writes it, for the tests of the 1.1 import."""

import csv
from pathlib import Path

# users.csv of OneRoster 1.1 (IMS OneRoster v1.1 CSV tables), written out here so the tests do not take the
# reader's own list on trust.
USERS_11 = [
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
]


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or ()), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, restval="", extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def to_oneroster11(src: Path, dst: Path) -> None:
    """The 1.2 set in `src` as 1.1 in `dst`: no roles.csv, each user's primary role and its org in users.csv
    (1.1 columns, the edugateway extensions kept), oneroster.version 1.1 and no file.roles/file.userProfiles
    in the manifest (1.1 has neither). A 1.1 user has one role: a person with more keeps the primary one."""
    dst.mkdir(parents=True)
    for f in src.iterdir():
        if f.name not in ("roles.csv", "users.csv", "manifest.csv"):
            (dst / f.name).write_bytes(f.read_bytes())
    _, roles = read_rows(src / "roles.csv")
    primary = {r["userSourcedId"]: r for r in roles if r["roleType"] == "primary"}
    header, users = read_rows(src / "users.csv")
    for user in users:
        role = primary[user["sourcedId"]]
        user.update(role=role["role"], orgSourcedIds=role["orgSourcedId"])
    write_rows(dst / "users.csv", [*USERS_11, *(h for h in header if h.startswith("metadata."))], users)
    _, manifest = read_rows(src / "manifest.csv")
    kept = [m for m in manifest if m["propertyName"] not in ("file.roles", "file.userProfiles")]
    for m in kept:
        if m["propertyName"] == "oneroster.version":
            m["value"] = "1.1"
    write_rows(dst / "manifest.csv", ["propertyName", "value"], kept)
