"""The demo's second half: platform worlds from the imported school, the emulators in-process on loopback, a
first full sync with each platform and then an incremental one that finds nothing to write."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from edugateway.config.settings import Settings
from edugateway.domain.entities import Entity
from edugateway.emulators.faults import RequestStats
from edugateway.emulators.loopback import emulated_platforms
from edugateway.emulators.worldgen import build_world
from edugateway.store.db import Database
from edugateway.store.platform_state import forget_platform
from edugateway.store.snapshots import load_snapshot
from edugateway.store.sync_run_log import EntityCounts, sync_run
from edugateway.sync.engine import DEFAULT_ENTITIES, SyncOutcome, SyncRequest, run_sync

ECP_ENTITIES = [Entity.PERSONS, Entity.CLASSES]  # the contingent push; its journal is read pupil by pupil
COLUMNS = ("read", "linked", "created", "updated", "unchanged", "skipped", "failed")
HEADERS = ("read", "linked", "new", "changed", "same", "skipped", "failed")


def run_demo_sync(db: Database, out: Console, directory: Path, code: str, *, drift: str, seed: int) -> None:
    snapshot = load_snapshot(db, code)
    until = min(dt.date.today(), max(p.end_date for p in snapshot.periods))
    world_dir = directory / "world"
    shutil.rmtree(world_dir, ignore_errors=True)
    summary = build_world(snapshot, world_dir, profile=drift, seed=seed, until=until)
    out.print(
        f"[bold]4. Platform worlds[/] in {world_dir}: Дневник.ру, ГИС ЕЦП and ЕСИА, journal up to {until}, "
        f"{sum(summary.planted.values())} differences planted ({drift}), listed in planted-drift.jsonl"
    )
    with emulated_platforms(world_dir, code) as (settings, stats):
        urls = ", ".join(f"{p.base_url} ({name})" for name, p in settings.platforms.items())
        out.print(f"   emulators on {urls}")
        for platform in stats:  # the worlds are new: what the gateway knew of the old ones goes
            forget_platform(
                db, code, platform, actor="demo", reason="the demo made new platform worlds", drop_pulled=True
            )
        for step, title in ((5, "First sync"), (6, "Incremental sync (nothing changed)")):
            out.print(f"[bold]{step}. {title}[/]")
            for platform, entities in (("ecp", ECP_ENTITIES), ("dnevnik", None)):
                stats[platform].reset()
                request = SyncRequest(code, platform, entities or DEFAULT_ENTITIES, until=until)
                outcome = asyncio.run(run_sync(db, settings, request))
                _print_run(db, out, platform, outcome, stats[platform])
        _demo_verify(db, out, settings, code)
        _demo_reconcile(db, out, settings.model_copy(update={"data_dir": directory}), code, until)


def _demo_verify(db: Database, out: Console, settings: Settings, code: str) -> None:
    from edugateway.identity.case_types import CASE_TITLES
    from edugateway.identity.verify import Verifier

    out.print("[bold]7. ЕСИА verification[/] of every SNILS through СМЭВ 3")
    report = Verifier.from_settings(settings).verify_school(db, code, actor="demo", force=True)
    out.print(
        f"   {report.persons} persons, {report.numbers_asked} SNILS asked; "
        f"{report.outcomes.get('confirmed', 0)} confirmed; {report.cases.opened} new cases for the records clerk:"
    )
    for outcome, count in sorted(report.outcomes.items(), key=lambda item: -item[1]):
        if outcome != "confirmed":
            out.print(f"   {count:>5} × {CASE_TITLES.get(outcome, outcome)}")


def _demo_reconcile(db: Database, out: Console, settings: Settings, code: str, until: dt.date) -> None:
    from edugateway.reconciliation.service import ALL_ENTITIES, ReconcileRequest, reconcile

    out.print(f"[bold]8. The night's reconciliation report[/] about {until}")
    # ЕЦП's journal is read pupil by pupil, so the demo compares its roster only (what the push just sent); its
    # journal was not pulled, so the report names the journal rules «не проверяется» instead of counting 0.
    for platform, entities in (("dnevnik", ALL_ENTITIES), ("ecp", (Entity.PERSONS, Entity.CLASSES))):
        request = ReconcileRequest(code, platform, as_of=until, entities=entities)
        outcome = asyncio.run(reconcile(db, settings, request))
        report = outcome.report
        found = {s.key: s.total for s in report.sections if s.total and not s.rollup}  # the rollup counts them again
        out.print(
            f"   {platform}: report {outcome.report_id}, {sum(found.values())} findings in {len(found)} sections: "
            + (", ".join(f"{key} {n}" for key, n in found.items()) or "none")
        )
        for note in report.notes:
            out.print(f"   note: {note}")
        out.print(f"   open {outcome.files['html']}  (also .xlsx and .json beside it)")


def _print_run(db: Database, out: Console, platform: str, outcome: SyncOutcome, stats: RequestStats) -> None:
    table = Table("entity", "direction", *HEADERS, box=None, padding=(0, 1))
    row = sync_run(db, outcome.run_id)
    counts = row.counts if row and row.counts else {}
    for entity, direction in outcome.plan.directions.items():
        c = EntityCounts(**counts.get(entity.value, {}))
        table.add_row(entity.value, direction.value, *(str(getattr(c, name)) for name in COLUMNS))
    methods = Counter(route.split(" ", 1)[0] for route in stats.by_route.elements())
    by_method = ", ".join(f"{n} {method}" for method, n in sorted(methods.items()))
    out.print(f"   {platform}: run {outcome.run_id} {outcome.status}; {stats.total} requests ({by_method})")
    out.print(table)
    persons = outcome.plan.entities.get(Entity.PERSONS)
    if persons is not None and (found := persons.comparison) is not None:
        out.print(
            f"   persons: {len(found.differences)} differ, {len(found.only_local)} only local, "
            f"{len(found.only_remote)} only on the platform, "
            f"{len(outcome.plan.candidates or [])} possible links in the clerk's queue"
        )
