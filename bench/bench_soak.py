"""Soak: many nights of a small school against the ЕЦП and Дневник.ру emulators, with random 5xx, 429s, latency,
an edu-upload outage now and then, runs killed with SIGKILL and syncs started twice at once; on SQLite, PostgreSQL
or both. Every sync is a real `edugateway sync` process of this source tree; the emulators run in this process,
so what they hold can be read at the end. After the last night one calm night, then it prints records lost,
doubled and runs left running (all should be zero), with the counts behind them. See bench/soak/audit.py for
what lost and doubled mean exactly.

    ./run bench bench_soak [--nights 200] [--backend sqlite|postgresql|both] [--pg-url URL] [--students 40]
                           [--classes 3] [--seed N] [--kill-rate 0.25] [--twin-rate 0.08]

PostgreSQL: --pg-url or $EDUGATEWAY_TEST_PG_URL names a server and a database the bench may connect to; it creates
a database of its own beside it for the run and drops it after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from soak import audit, changes, weather
from soak.platforms import Platforms, serve_platforms
from soak.runs import Cli, LanePlan, Launch, plan_lane, run_lane
from sqlalchemy import create_engine, make_url, text

from edugateway.config.settings import load_settings
from edugateway.emulators.synthetic import generate_school
from edugateway.emulators.worldgen import build_world
from edugateway.logs import configure_logging
from edugateway.store.db import Database
from edugateway.store.snapshots import load_snapshot

PLATFORMS = ("ecp", "dnevnik")


@dataclass
class Soak:
    """One backend's nights: what happened, for the report."""

    backend: str
    nights: int
    weather: Counter[str] = field(default_factory=Counter)
    changes: Counter[str] = field(default_factory=Counter)
    launches: list[Launch] = field(default_factory=list)
    wall_s: float = 0.0


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A database of the bench's own on the server `server_url` reaches, dropped afterwards."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"soak_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def night(
    cli: Cli, n: int, until: dt.date, plans: dict[str, LanePlan], role: str = "run", typical: int = 40
) -> list[Launch]:
    """Both platforms' syncs at once: they hold different leases, as the scheduler would run them."""
    with ThreadPoolExecutor(len(PLATFORMS)) as pool:
        lanes = [pool.submit(run_lane, cli, n, p, until.isoformat(), plans[p], role, typical) for p in PLATFORMS]
        return [launch for lane in lanes for launch in lane.result()]


def soak(backend: str, url: str, args: argparse.Namespace, tmp: Path) -> Soak:
    started = time.perf_counter()
    result = Soak(backend, args.nights)
    rng = random.Random(args.seed)
    db = Database(url)
    db.migrate()
    school = generate_school(students=args.students, classes=args.classes, seed=args.seed).snapshot
    roster_dir = tmp / "roster"
    changes.import_roster(db, school, roster_dir)
    first_day = min(p.start_date for p in school.periods)
    last_day = first_day + dt.timedelta(days=args.nights)
    build_world(load_snapshot(db, school.school.code), tmp / "world", until=last_day, seed=args.seed)
    (tmp / "logs").mkdir()
    with serve_platforms(tmp / "world", school.school.code, url, tmp / "gateway.toml") as platforms:
        os.environ.update(platforms.env)  # the audit reads Дневник.ру through the connector, in this process
        cli = Cli(platforms, school.school.code, tmp / "logs")
        typical = 40  # requests of a whole Дневник.ру run, for where a kill may fall; learnt as nights go
        for n in range(1, args.nights + 1):
            sky = weather.draw(rng)
            platforms.set_faults(sky.ecp, sky.dnevnik)
            result.weather[sky.name] += 1
            school, done = changes.change(school, rng, n)
            changes.import_roster(db, school, roster_dir)
            result.changes.update(done)
            plans = {p: plan_lane(rng, args.kill_rate, args.twin_rate) for p in PLATFORMS}
            before = platforms.dnevnik.stats.total
            launches = night(cli, n, first_day + dt.timedelta(days=n), plans, typical=typical)
            if not plans["dnevnik"].kill and not plans["dnevnik"].twin:
                typical = max(typical, platforms.dnevnik.stats.total - before)
            result.launches += launches
            if os.environ.get("SOAK_TRACE"):
                for x in launches:
                    took = x.ended - x.started
                    print(f"    night {n} {sky.name} {x.platform} {x.role} kill={x.kill} exit={x.code} {took:.1f} s")
            if n % 10 == 0 or n == args.nights:
                exits = " ".join(f"{x.platform}:{'kill' if x.killed else x.code}" for x in launches)
                print(
                    f"  night {n}/{args.nights} {sky.name:<8} {exits}  {time.perf_counter() - started:.0f} s",
                    flush=True,
                )
        # The calm night after: no faults, no kills, nothing changed locally; what was left owing is sent now.
        platforms.set_faults(weather.CALM, weather.CALM)
        calm = {p: LanePlan() for p in PLATFORMS}
        result.launches += night(cli, args.nights + 1, last_day, calm, role="final")
        result.wall_s = time.perf_counter() - started
        report(result, db, school.school.code, platforms, first_day, last_day)
    db.dispose()
    return result


def _line(label: str, counts: Counter[str] | dict[str, int]) -> str:
    shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
    return f"  {label:<34} {shown}"


