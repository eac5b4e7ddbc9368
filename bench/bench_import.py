"""Import of a whole school: OneRoster export, first import, idempotent re-import, on SQLite (and PostgreSQL
when EDUGATEWAY_BENCH_PG_URL names an empty database). Prints wall time per step, rows, and peak memory.

    ./run bench bench_import [--students N]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from edugateway.emulators.synthetic import generate_school
from edugateway.logs import configure_logging
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<28} {time.perf_counter() - start:7.2f} s")
    return result


def run(url: str, roster_dir: Path, code: str) -> None:
    db = Database(url)
    db.migrate()
    first = timed("first import", lambda: apply_roster(db, read_oneroster(roster_dir), code))
    created = sum(c.created for c in first.counts.values())
    again = timed("re-import (no change)", lambda: apply_roster(db, read_oneroster(roster_dir), code))
    unchanged = sum(c.unchanged for c in again.counts.values())
    changed = sum(c.created + c.updated + c.deactivated for c in again.counts.values())
    print(f"  {created:,} records created; re-import: {unchanged:,} unchanged, {changed} changed")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1000)
    args = parser.parse_args()
    configure_logging(level="WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        school = timed("generate school", lambda: generate_school(students=args.students, classes=40))
        roster_dir = Path(tmp) / "oneroster"
        rows = timed("write OneRoster", lambda: write_oneroster(school.snapshot, roster_dir))
        print(f"  {sum(rows.values()):,} CSV rows in {len(rows)} files, {args.students} students")
        print("SQLite:")
        run(f"sqlite:///{tmp}/bench.sqlite3", roster_dir, school.snapshot.school.code)
        pg = os.environ.get("EDUGATEWAY_BENCH_PG_URL")
        if pg:
            print("PostgreSQL:")
            run(pg, roster_dir, school.snapshot.school.code)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
