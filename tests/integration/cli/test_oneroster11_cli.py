"""`edugateway import oneroster` of a OneRoster 1.1 set through the real CLI: the summary and the import journal
note the edition; a set half 1.1, half 1.2 is refused with exit 2 and one line."""

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.oneroster import write_oneroster
from edugateway.store.tables import ImportRunRow
from support.oneroster11 import to_oneroster11


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gw.sqlite3'}"
    assert CliRunner().invoke(app, ["--database-url", url, "init-db"]).exit_code == 0
    return url


@pytest.fixture
def v11(tmp_path: Path) -> Path:
    write_oneroster(generate_school(seed=11, students=60, classes=3).snapshot, tmp_path / "or12")
    to_oneroster11(tmp_path / "or12", tmp_path / "or11")
    return tmp_path / "or11"


def _run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--database-url", url, *args])
    return result.exit_code, result.output


def test_a_11_set_imports_with_exit_0_and_its_edition_noted(url: str, v11: Path) -> None:
    code, out = _run(url, "import", "oneroster", str(v11), "--school", "sch125")
    assert code == 0, out
    assert "0 rows rejected" in out
    assert "note: OneRoster 1.1 set: each user's role was read from the role column of users.csv" in out
    db = Database(url)
    with db.session() as s:
        problems = s.scalars(select(ImportRunRow.problems)).one()
    db.dispose()
    assert problems is not None
    assert [n[:17] for n in problems["notes"]] == ["OneRoster 1.1 set"]


def test_a_11_users_csv_beside_a_roles_csv_is_refused_in_one_line(url: str, v11: Path, tmp_path: Path) -> None:
    (v11 / "roles.csv").write_bytes((tmp_path / "or12" / "roles.csv").read_bytes())
    with (v11 / "manifest.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write("file.roles,bulk\r\n")
    code, out = _run(url, "import", "oneroster", str(v11), "--school", "sch125")
    assert code == 2, out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, out
    assert "manifest.csv says oneroster.version 1.1 but the set has roles.csv" in lines[0]
