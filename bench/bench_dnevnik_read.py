"""A full read of a school from the Дневник.ру emulator through the connector, under the platform's limits:
persons, groups, and a school year of lessons, marks, final marks and attendance, with the emulator enforcing a
token-bucket rate limit and failing a share of requests with 5xx.

Prints the requests made (the connector's own count, retries included, and the emulator's), the wall time,
and the ratio of the wall time to the bound the rate limit sets (requests / limit): 1.0 is a connector that
never leaves the limit unused; the target is ≤ 1.2. Also checks that no record was lost.

    ./run bench bench_dnevnik_read [--students 1000] [--rps 20] [--fail-rate 0.02] [--until 2027-05-26]
                                   [--latency-ms 0]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import resource
import time
from collections import Counter

from edugateway.config.settings import DnevnikSettings, SecretRef
from edugateway.connectors.base import DateRange
from edugateway.connectors.dnevnik import DnevnikConnector, build_dnevnik_connector
from edugateway.domain.models import MarkKind, Role
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.faults import FaultConfig
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.logs import configure_logging


async def read_everything(conn: DnevnikConnector, span: DateRange) -> Counter[str]:
    counts: Counter[str] = Counter()
    async for _ in conn.persons():
        counts["persons"] += 1
    async for _ in conn.classes():
        counts["classes"] += 1
    async for _ in conn.lessons(span):
        counts["lessons"] += 1
    async for _ in conn.marks(span):
        counts["marks"] += 1
    async for _ in conn.final_marks():
        counts["final marks"] += 1
    async for _ in conn.attendance(span):
        counts["attendance"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--classes", type=int, default=40)
    parser.add_argument("--rps", type=float, default=20.0, help="the emulator's limit, and the connector's setting")
    parser.add_argument("--fail-rate", type=float, default=0.02)
    parser.add_argument("--until", type=dt.date.fromisoformat, default=dt.date(2027, 5, 26))
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every answer (real ones: 100-500)")
    args = parser.parse_args()
    configure_logging(level="ERROR")

    start = time.perf_counter()
    school = generate_journal(
        generate_school(students=args.students, classes=args.classes).snapshot, until=args.until, seed=1
    )
    emulator = dnevnik.create_app(dnevnik.world_from_snapshot(school))
    print(f"world: {len(school.lessons):,} lessons, {len(school.marks):,} marks, {len(school.attendance):,} absences")
    print(f"  built in {time.perf_counter() - start:.1f} s")
    emulator.set_faults(
        FaultConfig(
            rate_limit_rps=args.rps,
            rate_limit_burst=max(1, int(args.rps)),
            fail_rate=args.fail_rate,
            latency_ms=args.latency_ms,
            seed=7,
        )
    )
    span = DateRange(min(p.start_date for p in school.periods), args.until)

    with BackgroundServer(emulator.app) as server:
        os.environ["BENCH_DNEVNIK_TOKEN"] = emulator.admin_token
        settings = DnevnikSettings.model_validate(
            {
                "kind": "dnevnik",
                "base_url": f"{server.base_url}/v2.0/",
                "token": SecretRef(env="BENCH_DNEVNIK_TOKEN"),
                "rate_limit_rps": args.rps,
                "max_concurrency": 4,
                "retries": 8,
                "backoff_max_s": 5,
            }
        )
        conn = build_dnevnik_connector("dnevnik", settings, str(platform_id("school", school.school.code)))
        started = time.perf_counter()
        counts = asyncio.run(_read(conn, span))
        wall = time.perf_counter() - started

    sent = conn.client.requests_sent
    expected = {
        "persons": sum(1 for p in school.persons if p.roles & {Role.STUDENT, Role.TEACHER}),
        "classes": len(school.classes),
        "lessons": len(school.lessons),
        "marks": sum(1 for m in school.marks if m.kind in (MarkKind.LESSON, MarkKind.WORK)),
        "final marks": sum(1 for m in school.marks if m.kind is MarkKind.PERIOD_FINAL),
        "attendance": len(school.attendance),
    }
    print(
        f"read over {span.start}..{span.end} at {args.rps:g} rps with {args.fail_rate:.0%} 5xx "
        f"and {args.latency_ms:g} ms latency:"
    )
    for what, n in expected.items():
        verdict = "ok" if counts[what] == n else f"LOST {n - counts[what]}"
        print(f"  {what:<12} {counts[what]:>9,} of {n:>9,}  {verdict}")
    print(f"  skipped      {len(conn.skipped):>9,}")
    print(f"requests: {sent:,} sent by the connector (retries included), {emulator.stats.total:,} seen by the emulator")
    print(f"  emulator faults: { ({str(k): v for k, v in emulator.stats.faults.items()}) }")
    bound = sent / args.rps
    print(f"wall time: {wall:.1f} s; rate-limit bound (requests / limit): {bound:.1f} s; ratio {wall / bound:.3f}")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


async def _read(conn: DnevnikConnector, span: DateRange) -> Counter[str]:
    try:
        return await read_everything(conn, span)
    finally:
        await conn.aclose()


if __name__ == "__main__":
    main()
