"""Writes a consistent world for all three emulators from one local school, with planted drift.

The school's journal (lessons, marks, attendance) is generated up to `until`, then every platform gets its
own drifted copy: Дневник.ру and ЕЦП a roster copy each, ЕСИА the accounts of the persons with a SNILS.
Every planted difference goes to `planted-drift.jsonl`, so identity checks and reconciliation can be tested
against ground truth; `world.json` records how the world was made.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik, ecp, smev
from edugateway.emulators.drift import DriftProfile, PlantedDrift, drift_esia, drift_journal, drift_roster
from edugateway.emulators.journal import generate_journal
from edugateway.errors import ValidationError

MANIFEST = "world.json"
PLANTED = "planted-drift.jsonl"


@dataclass
class WorldSummary:
    out_dir: Path
    school: str
    profile: str
    until: dt.date
    counts: dict[str, int] = field(default_factory=dict)  # "dnevnik persons" -> n, ...
    planted: Counter[str] = field(default_factory=Counter)  # drift kind -> n


def build_world(
    snapshot: SchoolSnapshot,
    out_dir: Path,
    *,
    profile: str = "realistic",
    seed: int = 1,
    until: dt.date | None = None,
) -> WorldSummary:
    """Writes the world for `snapshot` into `out_dir` (which must be empty or absent)."""
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ValidationError(f"{out_dir} is not empty; choose a new directory for the world")
    drift = DriftProfile.named(profile)
    until = until or _default_until(snapshot)
    rng = random.Random(seed)
    journal = generate_journal(snapshot, until=until, seed=seed)
    journal, planted = drift_journal(journal, drift, rng)

    dnevnik_copy, planted_dn = drift_roster(journal, dnevnik.SUBDIR, drift, rng)
    ecp_copy, planted_ecp = drift_roster(journal, ecp.SUBDIR, drift, rng)
    esia_copy, esia_extras, planted_esia = drift_esia(snapshot, drift, rng, until)
    planted += planted_dn + planted_ecp + planted_esia

    out_dir.mkdir(parents=True, exist_ok=True)
    dnevnik.world_from_snapshot(dnevnik_copy).save(out_dir)
    ecp.world_from_snapshot(ecp_copy).save(out_dir)
    smev.world_from_snapshot(esia_copy, esia_extras).save(out_dir)
    _write_planted(out_dir / PLANTED, planted)

    summary = WorldSummary(out_dir=out_dir, school=snapshot.school.code, profile=profile, until=until)
    summary.counts = {
        "persons (local)": len(snapshot.persons),
        "persons on Дневник.ру": len(dnevnik_copy.persons),
        "persons on ЕЦП": len(ecp_copy.persons),
        "ЕСИА accounts": sum(1 for p in esia_copy.persons if p.snils and not esia_extras.get(p.id, {}).get("missing")),
        "lessons": len(journal.lessons),
        "marks": len(journal.marks),
        "attendance records": len(journal.attendance),
    }
    summary.planted = Counter(f"{d.platform}: {d.kind.value}" for d in planted)
    manifest: dict[str, Any] = {
        "school": snapshot.school.code,
        "school_name": snapshot.school.name,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "journal_until": until.isoformat(),
        "drift_profile": profile,
        "seed": seed,
        "platforms": [dnevnik.SUBDIR, ecp.SUBDIR, smev.SUBDIR],
        "counts": summary.counts,
        "planted": dict(summary.planted),
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary


def _default_until(snapshot: SchoolSnapshot) -> dt.date:
    """Today, clipped to the school year the snapshot's periods cover (a world of a past year is complete)."""
    today = dt.date.today()
    if not snapshot.periods:
        return today
    start = min(p.start_date for p in snapshot.periods)
    end = max(p.end_date for p in snapshot.periods)
    return min(max(today, start), end)


def _write_planted(path: Path, planted: list[PlantedDrift]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for d in planted:
            out.write(json.dumps(d.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n")


def read_planted(world_dir: Path) -> list[PlantedDrift]:
    """The ground truth a world was generated with (empty for a hand-made world without the file)."""
    path = world_dir / PLANTED
    if not path.exists():
        return []
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                out.append(PlantedDrift.model_validate_json(line))
            except ValueError as exc:
                raise ValidationError(f"{path} line {number}: not a planted-drift record ({exc})") from exc
    return out