def _examples(found: audit.Found, skip: Sequence[str] = (), shown: int = 3) -> None:
    for kind, examples in found.examples.items():
        if kind not in skip and examples:
            print(f"      e.g. {kind}: {'; '.join(examples[:shown])}")


def report(result: Soak, db: Database, code: str, platforms: Platforms, first_day: dt.date, last_day: dt.date) -> None:
    settings = load_settings(platforms.config)
    ecp_lost, ecp_refused = audit.ecp_lost(db, code, platforms)
    dn_lost, served = audit.dnevnik_lost(settings, db, code, first_day, last_day)
    doubled = audit.ecp_doubled(db, code, platforms)
    local = audit.local_doubles(db, code)
    runs = audit.run_log(db, code)
    outbox = audit.open_outbox(db, code)
    skipped = Counter({k: v for k, v in dn_lost.counts.items() if "skipped" in k})
    dn_really_lost = Counter({k: v for k, v in dn_lost.counts.items() if "skipped" not in k})
    lost_total = sum(ecp_lost.counts.values()) + sum(dn_really_lost.values())
    doubled_total = doubled.counts["doubled"] + sum(local.counts.values())
    exits: dict[str, Counter[str]] = {p: Counter() for p in PLATFORMS}
    for x in result.launches:
        exits[x.platform]["SIGKILL" if x.killed else ("hung" if x.hung else str(x.code))] += 1
    twins = [x for x in result.launches if x.role == "twin"]
    pairs = {(x.night, x.platform) for x in twins}
    pair_codes = {
        pair: [x.code for x in result.launches if (x.night, x.platform) == pair and x.role != "approve"]
        for pair in pairs
    }
    refused = sum(1 for codes in pair_codes.values() if 4 in codes)
    serial = sum(1 for codes in pair_codes.values() if 4 not in codes)

    wall = f"{result.wall_s:.0f} s wall ({result.wall_s / 60:.1f} min)"
    print(f"== {result.backend}: {result.nights} nights + 1 calm, {wall}")
    print(_line("nights", result.weather))
    print(_line("local changes", result.changes))
    print(_line("Дневник.ру journal served", served) + f" (days {first_day} .. {last_day})")
    print(f"  RECORDS LOST                       {lost_total}")
    print(_line("  ЕЦП (wanted vs edu-upload)", ecp_lost.counts))
    _examples(ecp_lost)
    print(_line("  Дневник.ру (platform vs local)", dn_really_lost))
    _examples(dn_lost, skip=list(skipped))
    print(_line("  skipped with a reason", skipped))
    _examples(dn_lost, skip=list(dn_really_lost), shown=1)
    print(_line("  ЕЦП refused with a reason", ecp_refused.counts))
    print(f"  RECORDS DOUBLED                    {doubled_total}")
    print(
        _line(
            "  ЕЦП same row, same values again",
            {k: v for k, v in doubled.counts.items() if "again" in k or k == "doubled"},
        )
    )
    _examples(doubled)
    print(_line("  ЕЦП rows received", {k: v for k, v in doubled.counts.items() if k.startswith(("rows", "receipts"))}))
    print(_line("  local duplicates", local.counts))
    _examples(local)
    print(
        f"  RUNS LEFT RUNNING                  {len(runs.still_running)}"
        + (f" {runs.still_running}" if runs.still_running else "")
    )
    print(_line("  runs by status", runs.statuses))
    for platform in PLATFORMS:
        print(_line(f"  {platform} exits", exits[platform]))
    sent = Counter(f"{x.platform} {x.kill}" for x in result.launches if x.killed)
    missed = sum(1 for x in result.launches if x.kill and not x.killed)
    print(_line("  SIGKILL sent", sent) + f"; {missed} planned kills missed (the run ended first)")
    print(
        f"  concurrent starts                  {len(pairs)}: one refused with 4 in {refused}; "
        f"{serial} ran one after the other (the first had ended before the second asked for the lease)"
    )
    print(
        f"  runs overlapping in time           {len(runs.overlapping)}"
        + (f" {runs.overlapping[:5]}" if runs.overlapping else "")
    )
    print(_line("  outbox rows not done", outbox.counts))
    _examples(outbox, shown=2)
    for error, n in runs.errors.most_common(8):
        print(f"      {n:>4} x {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nights", type=int, default=200)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("EDUGATEWAY_TEST_PG_URL"))
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--kill-rate", type=float, default=0.25, help="share of a platform's nightly runs killed")
    parser.add_argument("--twin-rate", type=float, default=0.08, help="share started twice at once")
    args = parser.parse_args()
    configure_logging(level="ERROR")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"soak: {args.nights} nights, {args.students} pupils in {args.classes} classes, seed {args.seed}")
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix=f"soak-{backend}-") as name:
            tmp = Path(name)
            if backend == "sqlite":
                soak(backend, f"sqlite:///{tmp}/soak.sqlite3", args, tmp)
            elif not args.pg_url:
                print("== postgresql: skipped (give --pg-url or set EDUGATEWAY_TEST_PG_URL)")
            else:
                with postgres_database(args.pg_url) as url:
                    soak(backend, url, args, tmp)


if __name__ == "__main__":
    main()
