"""Every archive already stored, checked again (000 §3.8: «контроль за их целостностью и достоверностью на
протяжении всего необходимого срока»): each year's folder in each destination against its manifest, and the
destinations against each other, since a copy missing from one medium is a copy lost.

What `edugateway archive verify --all` and the `archive-verify` job run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from edugateway.archive.manifest import VerifyResult, verify_archive

# <year>-<year+1>, or a later re-issue <year>-<year+1>.<stamp>; staging folders (".writing-…") are not archives.
_YEAR_FOLDER = re.compile(r"(\d{4})-(\d{4})(\.[0-9T-]+)?")


def year_folders(root: Path, school: str) -> list[Path]:
    """The archive folders of `school` under one destination, by name (empty when there are none)."""
    parent = root / school
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if _YEAR_FOLDER.fullmatch(p.name))


def stored_schools(roots: Sequence[Path]) -> list[str]:
    """The school codes that have a folder in any destination."""
    found = {p.name for r in roots if r.is_dir() for p in r.iterdir() if p.is_dir() and not p.name.startswith(".")}
    return sorted(found)


def has_year(root: Path, school: str, academic_year: int) -> bool:
    """Whether the destination holds an archive of the school year (the first write or a re-issue)."""
    first = f"{academic_year}-{academic_year + 1}"
    return any(p.name.split(".")[0] == first and (p / "manifest.json").is_file() for p in year_folders(root, school))


@dataclass
class StoredCheck:
    school: str
    results: list[VerifyResult] = field(default_factory=list)  # every folder of every destination
    problems: list[str] = field(default_factory=list)  # one line each, naming the folder

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_stored(roots: Sequence[Path], school: str) -> StoredCheck:
    """Checks every archive folder of the school in every destination; a folder one destination has and another
    lacks, or whose copies carry different manifest digests, is a problem too."""
    check = StoredCheck(school)
    by_root = {root: {p.name: p for p in year_folders(root, school)} for root in roots}
    names = sorted({name for folders in by_root.values() for name in folders})
    for name in names:
        digests: dict[str, list[Path]] = {}
        for root, folders in by_root.items():
            path = folders.get(name)
            if path is None:
                check.problems.append(f"{root / school / name}: missing in this destination (other copies exist)")
                continue
            result = verify_archive(path)
            check.results.append(result)
            check.problems += [f"{path}: {p}" for p in result.problems]
            if result.manifest is not None:
                digests.setdefault(result.manifest.manifest_sha256, []).append(path)
        if len(digests) > 1:
            shown = "; ".join(f"{', '.join(str(p) for p in paths)}: {d}" for d, paths in sorted(digests.items()))
            check.problems.append(f"{school}/{name}: the copies' manifests differ ({shown})")
    return check
