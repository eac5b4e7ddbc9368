"""`edugateway archive write|verify`: where it writes, the digest it prints, and the exit codes of a check."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edugateway.archive.manifest import MANIFEST, canonical_digest, sha256_file
from edugateway.cli import app
from edugateway.store.db import Database
from support.archive_school import CODE, YEAR, add_archive_school


@pytest.fixture
def base(database: Database, tmp_path: Path) -> list[str]:
    add_archive_school(database)
    config = tmp_path / "gateway.toml"
    config.write_text(f'data_dir = "{tmp_path / "var"}"\n', encoding="utf-8")
    return ["--config", str(config), "--database-url", database.url]


def _write(base: list[str], *more: str) -> tuple[Path, str]:
    result = CliRunner().invoke(app, [*base, "archive", "write", "--school", CODE, "--year", str(YEAR), *more])
    assert result.exit_code == 0, result.output
    where = re.search(r"students of 2026/2027 to (\S+)", result.output)
    digest = re.search(r"manifest SHA-256: ([0-9a-f]{64})", result.output)
    assert where, result.output
    assert digest, result.output
    return Path(where.group(1)), digest.group(1)


def test_write_then_verify_ok(base: list[str], tmp_path: Path) -> None:
    path, digest = _write(base)
    assert path == tmp_path / "var" / "archive" / CODE / "2026-2027"
    result = CliRunner().invoke(app, ["archive", "verify", str(path), "--digest", digest])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK {path}: 4 files intact")  # the summary sheet twice, 2 class journals


def test_write_to_another_medium(base: list[str], tmp_path: Path) -> None:
    path, _ = _write(base, "--out", str(tmp_path / "media2"))
    assert path == tmp_path / "media2" / CODE / "2026-2027"


def test_verify_lists_each_problem_and_exits_1(base: list[str]) -> None:
    path, _ = _write(base)
    (path / "summary-sheet-2026-2027.html").unlink()
    (path / "extra.txt").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(app, ["archive", "verify", str(path)])
    assert result.exit_code == 1, result.output
    assert "file missing: summary-sheet-2026-2027.html" in result.output
    assert "unexpected file: extra.txt" in result.output
    assert "2 problem(s) found" in result.output


def test_verify_against_another_digest_exits_1(base: list[str]) -> None:
    path, _ = _write(base)
    result = CliRunner().invoke(app, ["archive", "verify", str(path), "--digest", "0" * 64])
    assert result.exit_code == 1
    assert "manifest altered: manifest.json" in result.output


def test_verify_of_a_folder_without_manifest_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["archive", "verify", str(tmp_path)])
    assert result.exit_code == 2
    assert "no manifest in the folder" in result.output


def test_write_for_an_unknown_school_exits_2(base: list[str]) -> None:
    result = CliRunner().invoke(app, [*base, "archive", "write", "--school", "nope"])
    assert result.exit_code == 2
    assert "school 'nope' is not in the database" in result.output


def _rewrite_files(path: Path, files: list[dict[str, object]]) -> None:
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"] = files
    manifest["manifest_sha256"] = canonical_digest(manifest)
    (path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_verify_refuses_a_symlinked_file_and_never_shows_what_it_points_at(base: list[str], tmp_path: Path) -> None:
    """Issue 14, finding 8: a file of the archive swapped for a link to /etc/passwd (the manifest forged to
    match) is refused, exit 2, without the size or SHA-256 of the file outside."""
    path, _ = _write(base)
    outside = Path("/etc/passwd")
    html = path / "summary-sheet-2026-2027.html"
    html.unlink()
    html.symlink_to(outside)
    _rewrite_files(path, [{"name": html.name, "size": 1, "sha256": "0" * 64}])
    result = CliRunner().invoke(app, ["archive", "verify", str(path)])
    assert result.exit_code == 2, result.output
    assert f"refused: {html.name}: a symbolic link; an archive holds its own files only" in result.output
    assert sha256_file(outside) not in result.output
    assert f"{outside.stat().st_size} bytes" not in result.output


def test_verify_refuses_a_manifest_pointing_outside_the_folder(base: list[str]) -> None:
    path, _ = _write(base)
    _rewrite_files(path, [{"name": "../../../../../../etc/passwd", "size": 1, "sha256": "0" * 64}])
    result = CliRunner().invoke(app, ["archive", "verify", str(path)])
    assert result.exit_code == 2, result.output
    (line,) = result.output.splitlines()
    assert line.startswith("error: refused: manifest.json: it lists '../../../../../../etc/passwd', which is not")
    assert sha256_file(Path("/etc/passwd")) not in result.output


def test_archive_files_are_readable_by_the_gateways_group_only(base: list[str]) -> None:
    path, _ = _write(base)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in path.iterdir()}
    assert modes == {
        "manifest.json": 0o640,
        "journal-2026-2027-5A-1.xlsx": 0o640,
        "journal-2026-2027-10A-2.xlsx": 0o640,
        "summary-sheet-2026-2027.html": 0o640,
        "summary-sheet-2026-2027.xlsx": 0o640,
    }
