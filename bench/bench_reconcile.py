"""Reconciliation of 1,000,000 marks: the local database's marks against the platform's, through the identity map.

Set-up (not timed, in its own process): a SQLite database with one school of 2,000 pupils, 40 classes and
125,000 lessons, 1,000,000 pulled marks and their identity links; and the platform's side as it streams out of
a connector, laid out as Arrow columns and saved. The platform's copy has 1% of the marks with another value,
0.5% deleted and 0.5% added.

Timed (in a fresh process, so the peak memory is the comparison's own): reading the local marks and the links
from the database into Arrow, and the DuckDB comparison; then the findings are checked against the planted
truth. Separately: turning 1,000,000 connector rows into Arrow columns (what remote_side.py does while a
platform streams). Target (issue 7): <= 10 s and <= 1 GB for 1,000,000 marks on this 2-core machine.

    ./run bench bench_reconcile [--marks 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import insert

from edugateway.logs import configure_logging
from edugateway.reconciliation.columns import LINKS_SCHEMA, ColumnBuffer, local_schema, remote_schema
from edugateway.reconciliation.compare import compare_entity, comparison_engine
from edugateway.reconciliation.entities import SPECS
from edugateway.store.db import Database
from edugateway.store.local_side import links_table, local_table
from edugateway.store.tables import (
    ClassRow,
    IdentityLinkRow,
    LessonRow,
    MarkRow,
    PersonRow,
    SchoolRow,
    SubjectRow,
)

TARGET_SECONDS = 10.0
TARGET_MIB = 1024
PLATFORM = "dnevnik"
PUPILS, CLASSES, SUBJECTS = 2000, 40, 10
START = dt.date(2026, 9, 1)
DAYS = 120
CHANGED, DELETED, ADDED = 0.01, 0.005, 0.005
VALUES = ("5", "4", "3", "2", "4-", "5-")


def _rows(n: int, make: object) -> list[dict[str, object]]:
    return [make(i) for i in range(n)]  # type: ignore[operator]


def build(url: str, marks: int, remote_file: Path, truth_file: Path) -> None:
    rng = random.Random(7)
    db = Database(url)
    db.migrate()
    lessons = marks // 8
    with db.session() as s:
        school = SchoolRow(code="bench", name="Школа для замера")
        s.add(school)
        s.flush()
        sid = school.id
        s.execute(
            insert(ClassRow),
            _rows(
                CLASSES,
                lambda i: {
                    "school_id": sid,
                    "source_id": f"c{i}",
                    "name": f"{5 + i // 8}{'АБВГД'[i % 5]}{i}",
                    "grade": 5 + i // 8,
                    "academic_year": 2026,
                },
            ),
        )
        s.execute(
            insert(SubjectRow),
            _rows(SUBJECTS, lambda i: {"school_id": sid, "source_id": f"s{i}", "name": f"Предмет {i}"}),
        )
        s.execute(
            insert(PersonRow),
            _rows(
                PUPILS,
                lambda i: {
                    "school_id": sid,
                    "source_id": f"p{i}",
                    "roles": "student",
                    "last_name": f"Фамилия{i}",
                    "first_name": "Имя",
                },
            ),
        )
        ids = {
            t: dict(s.execute(t.__table__.select().with_only_columns(t.source_id, t.id)).all())
            for t in (ClassRow, SubjectRow, PersonRow)
        }
        s.execute(
            insert(LessonRow),
            _rows(
                lessons,
                lambda i: {
                    "school_id": sid,
                    "source_id": f"l{i}",
                    "date": START + dt.timedelta(days=i % DAYS),
                    "number": 1 + i % 7,
                    "class_id": ids[ClassRow][f"c{i % CLASSES}"],
                    "subject_id": ids[SubjectRow][f"s{i % SUBJECTS}"],
                },
            ),
        )
        lesson_ids = dict(
            s.execute(LessonRow.__table__.select().with_only_columns(LessonRow.source_id, LessonRow.id)).all()
        )
        links = [
            *(
                {
                    "school_id": sid,
                    "platform": PLATFORM,
                    "entity": "persons",
                    "local_key": f"p{i}",
                    "remote_id": f"rp{i}",
                    "method": "snils",
                }
                for i in range(PUPILS)
            ),
            *(
                {
                    "school_id": sid,
                    "platform": PLATFORM,
                    "entity": "lessons",
                    "local_key": f"l{i}",
                    "remote_id": f"rl{i}",
                    "method": "pulled",
                }
                for i in range(lessons)
            ),
        ]
        s.execute(insert(IdentityLinkRow), links)
    with db.session() as s:
        remote = ColumnBuffer(remote_schema("marks"))
        truth = {"changed": 0, "deleted": 0, "added": 0}
        batch: list[dict[str, object]] = []
        link_batch: list[dict[str, object]] = []
        for i in range(marks):
            lesson = i % lessons
            pupil = (i * 7919) % PUPILS
            value = rng.choice(VALUES)
            day = START + dt.timedelta(days=lesson % DAYS)
            batch.append(
                {
                    "school_id": sid,
                    "source_id": f"{PLATFORM}:m{i}",
                    "person_id": ids[PersonRow][f"p{pupil}"],
                    "value": value,
                    "kind": "lesson",
                    "lesson_id": lesson_ids[f"l{lesson}"],
                    "date": day,
                }
            )
            link_batch.append(
                {
                    "school_id": sid,
                    "platform": PLATFORM,
                    "entity": "marks",
                    "local_key": f"{PLATFORM}:m{i}",
                    "remote_id": f"m{i}",
                    "method": "pulled",
                }
            )
            roll = rng.random()
            if roll < DELETED:
                truth["deleted"] += 1
            else:
                if roll < DELETED + CHANGED:
                    value = next(v for v in VALUES if v != value)
                    truth["changed"] += 1
                remote.add((f"m{i}", f"rp{pupil}", f"rl{lesson}", value, "lesson", None, day))
            if rng.random() < ADDED:
                remote.add((f"new{i}", f"rp{pupil}", f"rl{lesson}", "5", "lesson", None, day))
                truth["added"] += 1
            if len(batch) >= 50_000:
                s.execute(insert(MarkRow), batch)
                s.execute(insert(IdentityLinkRow), link_batch)
                batch, link_batch = [], []
        if batch:
            s.execute(insert(MarkRow), batch)
            s.execute(insert(IdentityLinkRow), link_batch)
    pq.write_table(remote.table(), remote_file)
    truth_file.write_text(json.dumps({**truth, "school_id": sid}))
    db.dispose()


def timed(url: str, remote_file: Path, truth_file: Path) -> None:
    truth = json.loads(truth_file.read_text())
    remote = pq.read_table(remote_file)
    span = (START, START + dt.timedelta(days=DAYS))
    db = Database(url)
    t0 = time.perf_counter()
    with db.session() as session:
        local = local_table(
            session, "marks", school_id=truth["school_id"], platform=PLATFORM, span=span, schema=local_schema("marks")
        )
        t1 = time.perf_counter()
        links = links_table(
            session,
            school_id=truth["school_id"],
            platform=PLATFORM,
            entities=("persons", "lessons"),
            schema=LINKS_SCHEMA,
        )
    t2 = time.perf_counter()
    with comparison_engine() as con:
        found = compare_entity(con, SPECS["marks"], local, remote, links)
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    c = found.counts
    ok = (
        c.different == truth["changed"]
        and c.only_local == truth["deleted"]
        and c.only_remote == truth["added"]
        and all(set(d["fields"]) == {"value"} for d in found.different)
    )
    print(f"local marks read from the database into Arrow: {t1 - t0:6.2f} s ({local.num_rows:,} rows)")
    print(f"links read (persons, lessons):                 {t2 - t1:6.2f} s ({links.num_rows:,} rows)")
    print(f"DuckDB comparison and findings:                {t3 - t2:6.2f} s")
    total = t3 - t0
    print(f"total:                                         {total:6.2f} s, peak memory {peak:.0f} MiB")
    print(f"counts: {c.model_dump()}")
    print(
        f"planted: {truth['changed']} changed, {truth['deleted']} deleted, {truth['added']} added -> "
        f"{'all found, nothing else' if ok else 'MISMATCH'}"
    )
    verdict = "met" if total <= TARGET_SECONDS and peak <= TARGET_MIB else "MISSED"
    print(f"target <= {TARGET_SECONDS:.0f} s and <= {TARGET_MIB} MiB: {verdict}")


def columnarize(n: int) -> None:
    rows = ((f"m{i}", f"rp{i % PUPILS}", f"rl{i // 8}", "5", "lesson", None, START) for i in range(n))
    t0 = time.perf_counter()
    buffer = ColumnBuffer(remote_schema("marks"))
    buffer.extend(rows)
    table = buffer.table()
    print(f"{table.num_rows:,} connector rows into Arrow columns: {time.perf_counter() - t0:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--marks", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--phase", choices=("build", "timed", "columnarize"))
    parser.add_argument("--dir")
    args = parser.parse_args()
    configure_logging("console", "WARNING")
    if args.phase:
        work = Path(args.dir)
        url = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
        if args.phase == "build":
            build(url, args.marks, work / "remote.parquet", work / "truth.json")
        elif args.phase == "timed":
            timed(url, work / "remote.parquet", work / "truth.json")
        else:
            columnarize(args.marks)
        return
    with tempfile.TemporaryDirectory(prefix="bench-reconcile-") as tmp:
        base = [sys.executable, __file__, "--marks", str(args.marks), "--dir", tmp]
        if args.database_url:
            base += ["--database-url", args.database_url]
        t = time.perf_counter()
        subprocess.run([*base, "--phase", "build"], check=True)
        print(f"set-up ({args.marks:,} marks, not timed): {time.perf_counter() - t:.1f} s")
        subprocess.run([*base, "--phase", "timed"], check=True)
        subprocess.run([*base, "--phase", "columnarize"], check=True)


if __name__ == "__main__":
    pa.set_cpu_count(2)
    main()
