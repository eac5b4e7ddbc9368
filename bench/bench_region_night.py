"""A region's night on the procrastinate executor: N small schools, one nightly Дневник.ру sync each, all deferred at
once, run by 1, 2 and 4 `edugateway worker` processes (a fresh queue and a fresh copy of the database each time)
through one shared rate-limit bucket (`rate_limit_scope = "shared"`) against the Дневник.ру emulator.

    ./run bench bench_region_night [--schools 300] [--pupils 100] [--rate 5] [--workers 1,2,4] [--concurrency 2]
                                   [--until 2026-09-15] [--pg-url postgresql+psycopg://…]

Why Дневник.ру: a region's operator registers one partner application, and `apiRequestLimit` counts per token
(docs/platforms/dnevnik.md), so every school's sync draws on one token's rate: the case the shared bucket is for.
ЕЦП signs in per school (admin login per organisation), so its buckets are per school and never bind a region.
--rate defaults to the project's rate_limit_rps (5): no platform publishes its limit.

The night measured is each school's first sync (the school year so far up to --until, the rest of the year to
today read as empty windows): the heaviest night, when a region comes onto the gateway.

Prints per worker count: the night's wall time (first fire deferred → last run finished), the scaling ratio
t1/tN, runs done / job_runs rows / sync_runs rows per school (exactly once: each 1), runs per minute per worker,
queue latency (deferred → started, from procrastinate_events), requests per run, and what bounds the night: the
rate floor (requests / rate) and the CPU the workers and the emulator used. A worker process uses about one core
at most (the GIL): on a 2-core machine 4 workers share 2 cores, so past the core count more workers shorten
neither the CPU-bound part nor, the bucket being shared, the rate-bound part.

PostgreSQL: --pg-url, $EDUGATEWAY_BENCH_PG_URL or $EDUGATEWAY_TEST_PG_URL names a server and a database the bench
may connect to; it creates databases of its own beside it and drops them after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from edugateway.config.settings import load_settings
from edugateway.emulators import dnevnik
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.emulators.worldgen import build_world
from edugateway.logs import configure_logging
from edugateway.scheduler.plan import plan_jobs
from edugateway.scheduler.queue import FireQueue
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.queue_tables import apply_queue_schema
from edugateway.store.roster import apply_roster
from edugateway.store.snapshots import load_snapshot

ROOT = Path(__file__).resolve().parents[1]
FIRE = dt.datetime(2026, 12, 5, 21, 30, tzinfo=dt.UTC)  # 02:30 in Yekaterinburg: the night's one fire
TOKEN_ENV = "EDUGATEWAY_BENCH_DNEVNIK_TOKEN"  # noqa: S105  # the variable's name, not a secret


def code(n: int) -> str:
    return f"r{n:04d}"


@contextmanager
def database_beside(server_url: str, prefix: str, template: str | None = None) -> Iterator[str]:
    """A database of the bench's own on the server `server_url` reaches (a copy of `template`), dropped after."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def build_region(url: str, schools: int, pupils: int, until: dt.date, tmp: Path) -> Path:
    """The schools' rosters in the database at `url` (with the queue's tables) and one Дневник.ру world holding all
    of them, each school's world built from its roster and merged file by file (ids never collide: they derive from
    the school's code). Returns the merged world's directory."""
    db = Database(url)
    db.migrate()
    apply_queue_schema(db)
    merged = tmp / "region" / dnevnik.SUBDIR
    merged.mkdir(parents=True)
    classes = max(1, pupils // 25)
    for n in range(schools):
        school = generate_school(students=pupils, classes=classes, seed=n, code=code(n)).snapshot
        write_oneroster(school, tmp / "or" / code(n))
        apply_roster(db, read_oneroster(tmp / "or" / code(n)), code(n))
        world = tmp / "worlds" / code(n)
        build_world(load_snapshot(db, code(n)), world, until=until, seed=n)
        for part in sorted((world / dnevnik.SUBDIR).iterdir()):
            with (merged / part.name).open("a") as out:
                out.write(part.read_text())
        if (n + 1) % 50 == 0:
            print(f"  {n + 1} schools built", flush=True)
    db.dispose()
    return merged.parent


def write_config(path: Path, url: str, base_url: str, schools: int, rate: float, concurrency: int) -> None:
    lines = [f'database_url = "{url}"', 'log_format = "json"', 'log_level = "INFO"', ""]
    for n in range(schools):
        school_id = dnevnik.platform_id("school", code(n))
        lines += ["[[schools]]", f'code = "{code(n)}"', 'timezone = "Asia/Yekaterinburg"']
        lines += [f'platform_ids = {{ dnevnik = "{school_id}" }}', ""]
    lines += [
        "[platforms.dnevnik]",
        'kind = "dnevnik"',
        f'base_url = "{base_url}/v2.0/"',
        f'token = {{ env = "{TOKEN_ENV}" }}',
        f"rate_limit_rps = {rate}",
        'rate_limit_scope = "shared"',
        "",
        "[scheduler]",
        'executor = "procrastinate"',
        f"worker_concurrency = {concurrency}",
        "",
        "[[jobs]]",
        'name = "nightly"',
        'kind = "sync"',
        'cron = "30 2 * * *"',
        'platform = "dnevnik"',
        "retries = 0",
    ]
    path.write_text("\n".join(lines) + "\n")


@dataclass
class Night:
    workers: int
    wall_s: float
    runs: int
    done: int
    job_runs_per_school: set[int]
    sync_runs_per_school: set[int]
    latency_s: list[float]
    requests: int
    worker_cpu_s: float
    emulator_cpu_s: float


def start_workers(config: Path, count: int, env: dict[str, str], logs: Path) -> list[subprocess.Popen[bytes]]:
    procs = []
    for i in range(count):
        log = logs / f"worker-{count}-{i}.log"
        with log.open("wb") as out:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "edugateway", "--config", str(config), "worker"],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            )
    deadline = time.monotonic() + 120
    for i, proc in enumerate(procs):
        log = logs / f"worker-{count}-{i}.log"
        while "worker.started" not in log.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"worker {i} did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
    return procs


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> float:
    """SIGTERM each worker and reap it; the CPU seconds (user + system) they used in all."""
    cpu = 0.0
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu += usage.ru_utime + usage.ru_stime
    return cpu


