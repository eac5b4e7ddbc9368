"""`edugateway archive write` to two media and `archive verify --all`, in a real process: what an operator sees
and the exit codes (0 intact, 1 problems found, 2 failed). 000 §3.8: «минимально на двух носителях»."""

from __future__ import annotations

from pathlib import Path

import pytest

from edugateway.store.db import Database
from support.archive_school import CODE, YEAR, add_archive_school
from support.cli_process import run_cli


@pytest.fixture
def gateway(database: Database, tmp_path: Path) -> tuple[Path, list[str]]:
    add_archive_school(database)
    config = tmp_path / "gateway.toml"
    media = f'["{tmp_path / "media-a"}", "{tmp_path / "media-b"}"]'
    config.write_text(f'data_dir = "{tmp_path / "var"}"\n[archive]\ndirs = {media}\n', encoding="utf-8")
    return tmp_path, ["--config", str(config), "--database-url", database.url]


def test_write_to_both_media_then_verify_all_finds_the_tampered_copy(gateway: tuple[Path, list[str]]) -> None:
    tmp_path, base = gateway
    written = run_cli(*base, "archive", "write", "--school", CODE, "--year", str(YEAR), cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    for medium in ("media-a", "media-b"):
        assert f"students of 2026/2027 to {tmp_path / medium / CODE / '2026-2027'}\n" in written.stdout

    intact = run_cli(*base, "archive", "verify", "--all", "--school", CODE, cwd=tmp_path)
    assert (intact.returncode, intact.stdout) == (
        0,
        "OK 2 archive folder(s) of 1 school(s) in 2 destination(s) intact\n",
    )

    (journal,) = (tmp_path / "media-b" / CODE / "2026-2027").glob("journal-*-5A-*.xlsx")
    journal.write_bytes(journal.read_bytes() + b"\0")
    found = run_cli(*base, "archive", "verify", "--all", cwd=tmp_path)
    assert found.returncode == 1, found.stdout + found.stderr
    assert f"{journal.parent}: file changed: {journal.name}: " in found.stdout
    assert found.stdout.endswith("1 problem(s) found in 2 archive folder(s)\n")


def test_a_destination_that_fails_exits_2_naming_it_and_the_other_is_written(
    gateway: tuple[Path, list[str]],
) -> None:
    tmp_path, base = gateway
    (tmp_path / "media-a").write_text("a file where the medium's folder should be", encoding="utf-8")
    result = run_cli(*base, "archive", "write", "--school", CODE, "--year", str(YEAR), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    error = f"error: archive destination {tmp_path / 'media-a'}: not written: Not a directory"
    assert error in result.stderr.splitlines()  # beside the log's lines, also on stderr
    assert f"to {tmp_path / 'media-b' / CODE / '2026-2027'}\n" in result.stdout


def test_verify_wants_a_folder_or_all(gateway: tuple[Path, list[str]]) -> None:
    tmp_path, base = gateway
    result = run_cli(*base, "archive", "verify", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        "error: name an archive FOLDER, or give --all (with --school CODE for one school)\n",
    )
