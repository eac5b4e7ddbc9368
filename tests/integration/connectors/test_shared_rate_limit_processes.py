"""Three OS processes calling one platform through the real HTTP client with `rate_limit_scope = "shared"`, on
SQLite and PostgreSQL: together they stay within the platform's rate, and a Retry-After one of them hears holds
back the others.

Issue 19: "per-platform global rate limits shared across workers (the platform's limit is per partner token, not
per process)". The bounds below can only be broken by a broken limiter, never by a slow machine: a slow process
sends later, which spreads requests out rather than bunching them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import edugateway
from edugateway.store.db import Database
from support.arrival_server import Arrivals, arrival_server

WORKER = Path(__file__).resolve().parents[2] / "support" / "shared_rate_limit_worker.py"
WORKER_CMD = [str(WORKER)]
SRC = Path(edugateway.__file__).resolve().parents[1]
RATE, BURST = 4, 2
WORKERS = ["a", "b", "c"]
# The platform may see rate + burst in a second, and one more per process: a process the machine leaves waiting
# between its grant and its send carries that request late into the next second (it can never carry two: its next
# grant comes after the send). Three processes unshared would send 3 × (RATE + BURST) = 18 in the first second.
MOST_IN_ONE_SECOND = RATE + BURST + len(WORKERS)


def run_workers(database: Database, base_url: str, names: list[str], requests: int) -> list[dict[str, int]]:
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(SRC), str(WORKER.parent.parent)])}
    url = database.engine.url.render_as_string(hide_password=False)
    procs = [
        subprocess.Popen(
            [sys.executable, *WORKER_CMD, url, base_url, name, str(requests), str(RATE), str(BURST)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name in names
    ]
    for proc in procs:  # every one imported and connected: now they start together
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_processes_sharing_a_bucket_never_exceed_rate_plus_burst_in_any_second(database: Database) -> None:
    arrivals = Arrivals()
    with arrival_server(arrivals) as base_url:
        results = run_workers(database, base_url, WORKERS, 8)
    assert len(arrivals.times) == 24
    assert arrivals.most_in_one_second() <= MOST_IN_ONE_SECOND, arrivals.timeline()
    assert all(result["round_trips"] == 8 for result in results)  # one grant per request at 4/s


def test_a_retry_after_heard_by_one_process_holds_back_the_others(database: Database) -> None:
    arrivals = Arrivals(limit_worker="a", limit_after=6, retry_after_s=2.0)
    with arrival_server(arrivals) as base_url:
        run_workers(database, base_url, WORKERS, 8)
    assert arrivals.limited_at is not None
    pause_end = arrivals.limited_at + arrivals.retry_after_s
    during = [worker for t, worker in arrivals.times if arrivals.limited_at < t < pause_end]
    # Only slots granted before the pause may still arrive in it: one waiting and one in flight per process at
    # most (its two tasks take slots in turn). Unpaused, b and c would send 2 s × 4/s = 8 each.
    for worker in "abc":
        assert during.count(worker) <= 2, arrivals.timeline()
    assert len(arrivals.times) == 25, arrivals.timeline()  # 24 and the one refused, retried after the pause
    assert arrivals.most_in_one_second() <= MOST_IN_ONE_SECOND, arrivals.timeline()