def finished(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(text("SELECT count(*) FROM job_runs WHERE finished_at IS NOT NULL")) or 0)


def one_night(template: str, server_url: str, world: Path, args: argparse.Namespace, workers: int, tmp: Path) -> Night:
    emulator = dnevnik.create_app(dnevnik.load_world(world))
    with database_beside(server_url, "night", template) as url, BackgroundServer(emulator.app) as server:
        config = tmp / f"gateway-{workers}.toml"
        write_config(config, url, server.base_url, args.schools, args.rate, args.concurrency)
        env = {**os.environ, TOKEN_ENV: emulator.admin_token}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
        os.environ[TOKEN_ENV] = emulator.admin_token
        settings = load_settings(config)
        db = Database(url)
        procs = start_workers(config, workers, env, tmp)
        emulator.stats.reset()
        cpu_before = time.process_time()
        started = time.perf_counter()
        queue = FireQueue(settings)
        queue.open()
        try:
            for planned in plan_jobs(settings):
                queue.defer(planned, FIRE)
        finally:
            queue.close()
        while finished(db) < args.schools:
            time.sleep(0.5)
        wall = time.perf_counter() - started
        emulator_cpu = time.process_time() - cpu_before
        worker_cpu = stop_workers(procs)
        night = Night(
            workers=workers,
            wall_s=wall,
            runs=args.schools,
            done=0,
            job_runs_per_school=set(),
            sync_runs_per_school=set(),
            latency_s=[],
            requests=emulator.stats.total,
            worker_cpu_s=worker_cpu,
            emulator_cpu_s=emulator_cpu,
        )
        with db.engine.connect() as conn:
            night.done = int(conn.scalar(text("SELECT count(*) FROM job_runs WHERE status = 'done'")) or 0)
            per_school = conn.execute(text("SELECT school, count(*) FROM job_runs GROUP BY school")).all()
            night.job_runs_per_school = {int(c) for _, c in per_school} | (
                {0} if len(per_school) < args.schools else set()
            )
            synced = conn.execute(
                text(
                    "SELECT s.code, count(r.id) FROM schools s LEFT JOIN sync_runs r "
                    "ON r.school_id = s.id AND r.status = 'done' GROUP BY s.code"
                )
            ).all()
            night.sync_runs_per_school = {int(c) for _, c in synced}
            night.latency_s = [
                float(s)
                for (s,) in conn.execute(
                    text(
                        "SELECT extract(epoch FROM min(e.at) FILTER (WHERE e.type = 'started') "
                        "- min(e.at) FILTER (WHERE e.type = 'deferred')) "
                        "FROM procrastinate_events e GROUP BY e.job_id"
                    )
                )
                if s is not None
            ]
        db.dispose()
    return night


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report(nights: list[Night], rate: float) -> None:
    t1 = next((n.wall_s for n in nights if n.workers == 1), None)
    print(
        "workers  wall s  t1/tN  done  job_runs/school  sync_runs/school  runs/min/worker  "
        "latency p50/p95/max s  req/run  rate floor s  CPU s workers+emulator"
    )
    for n in nights:
        ratio = f"{t1 / n.wall_s:5.2f}" if t1 else "    -"
        per_worker = n.runs / (n.wall_s / 60) / n.workers
        lat = f"{statistics.median(n.latency_s):.1f}/{percentile(n.latency_s, 0.95):.1f}/{max(n.latency_s):.1f}"
        jr = ",".join(map(str, sorted(n.job_runs_per_school)))
        sr = ",".join(map(str, sorted(n.sync_runs_per_school)))
        floor = n.requests / rate
        print(
            f"{n.workers:>7}  {n.wall_s:>6.0f}  {ratio}  {n.done:>4}  {jr:>15}  {sr:>16}  {per_worker:>15.1f}  "
            f"{lat:>21}  {n.requests / n.runs:>7.0f}  {floor:>12.0f}  {n.worker_cpu_s:>7.0f}+{n.emulator_cpu_s:.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Defaults: the rate-bound night of README (about 5 min per worker count). The full night is
    # --schools 300 --rate 5: the token's rate alone makes it about 6.3 hours for each worker count.
    parser.add_argument("--schools", type=int, default=30)
    parser.add_argument("--pupils", type=int, default=100)
    parser.add_argument("--rate", type=float, default=40.0, help="Дневник.ру rate_limit_rps of the region's one token")
    parser.add_argument("--workers", default="1,2,4", help="worker process counts, one night each")
    parser.add_argument("--concurrency", type=int, default=2, help="scheduler.worker_concurrency (the default: 2)")
    parser.add_argument("--until", type=dt.date.fromisoformat, default=dt.date(2026, 9, 15), help="journal up to")
    parser.add_argument(
        "--pg-url", default=os.environ.get("EDUGATEWAY_BENCH_PG_URL") or os.environ.get("EDUGATEWAY_TEST_PG_URL")
    )
    args = parser.parse_args()
    if not args.pg_url:  # as bench_soak: `./run bench` runs every bench, and this one cannot run without a server
        print("region night: skipped (give --pg-url or set EDUGATEWAY_BENCH_PG_URL: the queue needs PostgreSQL)")
        return
    configure_logging(level="ERROR")
    counts = [int(w) for w in args.workers.split(",")]
    print(
        f"region night: {args.schools} schools x {args.pupils} pupils, Дневник.ру one shared token at "
        f"{args.rate:g} rps, workers {counts} x concurrency {args.concurrency}, {os.cpu_count()} cores"
    )
    # A 100-pupil school's first sync is about 377 requests: say up front how long the rate alone makes each night.
    floor = args.schools * 377 * max(1.0, args.pupils / 100) / args.rate
    print(f"  the rate alone bounds each night at about {floor / 60:.0f} min (--schools/--rate run it smaller)")
    with tempfile.TemporaryDirectory(prefix="region-night-") as name:
        tmp = Path(name)
        started = time.perf_counter()
        with database_beside(args.pg_url, "region") as template_url:
            world = build_region(template_url, args.schools, args.pupils, args.until, tmp)
            print(f"  region built in {time.perf_counter() - started:.0f} s", flush=True)
            template = make_url(template_url).database
            assert template is not None
            nights = []
            for workers in counts:
                nights.append(one_night(template, args.pg_url, world, args, workers, tmp))
                print(f"  {workers} worker(s): {nights[-1].wall_s:.0f} s", flush=True)
        report(nights, args.rate)
    print(f"peak memory of the bench (emulator): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
