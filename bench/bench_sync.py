"""Sync of a whole school with the emulated platforms: the first push (ГИС ЕЦП contingent) and the first pull
(Дневник.ру journal of the term so far), then the same again with nothing changed.

Prints, per run, the wall time and the requests made by route group, and the counts per entity.

    ./run bench bench_sync [--students 1000] [--until 2026-12-25]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

from edugateway.domain.entities import Entity
from edugateway.emulators.loopback import emulated_platforms
from edugateway.emulators.synthetic import generate_school
from edugateway.emulators.worldgen import build_world
from edugateway.logs import configure_logging
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.snapshots import load_snapshot
from edugateway.store.tables import SyncRunRow
from edugateway.sync.engine import DEFAULT_ENTITIES, SyncRequest, run_sync

ECP_ENTITIES = [Entity.PERSONS, Entity.CLASSES]  # the contingent push, as in the demo; its journal is not pushed


def group(route: str) -> str:
    """`GET /v2.0/edu-groups/{group}/marks/{start}/{end}` -> `GET …/marks`: requests per kind of read."""
    method, path = route.split(" ", 1)
    words = [w for w in path.split("/") if w and not w.startswith("{") and w not in ("v2.0", "api")]
    return f"{method} {'/'.join(words[-2:]) if len(words) > 1 else ''.join(words)}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--until", type=dt.date.fromisoformat, default=dt.date(2026, 12, 25))
    args = parser.parse_args()
    configure_logging(level="WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        school = generate_school(students=args.students, classes=40).snapshot
        db = Database(f"sqlite:///{tmp}/bench.sqlite3")
        db.migrate()
        write_oneroster(school, Path(tmp) / "or")
        apply_roster(db, read_oneroster(Path(tmp) / "or"), school.school.code)
        started = time.perf_counter()
        build_world(load_snapshot(db, school.school.code), Path(tmp) / "world", until=args.until)
        print(f"{args.students} students; worlds built in {time.perf_counter() - started:.1f} s")
        with emulated_platforms(Path(tmp) / "world", school.school.code) as (settings, stats):
            for label in ("first sync", "no-change sync"):
                for platform, entities in (("ecp", ECP_ENTITIES), ("dnevnik", DEFAULT_ENTITIES)):
                    stats[platform].reset()
                    request = SyncRequest(school.school.code, platform, entities, until=args.until)
                    started = time.perf_counter()
                    outcome = asyncio.run(run_sync(db, settings, request))
                    wall = time.perf_counter() - started
                    by_group = Counter({group(r): n for r, n in stats[platform].by_route.items()})
                    print(f"{label}, {platform}: {outcome.status} in {wall:.1f} s, {stats[platform].total} requests")
                    for name, n in by_group.most_common():
                        print(f"    {n:>6}  {name}")
                    with db.session() as session:
                        counts = (session.get(SyncRunRow, outcome.run_id) or SyncRunRow()).counts or {}
                    for entity, c in counts.items():
                        shown = ", ".join(f"{k} {v}" for k, v in c.items() if v)
                        print(f"    {entity:<12} {shown}")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
