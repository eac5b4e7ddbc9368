"""The nightly ЕЦП journal pull, measured: a school of N pupils on the ЕЦП emulator, imported, then synced by
`run_sync` with the default entities (roster, then lessons, marks, finals, attendance) twice: a first run that
reads the school year so far, and a later one `--gap-days` after it (1: the next night) that reads from its
cursor minus ЕЦП's 7-day allowance.

ЕЦП's family API answers per pupil: one schedule page and one marks table per pupil and week, homework day
pages for as few pupils as cover the week's lessons, one «Итоговые оценки» table per pupil. Prints the requests
of each run by what they read, the wall time at the emulator's speed (loopback, no rate limit) and the time the
same requests take at the configured rate limit (requests / rps), which is what a real night costs.

    ./run bench bench_ecp_journal [--students 1000] [--rps 3] [--until 2026-11-13] [--gap-days 1]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from edugateway.config.settings import EcpSettings, SchoolSettings, SecretRef, Settings
from edugateway.domain.entities import Entity
from edugateway.emulators import ecp
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.logs import configure_logging
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.sync.engine import SyncOutcome, SyncRequest, run_sync

CODE = "bench66"


def what_it_reads(path: str, query: dict[str, str]) -> str:
    """A request by the entity it serves."""
    if path.endswith("/schedule"):
        return "lessons: schedule (pupil × week)"
    if path.endswith("/homework"):
        return "lessons: homework (day pages)"
    if path.endswith("/estimate"):
        if "weekNumber" in query:
            return "marks + attendance: week table (pupil × week)"
        return "finals and period days: estimate tables"
    return "roster, subjects, periods, sign-in, push"


class Counting:
    """ASGI middleware: counts requests by `what_it_reads`."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            from urllib.parse import parse_qsl

            query = dict(parse_qsl(scope.get("query_string", b"").decode()))
            self.counts[what_it_reads(scope["path"], query)] += 1
        await self.app(scope, receive, send)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--classes", type=int, default=40)
    parser.add_argument("--rps", type=float, default=3.0, help="the rate limit to project to (example config: 3)")
    parser.add_argument("--until", type=dt.date.fromisoformat, default=dt.date(2026, 11, 13))
    parser.add_argument("--gap-days", type=int, default=1, help="days between the first run and the measured one")
    args = parser.parse_args()
    configure_logging(level="ERROR")

    started = time.perf_counter()
    first_night = args.until - dt.timedelta(days=args.gap_days)
    school = generate_school(students=args.students, classes=args.classes, code=CODE).snapshot
    journal = generate_journal(school, until=args.until, seed=1)
    counting = Counting(ecp.create_app(ecp.world_from_snapshot(journal)).app)
    print(f"world: {args.students:,} pupils, {len(journal.lessons):,} lessons, {len(journal.marks):,} marks")
    print(f"  built in {time.perf_counter() - started:.1f} s")

    with tempfile.TemporaryDirectory() as tmp, BackgroundServer(counting) as server:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        db.migrate()
        write_oneroster(school, Path(tmp) / "or")
        apply_roster(db, read_oneroster(Path(tmp) / "or"), CODE)
        os.environ["BENCH_ECP_PASSWORD"] = ecp.ADMIN_PASSWORD
        platform = {
            "kind": "ecp",
            "base_url": f"{server.base_url}/api/",
            "login": ecp.admin_login(CODE),
            "password": SecretRef(env="BENCH_ECP_PASSWORD"),
            "rate_limit_rps": 10_000,  # the emulator's speed; the configured limit is projected below
            "max_concurrency": 8,
        }
        settings = Settings(
            schools=[SchoolSettings(code=CODE)], platforms={"ecp": EcpSettings.model_validate(platform)}
        )
        for title, until in (("first run: the school year so far", first_night), ("next run", args.until)):
            counting.counts.clear()
            begun = time.perf_counter()
            outcome = asyncio.run(run_sync(db, settings, SyncRequest(CODE, "ecp", until=until)))
            _print_run(f"{title}, up to {until}", outcome, counting.counts, time.perf_counter() - begun, args.rps)
        db.dispose()


def _print_run(title: str, outcome: SyncOutcome, counts: Counter[str], wall: float, rps: float) -> None:
    total = sum(counts.values())
    print(f"{title}: run {outcome.status}, {total:,} requests")
    for what, n in sorted(counts.items()):
        print(f"  {what:<48} {n:>8,}")
    stored = {e.value: outcome.counts[e.value].read for e in (Entity.LESSONS, Entity.MARKS, Entity.ATTENDANCE)}
    print(f"  records read: {stored}")
    print(f"  wall time at the emulator's speed: {wall:.1f} s")
    print(f"  at {rps:g} requests/s: {total / rps:,.0f} s = {total / rps / 60:.1f} min")


if __name__ == "__main__":
    main()
