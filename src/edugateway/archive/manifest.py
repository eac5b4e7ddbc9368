"""An archive folder and its integrity control: `manifest.json` lists every file with its size and SHA-256, and
carries the SHA-256 of its own canonical content, so a changed, missing or added file and an edited manifest are
all found by `verify_archive`.

An archive is never overwritten. The first write of a school's year goes to `<root>/<school>/<year>-<year+1>/`;
a later one (a corrected re-issue) goes beside it to `<year>-<year+1>.<YYYYMMDDTHHMMSS>/`, and the signed copy
stays as it was. The files are written into a hidden staging folder that is renamed into place only when the
manifest is complete, so an interrupted write never leaves a half-written folder under an archive's name.

The manifest's own digest detects an edit by someone who did not recompute it. Against a deliberate forgery
(every digest recomputed) keep the digest the write printed (the scheduler's journal keeps it too) and pass it
to `verify_archive(expected_manifest_sha256=…)`.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from edugateway import __version__
from edugateway.private_files import FileKind, write_private

MANIFEST = "manifest.json"
FORMAT = "edugateway-archive/1"
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """The file's SHA-256, read in chunks: an archive may hold files larger than memory should."""
    with path.open("rb") as stream:
        return _sha256_stream(stream)


def _sha256_stream(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def canonical_digest(content: dict[str, Any]) -> str:
    """SHA-256 of the manifest's content without its own digest: sorted keys, no whitespace, UTF-8."""
    body = {k: v for k, v in content.items() if k != "manifest_sha256"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        # Only files of the folder itself: a name with a path could point a check outside the archive.
        if value in ("", ".", "..", MANIFEST) or Path(value).name != value or "\\" in value:
            raise ValueError(f"{value!r} is not a file name of the archive folder")
        return value


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["edugateway-archive/1"]
    school: str
    school_name: str
    academic_year: int
    generated_at: str
    software: str
    files: list[FileEntry]
    manifest_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


def year_folder_name(academic_year: int) -> str:
    return f"{academic_year}-{academic_year + 1}"


@dataclass(frozen=True)
class WrittenArchive:
    path: Path
    manifest: Manifest


def write_archive_folder(
    root: Path,
    *,
    school: str,
    school_name: str,
    academic_year: int,
    generated_at: dt.datetime,
    write_files: Callable[[Path], Sequence[str]],
) -> WrittenArchive:
    """Calls `write_files(folder)` (which returns the names it wrote), adds the manifest, and moves the folder to
    its archive name (see the module docstring). Nothing is left behind when writing fails."""
    parent = root / school
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=parent))
    try:
        names = write_files(staging)
        body: dict[str, Any] = {
            "format": FORMAT,
            "school": school,
            "school_name": school_name,
            "academic_year": academic_year,
            "generated_at": generated_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
            "software": f"edugateway {__version__}",
            "files": [_entry(staging / name).model_dump() for name in sorted(names)],
        }
        content = {**body, "manifest_sha256": canonical_digest(body)}
        text = json.dumps(content, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        write_private(staging / MANIFEST, text.encode("utf-8"), FileKind.SHARED)
        manifest = Manifest.model_validate(content)
        return WrittenArchive(_move_into_place(staging, parent, academic_year, generated_at), manifest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _entry(path: Path) -> FileEntry:
    return FileEntry(name=path.name, size=path.stat().st_size, sha256=sha256_file(path))


def _move_into_place(staging: Path, parent: Path, academic_year: int, generated_at: dt.datetime) -> Path:
    base = year_folder_name(academic_year)
    stamp = generated_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")
    candidates = [base, f"{base}.{stamp}", *(f"{base}.{stamp}-{n}" for n in range(2, 100))]
    for name in candidates:
        target = parent / name
        if target.exists():
            continue
        try:
            # mkdir claims the name atomically; renaming onto the empty folder it made is allowed on POSIX.
            target.mkdir()
        except FileExistsError:
            continue
        os.replace(staging, target)
        return target
    raise FileExistsError(f"{parent}: too many archives of {base} written at {stamp}")


class ProblemKind(StrEnum):
    CHANGED = "changed"  # the file's size or SHA-256 differs from the manifest's
    MISSING = "missing"  # listed in the manifest, not in the folder
    EXTRA = "extra"  # in the folder, not listed
    MANIFEST_ALTERED = "manifest_altered"  # its own digest does not match its content (or the expected one)
    UNREADABLE = "unreadable"  # the folder, the manifest or a file cannot be read
    REFUSED = "refused"  # a symbolic link or not a regular file: it may lead outside the archive, never read


_PROBLEM_TEXT = {
    ProblemKind.CHANGED: "file changed",
    ProblemKind.MISSING: "file missing",
    ProblemKind.EXTRA: "unexpected file",
    ProblemKind.MANIFEST_ALTERED: "manifest altered",
    ProblemKind.UNREADABLE: "unreadable",
    ProblemKind.REFUSED: "refused",
}
_NOT_OWN_FILE = "an archive holds its own files only: put the file itself in the folder, or write the archive anew"


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    name: str  # the file's name in the folder (MANIFEST for the manifest itself)
    detail: str

    def __str__(self) -> str:
        return f"{_PROBLEM_TEXT[self.kind]}: {self.name}: {self.detail}"


@dataclass(frozen=True)
class VerifyResult:
    path: Path
    problems: tuple[Problem, ...]
    manifest: Manifest | None  # None when the manifest could not be read: nothing could be checked

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def verifiable(self) -> bool:
        return self.manifest is not None

    @property
    def refused(self) -> bool:
        return any(p.kind is ProblemKind.REFUSED for p in self.problems)


def verify_archive(path: Path, *, expected_manifest_sha256: str | None = None) -> VerifyResult:
    """Recomputes every digest of the archive folder `path` and reports each problem found.

    Only the folder's own regular files are read: a manifest naming a path elsewhere is refused whole, and a
    symbolic link (to /etc/passwd, say) is refused without being followed, so no size or digest of a file
    outside the archive is ever computed or shown."""
    if not path.is_dir():
        return VerifyResult(path, (Problem(ProblemKind.UNREADABLE, str(path), "not an archive folder"),), None)
    try:
        with _own_file(path / MANIFEST) as stream:
            raw = json.loads(stream.read().decode("utf-8"))
        manifest = Manifest.model_validate(raw)
    except FileNotFoundError:
        return VerifyResult(path, (Problem(ProblemKind.UNREADABLE, MANIFEST, "no manifest in the folder"),), None)
    except _NotOwnFile as exc:
        return VerifyResult(path, (Problem(ProblemKind.REFUSED, MANIFEST, f"{exc}; {_NOT_OWN_FILE}"),), None)
    except ValidationError as exc:
        errors = exc.errors()
        outside = next((e for e in errors if e["loc"][:1] == ("files",) and e["loc"][-1:] == ("name",)), None)
        if outside is not None:  # a name with a path: none of the manifest is trusted, nothing is read
            detail = f"it lists {outside['input']!r}, which is not a file of the archive folder; {_NOT_OWN_FILE}"
            return VerifyResult(path, (Problem(ProblemKind.REFUSED, MANIFEST, detail),), None)
        where = ".".join(str(part) for part in errors[0]["loc"])
        detail = f"cannot read it: {where}: {errors[0]['msg']}"
        return VerifyResult(path, (Problem(ProblemKind.UNREADABLE, MANIFEST, detail),), None)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        detail = f"cannot read it: {str(exc).splitlines()[0]}"
        return VerifyResult(path, (Problem(ProblemKind.UNREADABLE, MANIFEST, detail),), None)
    problems: list[Problem] = []
    recomputed = canonical_digest(raw)
    if recomputed != manifest.manifest_sha256:
        problems.append(
            Problem(
                ProblemKind.MANIFEST_ALTERED,
                MANIFEST,
                f"its content hashes to {recomputed}, it records {manifest.manifest_sha256}",
            )
        )
    if expected_manifest_sha256 is not None and expected_manifest_sha256.lower() != manifest.manifest_sha256:
        problems.append(
            Problem(
                ProblemKind.MANIFEST_ALTERED,
                MANIFEST,
                f"it records {manifest.manifest_sha256}, the digest written down is {expected_manifest_sha256}",
            )
        )
    for entry in manifest.files:
        problem = _check_file(path / entry.name, entry)
        if problem is not None:
            problems.append(problem)
    listed = {e.name for e in manifest.files} | {MANIFEST}
    for extra in sorted(p for p in path.iterdir() if p.name not in listed):
        what = "a symbolic link" if extra.is_symlink() else "a folder" if extra.is_dir() else "a file"
        problems.append(Problem(ProblemKind.EXTRA, extra.name, f"{what} the manifest does not list"))
    return VerifyResult(path, tuple(problems), manifest)


class _NotOwnFile(Exception):
    """The name is a symbolic link or not a regular file."""


@contextmanager
def _own_file(path: Path) -> Iterator[BinaryIO]:
    """`path` opened for reading only if it is a regular file of its folder: a symbolic link is not followed
    (O_NOFOLLOW, so a link swapped in after a check is refused too), a FIFO or device never opened."""
    if path.is_symlink():
        raise _NotOwnFile("a symbolic link")
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _NotOwnFile("a symbolic link") from None
        raise
    stream = os.fdopen(handle, "rb")
    with stream:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise _NotOwnFile("not a regular file")
        yield stream


def _check_file(path: Path, entry: FileEntry) -> Problem | None:
    try:
        with _own_file(path) as stream:
            size = os.fstat(stream.fileno()).st_size
            digest = _sha256_stream(stream)
    except FileNotFoundError:
        return Problem(ProblemKind.MISSING, entry.name, "listed in the manifest, not in the folder")
    except _NotOwnFile as exc:
        return Problem(ProblemKind.REFUSED, entry.name, f"{exc}; {_NOT_OWN_FILE}")
    except OSError as exc:
        return Problem(ProblemKind.UNREADABLE, entry.name, exc.strerror or str(exc))
    if size != entry.size or digest != entry.sha256:
        return Problem(
            ProblemKind.CHANGED,
            entry.name,
            f"{size} bytes, SHA-256 {digest}; the manifest says {entry.size} bytes, SHA-256 {entry.sha256}",
        )
    return None
