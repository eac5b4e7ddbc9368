"""Issue 16, the archive's destinations: 000 §3.8 «Электронное хранение архивных данных должно осуществляться
минимально на двух носителях и храниться в разных помещениях» — `archive.dirs` lists the media; a config that
says it twice over is refused at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from edugateway.archive.destinations import archive_roots
from edugateway.config import load_settings
from edugateway.errors import ConfigError


def test_two_media_are_both_destinations(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, '[archive]\ndirs = ["/mnt/a", "/mnt/b"]\n'))
    assert archive_roots(settings) == [Path("/mnt/a"), Path("/mnt/b")]


def test_the_older_dir_is_one_destination_and_the_default_is_under_data_dir(tmp_path: Path) -> None:
    assert archive_roots(load_settings(_write(tmp_path, '[archive]\ndir = "/mnt/a"\n'))) == [Path("/mnt/a")]
    assert archive_roots(load_settings(_write(tmp_path, 'data_dir = "/srv/eg"\n'))) == [Path("/srv/eg/archive")]


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        ('dir = "/mnt/a"\ndirs = ["/mnt/b"]', r"set archive\.dirs only .*not both"),
        ('dirs = ["/mnt/a", "/mnt/b/../a/"]', r"archive\.dirs names /mnt/b/\.\./a twice: list each medium once"),
    ],
)
def test_both_spellings_or_one_medium_twice_is_refused(tmp_path: Path, archive: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as refused:
        load_settings(_write(tmp_path, f"[archive]\n{archive}\n"))
    assert len(str(refused.value).splitlines()) == 1, str(refused.value)


def _write(tmp_path: Path, toml: str) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(toml, encoding="utf-8")
    return path
