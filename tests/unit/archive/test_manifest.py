"""The archive folder and its manifest: written once, never overwritten, and every tampering found."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from edugateway.archive.manifest import (
    MANIFEST,
    ProblemKind,
    canonical_digest,
    sha256_file,
    verify_archive,
    write_archive_folder,
)

WHEN = dt.datetime(2027, 6, 25, 15, 0, 7, tzinfo=dt.UTC)


def _files(folder: Path) -> Sequence[str]:
    (folder / "sheet.xlsx").write_bytes(b"PK\x03\x04 a workbook" * 1000)
    (folder / "sheet.html").write_text("<!DOCTYPE html><p>Ведомость</p>", encoding="utf-8")
    return ["sheet.xlsx", "sheet.html"]


def _write(root: Path, when: dt.datetime = WHEN) -> Path:
    written = write_archive_folder(
        root, school="sch1", school_name="СОШ № 1", academic_year=2026, generated_at=when, write_files=_files
    )
    return written.path


def _kinds(path: Path) -> list[tuple[ProblemKind, str]]:
    return [(p.kind, p.name) for p in verify_archive(path).problems]


def test_a_fresh_archive_verifies(tmp_path: Path) -> None:
    path = _write(tmp_path)
    assert path == tmp_path / "sch1" / "2026-2027"
    assert sorted(p.name for p in path.iterdir()) == [MANIFEST, "sheet.html", "sheet.xlsx"]
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["files"][1] == {
        "name": "sheet.xlsx",
        "size": (path / "sheet.xlsx").stat().st_size,
        "sha256": sha256_file(path / "sheet.xlsx"),
    }
    assert (manifest["school"], manifest["academic_year"], manifest["generated_at"]) == (
        "sch1",
        2026,
        "2027-06-25T15:00:07+00:00",
    )
    assert manifest["software"].startswith("edugateway ")
    assert manifest["manifest_sha256"] == canonical_digest(manifest)
    result = verify_archive(path)
    assert (result.ok, result.verifiable, result.problems) == (True, True, ())
    assert result.manifest is not None
    assert verify_archive(path, expected_manifest_sha256=result.manifest.manifest_sha256).ok


def test_a_second_write_makes_a_dated_folder_and_leaves_the_first_alone(tmp_path: Path) -> None:
    first = _write(tmp_path)
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    second = _write(tmp_path, WHEN + dt.timedelta(days=2))
    third = _write(tmp_path, WHEN + dt.timedelta(days=2))  # the same second: a numbered twin
    assert second.name == "2026-2027.20270627T150007"
    assert third.name == "2026-2027.20270627T150007-2"
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before
    assert [p.name for p in (tmp_path / "sch1").iterdir() if p.name.startswith(".")] == []  # no staging left


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    def broken(folder: Path) -> Sequence[str]:
        (folder / "half.xlsx").write_bytes(b"PK")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_archive_folder(
            tmp_path, school="sch1", school_name="x", academic_year=2026, generated_at=WHEN, write_files=broken
        )
    assert list((tmp_path / "sch1").iterdir()) == []


def test_one_byte_changed_is_found(tmp_path: Path) -> None:
    path = _write(tmp_path)
    data = bytearray((path / "sheet.xlsx").read_bytes())
    data[100] ^= 0x01
    (path / "sheet.xlsx").write_bytes(bytes(data))
    (problem,) = verify_archive(path).problems
    assert (problem.kind, problem.name) == (ProblemKind.CHANGED, "sheet.xlsx")
    assert "file changed: sheet.xlsx" in str(problem)


def test_a_deleted_and_an_added_file_are_found(tmp_path: Path) -> None:
    path = _write(tmp_path)
    (path / "sheet.html").unlink()
    (path / "notes.txt").write_text("added later", encoding="utf-8")
    (path / "sub").mkdir()
    assert _kinds(path) == [
        (ProblemKind.MISSING, "sheet.html"),
        (ProblemKind.EXTRA, "notes.txt"),
        (ProblemKind.EXTRA, "sub"),
    ]


def test_an_edited_manifest_is_found(tmp_path: Path) -> None:
    path = _write(tmp_path)
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    manifest["academic_year"] = 2025
    (path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert _kinds(path) == [(ProblemKind.MANIFEST_ALTERED, MANIFEST)]


def test_a_forged_manifest_is_found_against_the_digest_written_down(tmp_path: Path) -> None:
    """Someone changes a file and rewrites every digest: only the digest kept elsewhere tells."""
    path = _write(tmp_path)
    original = json.loads((path / MANIFEST).read_text(encoding="utf-8"))["manifest_sha256"]
    (path / "sheet.html").write_text("<p>другая ведомость</p>", encoding="utf-8")
    forged = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    forged["files"][0] = {
        "name": "sheet.html",
        "size": (path / "sheet.html").stat().st_size,
        "sha256": sha256_file(path / "sheet.html"),
    }
    forged["manifest_sha256"] = canonical_digest(forged)
    (path / MANIFEST).write_text(json.dumps(forged), encoding="utf-8")
    assert verify_archive(path).ok
    (problem,) = verify_archive(path, expected_manifest_sha256=original).problems
    assert problem.kind is ProblemKind.MANIFEST_ALTERED


@pytest.mark.parametrize(
    "content",
    [None, "{not json", json.dumps({"format": "other"})],
    ids=["absent", "not-json", "wrong-shape"],
)
def test_a_missing_or_unreadable_manifest_makes_the_archive_unverifiable(tmp_path: Path, content: str | None) -> None:
    path = _write(tmp_path)
    if content is None:
        (path / MANIFEST).unlink()
    else:
        (path / MANIFEST).write_text(content, encoding="utf-8")
    result = verify_archive(path)
    assert (result.ok, result.verifiable) == (False, False)
    assert [(p.kind, p.name) for p in result.problems] == [(ProblemKind.UNREADABLE, MANIFEST)]


def test_a_path_that_is_no_folder_is_unverifiable(tmp_path: Path) -> None:
    assert not verify_archive(tmp_path / "nowhere").verifiable


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path)
    (path / "sheet.xlsx").chmod(0)
    try:
        assert _kinds(path) == [(ProblemKind.UNREADABLE, "sheet.xlsx")]
    finally:
        (path / "sheet.xlsx").chmod(0o644)


def _rewrite_manifest(path: Path, files: list[dict[str, object]]) -> None:
    """The manifest as a forger would leave it: every digest recomputed, so only what it names can tell."""
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"] = files
    manifest["manifest_sha256"] = canonical_digest(manifest)
    (path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "../x"])
def test_a_manifest_naming_a_path_outside_the_folder_is_refused_unread(tmp_path: Path, name: str) -> None:
    """Issue 14, finding 8: nothing outside the archive folder is opened, sized or hashed."""
    path = _write(tmp_path)
    _rewrite_manifest(path, [{"name": name, "size": 1, "sha256": "0" * 64}])
    result = verify_archive(path)
    assert (result.verifiable, result.refused) == (False, True)
    (problem,) = result.problems
    assert problem.kind is ProblemKind.REFUSED
    assert str(problem) == (
        f"refused: manifest.json: it lists {name!r}, which is not a file of the archive folder; an archive holds "
        "its own files only: put the file itself in the folder, or write the archive anew"
    )


def test_a_listed_file_that_is_a_symlink_is_refused_without_its_size_or_digest(tmp_path: Path) -> None:
    path = _write(tmp_path)
    secret = tmp_path / "elsewhere.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (path / "sheet.html").unlink()
    (path / "sheet.html").symlink_to(secret)
    result = verify_archive(path)
    assert (result.verifiable, result.refused) == (True, True)
    (problem,) = result.problems
    assert (problem.kind, problem.name) == (ProblemKind.REFUSED, "sheet.html")
    assert str(problem).startswith("refused: sheet.html: a symbolic link; an archive holds its own files only")
    assert sha256_file(secret) not in str(problem)
    assert f"{secret.stat().st_size} bytes" not in str(problem)


def test_a_symlinked_manifest_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path)
    (tmp_path / "kept.json").write_bytes((path / MANIFEST).read_bytes())
    (path / MANIFEST).unlink()
    (path / MANIFEST).symlink_to(tmp_path / "kept.json")
    result = verify_archive(path)
    assert [(p.kind, p.name) for p in result.problems] == [(ProblemKind.REFUSED, MANIFEST)]


def test_a_fifo_in_place_of_a_file_is_refused_without_blocking(tmp_path: Path) -> None:
    path = _write(tmp_path)
    (path / "sheet.xlsx").unlink()
    os.mkfifo(path / "sheet.xlsx")
    assert _kinds(path) == [(ProblemKind.REFUSED, "sheet.xlsx")]


def test_an_unlisted_symlink_is_named_as_one(tmp_path: Path) -> None:
    path = _write(tmp_path)
    (path / "link").symlink_to("/etc/passwd")
    (problem,) = verify_archive(path).problems
    assert str(problem) == "unexpected file: link: a symbolic link the manifest does not list"
