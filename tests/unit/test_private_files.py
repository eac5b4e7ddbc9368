"""Files with personal data are created with their kind's mode, whatever the umask, and replace the old file
whole: the mode is on the file before its first byte."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from edugateway.private_files import FileKind, private_file, private_text_file, write_private


@pytest.fixture(params=[0o000, 0o022, 0o077], ids=["umask-000", "umask-022", "umask-077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    before = os.umask(request.param)
    yield request.param
    os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("kind", "mode"), [(FileKind.OPERATOR, 0o600), (FileKind.SHARED, 0o640)])
def test_the_mode_is_the_kinds_whatever_the_umask(tmp_path: Path, umask: int, kind: FileKind, mode: int) -> None:
    target = tmp_path / "out" / "users.csv"
    with private_file(target, kind) as stream:
        # Before any content: the open file already has its final mode.
        assert stat.S_IMODE(os.fstat(stream.fileno()).st_mode) == mode
        stream.write(b"data")
    assert (_mode(target), target.read_bytes()) == (mode, b"data")


def test_an_older_world_readable_file_is_replaced_not_reused(tmp_path: Path) -> None:
    target = tmp_path / "problems.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    old_inode = target.stat().st_ino
    with private_text_file(target, FileKind.OPERATOR, encoding="utf-8-sig") as fh:
        fh.write("kind,file\r\n")
    assert (_mode(target), target.read_bytes()) == (0o600, b"\xef\xbb\xbfkind,file\r\n")
    assert target.stat().st_ino != old_inode
    assert [p.name for p in tmp_path.iterdir()] == ["problems.csv"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    write_private(target, b"night 1", FileKind.SHARED)

    def interrupted() -> None:
        with private_file(target, FileKind.SHARED) as stream:
            stream.write(b"half")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        interrupted()
    assert target.read_bytes() == b"night 1"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]
