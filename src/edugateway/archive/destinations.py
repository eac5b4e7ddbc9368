"""Where the archive goes and each copy written there: every write goes to every destination (000 §3.8: «минимально
на двух носителях … в разных помещениях») and is verified after writing, and one destination that fails does not
keep the others from getting their copy.

The first destination's files are rendered; every other gets a byte-for-byte copy of them, so all copies share one
manifest digest (the one the archive act records). Each copy is then read back and hashed against its manifest.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from edugateway.archive.manifest import MANIFEST, verify_archive, write_archive_folder
from edugateway.config.settings import Settings
from edugateway.private_files import FileKind, private_file


def archive_roots(settings: Settings) -> list[Path]:
    """`archive.dirs`; else the one `archive.dir` (its older spelling); else <data_dir>/archive."""
    if settings.archive.dirs:
        return list(settings.archive.dirs)
    return [settings.archive.dir or settings.data_dir / "archive"]


@dataclass(frozen=True)
class Copy:
    root: Path  # the destination
    path: Path | None  # the folder written, None when none could be
    manifest_sha256: str | None
    error: str | None  # why this destination has no good copy; None when it has

    @property
    def ok(self) -> bool:
        return self.error is None

    def failure(self) -> str:
        return f"archive destination {self.root}: {self.error}"


def write_copies(
    roots: Sequence[Path],
    *,
    school: str,
    school_name: str,
    academic_year: int,
    generated_at: dt.datetime,
    write_files: Callable[[Path], Sequence[str]],
) -> list[Copy]:
    """One copy per destination, in order; an OSError of a destination (not mounted, full, read-only) is that
    copy's error, anything else (the database) ends the write."""
    copies: list[Copy] = []
    source: Path | None = None  # the first good copy, which the others copy
    for root in roots:
        writer = write_files if source is None else _copier(source)
        try:
            written = write_archive_folder(
                root,
                school=school,
                school_name=school_name,
                academic_year=academic_year,
                generated_at=generated_at,
                write_files=writer,
            )
        except OSError as exc:
            copies.append(Copy(root, None, None, f"not written: {exc.strerror or exc}"))
            continue
        digest = written.manifest.manifest_sha256
        check = verify_archive(written.path, expected_manifest_sha256=digest)
        if not check.ok:
            problems = "; ".join(str(p) for p in check.problems)
            copies.append(
                Copy(root, written.path, digest, f"written to {written.path} but does not verify: {problems}")
            )
            continue
        copies.append(Copy(root, written.path, digest, None))
        source = source or written.path
    return copies


def _copier(source: Path) -> Callable[[Path], Sequence[str]]:
    def copy(folder: Path) -> list[str]:
        names = sorted(p.name for p in source.iterdir() if p.name != MANIFEST)
        for name in names:
            with (source / name).open("rb") as original, private_file(folder / name, FileKind.SHARED) as out:
                shutil.copyfileobj(original, out)
        return names

    return copy
