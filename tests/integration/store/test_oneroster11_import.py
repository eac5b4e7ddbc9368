"""A OneRoster 1.1 set imports the same school as the 1.2 set it was made from, on SQLite and PostgreSQL."""

from pathlib import Path

import pytest

from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.snapshots import load_snapshot
from support.oneroster11 import read_rows, to_oneroster11

CODE = "sch125"


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
    _, roles = read_rows(v12 / "roles.csv")
    assert len(roles) == len({r["userSourcedId"] for r in roles})  # one role each, so 1.1 holds them all
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
