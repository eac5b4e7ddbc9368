"""Requests a second that 1, 2 and 4 worker processes achieve together through one shared rate-limit bucket
(`rate_limit_scope = "shared"`), against a loopback server, and the database round trips each request costs.

    ./run bench bench_shared_rate_limit [--rate 50] [--seconds 4] [--database-url postgresql+psycopg://…]

The processes send as fast as the bucket lets them; the achieved rate should stay at --rate whatever their
number (burst 1, so no saved-up burst inflates it). Round trips per request are 1 at ≤ 10 rps and about
10 / rate above (slots granted in batches of ~100 ms). SQLite in a temporary folder unless --database-url.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from edugateway.store.db import Database
from support.arrival_server import Arrivals, arrival_server

WORKER = Path(__file__).resolve().parents[1] / "tests" / "support" / "shared_rate_limit_worker.py"


def measure(database_url: str, processes: int, rate: float, seconds: float) -> tuple[int, float, int]:
    """(requests, seconds from first to last arrival, database round trips)."""
    per_process = max(1, int(rate * seconds / processes))
    arrivals = Arrivals()
    with arrival_server(arrivals) as base_url:
        procs = [
            subprocess.Popen(
                [sys.executable, str(WORKER), database_url, base_url, f"w{i}", str(per_process), str(rate), "1"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=os.environ,
            )
            for i in range(processes)
        ]
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        trips = 0
        for proc in procs:
            out, _ = proc.communicate(timeout=600)
            if proc.returncode != 0:
                raise SystemExit(f"a worker failed: {out}")
            trips += int(json.loads(out.strip().splitlines()[-1])["round_trips"])
    stamps = sorted(t for t, _ in arrivals.times)
    return len(stamps), stamps[-1] - stamps[0], trips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="the platform's rate_limit_rps")
    parser.add_argument("--seconds", type=float, default=4.0, help="how long each measurement should take")
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'buckets.sqlite3'}"
        database = Database(url)
        database.migrate()
        database.dispose()
        backend = url.split(":", 1)[0]
        print(f"shared bucket on {backend}, rate_limit_rps = {args.rate:g}, burst 1")
        print("processes  requests  seconds  achieved rps  round trips/request")
        for processes in (1, 2, 4):
            requests, elapsed, trips = measure(url, processes, args.rate, args.seconds)
            achieved = (requests - 1) / elapsed if elapsed > 0 else float("inf")
            print(f"{processes:>9}  {requests:>8}  {elapsed:>7.2f}  {achieved:>12.1f}  {trips / requests:>19.2f}")


if __name__ == "__main__":
    main()
