"""ЕСИА verification of a generated school with realistic drift, against the СМЭВ/ЕСИА emulator on loopback:
precision and recall per case type against what was planted, the time of a first verification, of a second
one with nothing changed, and the requests each made.

    ./run bench bench_identity [--students 1000] [--profile realistic] [--seed 5]

What was planted is scored by the test oracle `support.identity_truth` (tests/support/); `./run bench` puts
tests/ on PYTHONPATH for that (run by hand: `PYTHONPATH=tests python bench/bench_identity.py`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from edugateway.config.settings import EsiaSettings, IdentitySettings
from edugateway.connectors.esia import EsiaLookup, UnsignedSigner, build_esia_lookup
from edugateway.emulators.drift import DriftProfile, drift_esia
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.smev import ENDPOINT, create_app, world_from_snapshot
from edugateway.emulators.synthetic import generate_school
from edugateway.identity.case_types import CaseStatus
from edugateway.identity.verify import Verifier
from edugateway.logs import configure_logging
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.tables import IdentityCaseRow, PersonRow
from support.identity_truth import expected_cases, score

TODAY = dt.date(2026, 11, 23)


def lookup(url: str) -> EsiaLookup:
    platform = EsiaSettings(base_url=url, rate_limit_rps=50, timeout_s=30)
    return build_esia_lookup(
        "esia", platform, signer=UnsignedSigner(), sender="EDUGW01", poll_first_s=0.1, poll_max_s=0.5
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--profile", default="realistic")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    configure_logging("console", "WARNING")

    generated = generate_school(students=args.students, classes=max(4, args.students // 25), seed=args.seed)
    code = generated.snapshot.school.code
    esia, extras, planted = drift_esia(
        generated.snapshot, DriftProfile.named(args.profile), random.Random(args.seed), TODAY
    )
    emulator = create_app(world_from_snapshot(esia, extras), response_delay_s=0.2)
    with tempfile.TemporaryDirectory() as tmp, BackgroundServer(emulator.app) as server:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        db.migrate()
        write_oneroster(generated.snapshot, Path(tmp) / "oneroster")
        apply_roster(db, read_oneroster(Path(tmp) / "oneroster"), code)
        url = server.base_url + ENDPOINT
        verifier = Verifier(lambda: lookup(url), IdentitySettings(), today=lambda: TODAY)

        for label in ("first verification", "nothing changed"):
            emulator.stats.reset()
            started = time.perf_counter()
            report = verifier.verify_school(db, code, actor="bench")
            took = time.perf_counter() - started
            print(
                f"{label}: {took:.1f} s; {report.persons} persons, {report.asked} asked "
                f"({report.numbers_asked} SNILS), {report.reused} reused; {emulator.stats.total} СМЭВ requests "
                f"({', '.join(f'{n} {op}' for op, n in sorted(emulator.stats.by_route.items()))}); "
                f"cases {report.cases.opened} opened, {report.cases.closed} closed"
            )

        with db.session() as session:
            rows = session.execute(
                select(PersonRow.source_id, IdentityCaseRow.case_type, IdentityCaseRow.detail)
                .join(PersonRow, PersonRow.id == IdentityCaseRow.person_id)
                .where(IdentityCaseRow.status == CaseStatus.OPEN)
            )
            found = {(s, t, d) for s, t, d in rows.tuples()}
    expected = expected_cases(generated.snapshot.persons, generated.planted, planted)
    print(f"\n{'case type':22s} {'planted':>8s} {'found':>6s} {'right':>6s} {'precision':>10s} {'recall':>7s}")
    for s in score(expected, found):
        print(f"{s.case_type:22s} {s.expected:8d} {s.found:6d} {s.correct:6d} {s.precision:10.3f} {s.recall:7.3f}")
    everyone = score(expected, found)
    right = sum(s.correct for s in everyone)
    print(
        f"{'all':22s} {len(expected):8d} {len(found):6d} {right:6d} "
        f"{right / len(found) if found else 1:10.3f} {right / len(expected) if expected else 1:7.3f}"
    )
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")


if __name__ == "__main__":
    main()
