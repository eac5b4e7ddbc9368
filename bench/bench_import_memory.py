"""Peak memory of reading a large OneRoster users.csv (issue 14, finding 6): the reader streams the file, so
what it holds is the records it builds, not the file's text and every row's dict besides.

    ./run bench bench_import_memory [--users N]

Writes a set of one users.csv (bulk) with N users, reads it with `read_oneroster` in this process, and prints
the file's size, the time and the peak RSS. Run it against two trees to compare them (PYTHONPATH=other/src).
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path

from edugateway.store.oneroster import read_oneroster

HEADER = ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName"]
HEADER += ["familyName", "middleName", "email", "phone", "agentSourcedIds"]


def write_set(folder: Path, users: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.csv").write_text(
        "propertyName,value\r\noneroster.version,1.2\r\nfile.users,bulk\r\n", encoding="utf-8"
    )
    with (folder / "users.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for n in range(users):
            writer.writerow(
                [
                    f"u{n:08d}",
                    "active",
                    "2026-09-01T08:00:00Z",
                    "true",
                    f"user{n}",
                    "",
                    "Мария",
                    "Иванова",
                    "Петровна",
                    f"user{n}@school.example",
                    "+79001234567",
                    "",
                ]
            )
    return (folder / "users.csv").stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        size = write_set(Path(tmp) / "set", args.users)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        roster = read_oneroster(Path(tmp) / "set")
        took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"users.csv {size / 2**20:.0f} MiB, {len(roster.persons):,} persons read in {took:.1f} s")
    print(f"peak memory (max RSS): {peak:.0f} MiB (before reading: {before:.0f} MiB)")


if __name__ == "__main__":
    main()
