"""A OneRoster 1.1 set imports the same school as the 1.2 set it was made from, on SQLite and PostgreSQL."""

import csv
from pathlib import Path

import pytest

from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.snapshots import load_snapshot

CODE = "sch125"
# users.csv of OneRoster 1.1 (IMS OneRoster v1.1 CSV tables, users.csv), written out here so the test does not
# take the reader's own list on trust.
USERS_COLUMNS = [
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


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or ()), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, restval="", extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def to_oneroster11(src: Path, dst: Path) -> None:
    """The 1.2 set in `src` as a 1.1 producer writes it: no roles.csv, each user's role and orgSourcedIds in
    users.csv (1.1 columns, the edugateway extensions kept), oneroster.version 1.1 and no file.roles."""
    dst.mkdir(parents=True)
    for f in src.iterdir():
        if f.name not in ("roles.csv", "users.csv", "manifest.csv"):
            (dst / f.name).write_bytes(f.read_bytes())
    _, roles = _read(src / "roles.csv")
    primary = {r["userSourcedId"]: r for r in roles if r["roleType"] == "primary"}
    assert len(primary) == len(roles), "a 1.1 user has one role: the generated school gives each person one"
    header, users = _read(src / "users.csv")
    for user in users:
        role = primary[user["sourcedId"]]
        user.update(role=role["role"], orgSourcedIds=role["orgSourcedId"])
    _write(dst / "users.csv", [*USERS_COLUMNS, *(h for h in header if h.startswith("metadata."))], users)
    _, manifest = _read(src / "manifest.csv")
    kept = [m for m in manifest if m["propertyName"] not in ("file.roles", "file.userProfiles")]
    for m in kept:
        if m["propertyName"] == "oneroster.version":
            m["value"] = "1.1"
    _write(dst / "manifest.csv", ["propertyName", "value"], kept)


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("editions")
    write_oneroster(generate_school(seed=7, students=120, classes=6).snapshot, root / "v12")
    to_oneroster11(root / "v12", root / "v11")
    return root / "v12", root / "v11"


def test_a_oneroster_11_set_imports_the_same_school_as_the_12_set(
    database: Database, sets: tuple[Path, Path], tmp_path: Path
) -> None:
    """Issue 18: «A OneRoster 1.1 set … import[s] the same school as the OneRoster 1.2 set does»; before, every
    new person was rejected: "person … is new but has no role in this import; add a roles.csv row"."""
    v12, v11 = sets
    report = apply_roster(database, read_oneroster(v11), CODE)
    assert report.rejected == []
    assert report.notes == [
        "OneRoster 1.1 set: each user's role was read from the role column of users.csv (1.1 has no roles.csv)"
    ]
    other = Database(f"sqlite:///{tmp_path / 'v12.sqlite3'}")
    other.migrate()
    try:
        report12 = apply_roster(other, read_oneroster(v12), CODE)
        expected = load_snapshot(other, CODE)
    finally:
        other.dispose()
    assert report12.notes == []
    assert report.warnings == report12.warnings  # the generated school's invalid SNILS, the same on both
    got = load_snapshot(database, CODE)
    assert len(got.persons) == 310
    assert len(got.parent_links) == 193
    assert len(got.enrollments) == 346
    assert got == expected


def test_a_oneroster_11_set_without_a_manifest_is_read_as_11_by_its_columns(
    database: Database, sets: tuple[Path, Path], tmp_path: Path
) -> None:
    _, v11 = sets
    bare = tmp_path / "bare"
    bare.mkdir()
    for f in v11.iterdir():
        if f.name != "manifest.csv":
            (bare / f.name).write_bytes(f.read_bytes())
    report = apply_roster(database, read_oneroster(bare), CODE)
    assert report.rejected == []
    assert len(report.notes) == 1
    assert report.notes[0].startswith("OneRoster 1.1 set")
    assert report.counts["person"].created == 310
