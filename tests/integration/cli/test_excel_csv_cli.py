"""A OneRoster set a person broke in Excel is refused whole, in one line that says which file and why, exit 2
(issue 17, the terminal: «a `users.csv` saved by Russian Excel (`;` separators) was refused as "would deactivate
1000 of 1000 students… rerun with --allow-mass-delete" — it must say the file could not be read and why … never
suggest the destructive flag for a parse failure. A `manifest.csv` with `;` said "see the rows above" with nothing
above. A bulk set without `users.csv` reported "2507 rows rejected" instead of one refusal.»)"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A school imported once from a good set, and the set's folder."""
    base = tmp_path_factory.mktemp("excel-csv")
    school = generate_school(students=40, classes=2, seed=4).snapshot
    db = Database(f"sqlite:///{base / 'gw.sqlite3'}")
    db.migrate()
    write_oneroster(school, base / "good")
    apply_roster(db, read_oneroster(base / "good"), school.school.code)
    db.dispose()
    return base, school.school.code


def _copy(base: Path, name: str) -> Path:
    target = base / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(base / "good", target)
    return target


def _resave(path: Path, *, delimiter: str, encoding: str) -> None:
    """As Excel saves «CSV (разделители — точка с запятой)»: the same cells, another separator and encoding."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)


def _import(base: Path, school: str, folder: Path) -> tuple[int, str]:
    args = ["--database-url", f"sqlite:///{base / 'gw.sqlite3'}", "import", "oneroster", str(folder)]
    result = CliRunner().invoke(app, [*args, "--school", school])
    return result.exit_code, result.output


def test_users_saved_by_russian_excel_is_refused_as_unreadable(imported: tuple[Path, str]) -> None:
    base, school = imported
    folder = _copy(base, "semicolon-users")
    _resave(folder / "users.csv", delimiter=";", encoding="cp1251")
    code, output = _import(base, school, folder)
    assert code == 2, output
    assert output.strip().splitlines() == [
        "error: users.csv cannot be read: its columns are separated by «;» (a CSV saved by Russian Excel), not by "
        "commas; save it again from Excel as «CSV UTF-8» or «CSV (разделители — запятые)»"
    ]
    assert "--allow-mass-delete" not in output


def test_a_manifest_with_semicolons_says_why_in_its_own_line(imported: tuple[Path, str]) -> None:
    base, school = imported
    folder = _copy(base, "semicolon-manifest")
    _resave(folder / "manifest.csv", delimiter=";", encoding="utf-8")
    code, output = _import(base, school, folder)
    assert code == 2, output
    assert "manifest.csv cannot be read: its columns are separated by «;»" in output
    assert "above" not in output


def test_a_manifest_with_a_wrong_header_names_the_problem(imported: tuple[Path, str]) -> None:
    base, school = imported
    folder = _copy(base, "bad-manifest-header")
    text = (folder / "manifest.csv").read_text(encoding="utf-8")
    (folder / "manifest.csv").write_text(text.replace("propertyName,value", "property,value", 1), encoding="utf-8")
    code, output = _import(base, school, folder)
    assert code == 2, output
    assert "manifest.csv cannot be read: the header lacks the required column(s) propertyName" in output
    assert "above" not in output


def test_a_bulk_set_without_users_is_one_refusal(imported: tuple[Path, str]) -> None:
    base, school = imported
    folder = _copy(base, "no-users")
    (folder / "users.csv").unlink()
    code, output = _import(base, school, folder)
    assert code == 2, output
    assert output.strip().splitlines() == [
        f"error: manifest.csv says file.users is bulk but users.csv is not in {folder}; add users.csv, or set "
        "file.users to absent if the set leaves it out on purpose"
    ]
