"""The demo's second half: platform worlds from the imported school, the emulators in-process on loopback, a
first full sync with each platform and then an incremental one that finds nothing to write."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

from edugateway.config.settings import PlatformSettings, SchoolSettings, SecretRef, Settings
from edugateway.connectors.base import Entity
from edugateway.emulators import dnevnik, ecp, smev
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.faults import RequestStats
from edugateway.emulators.server import BackgroundServer
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
    # ЕЦП's journal is read pupil by pupil, so the demo compares its roster only (what the push just sent).
    for platform, entities in (("dnevnik", ALL_ENTITIES), ("ecp", ("persons", "classes"))):
        request = ReconcileRequest(code, platform, as_of=until, entities=entities)
        outcome = asyncio.run(reconcile(db, settings, request))
        report = outcome.report
        found = {s.key: s.total for s in report.sections if s.total}
        out.print(
            f"   {platform}: report {outcome.report_id}, {sum(found.values())} findings in {len(found)} sections: "
            + (", ".join(f"{key} {n}" for key, n in found.items()) or "none")
        )
        for note in report.notes:
            out.print(f"   note: {note}")
        out.print(f"   open {outcome.files['html']}  (also .xlsx and .json beside it)")


@contextmanager
def emulated_platforms(world_dir: Path, code: str) -> Iterator[tuple[Settings, dict[str, RequestStats]]]:
    """Дневник.ру and ГИС ЕЦП emulators serving `world_dir` on loopback, and the settings that reach them."""
    with ExitStack() as stack:
        dn = dnevnik.create_app(dnevnik.load_world(world_dir))
        ec = ecp.create_app(ecp.load_world(world_dir))
        es = smev.create_app(smev.load_world(world_dir), response_delay_s=0.2)
        dn_url = stack.enter_context(BackgroundServer(dn.app)).base_url
        ec_url = stack.enter_context(BackgroundServer(ec.app)).base_url
        es_url = stack.enter_context(BackgroundServer(es.app)).base_url
        # The emulators' credentials live in this process's environment only, as secrets do in production.
        variable = f"EDUGATEWAY_DEMO_{secrets.token_hex(4).upper()}"
        os.environ[f"{variable}_DNEVNIK"], os.environ[f"{variable}_ECP"] = dn.admin_token, ecp.ADMIN_PASSWORD
        settings = Settings(
            schools=[SchoolSettings(code=code, platform_ids={"dnevnik": str(platform_id("school", code))})],
            platforms={
                "dnevnik": PlatformSettings.model_validate(
                    {
                        "kind": "dnevnik",
                        "base_url": f"{dn_url}/v2.0/",
                        "token": SecretRef(env=f"{variable}_DNEVNIK"),
                        "rate_limit_rps": 200,
                    }
                ),
                "ecp": PlatformSettings.model_validate(
                    {
                        "kind": "ecp",
                        "base_url": f"{ec_url}/api/",
                        "login": ecp.admin_login(code),
                        "password": SecretRef(env=f"{variable}_ECP"),
                        "rate_limit_rps": 200,
                    }
                ),
                # Unsigned: the lookup refuses that except towards an emulator on this machine.
                "esia": PlatformSettings.model_validate(
                    {
                        "kind": "esia",
                        "base_url": es_url + smev.ENDPOINT,
                        "sender_mnemonic": smev.DEFAULT_SENDER,
                        "rate_limit_rps": 50,
                        "poll_max_s": 0.5,
                    }
                ),
            },
        )
        yield settings, {"dnevnik": dn.stats, "ecp": ec.stats}


def _print_run(db: Database, out: Console, platform: str, outcome: SyncOutcome, stats: RequestStats) -> None:
    table = Table("entity", "direction", *HEADERS, box=None, padding=(0, 1))
    row = sync_run(db, outcome.run_id)
    counts = row.counts if row and row.counts else {}
    for entity, direction in outcome.plan["directions"].items():
        c = EntityCounts(**counts.get(entity, {}))
        table.add_row(entity, direction, *(str(getattr(c, name)) for name in COLUMNS))
    methods = Counter(route.split(" ", 1)[0] for route in stats.by_route.elements())
    by_method = ", ".join(f"{n} {method}" for method, n in sorted(methods.items()))
    out.print(f"   {platform}: run {outcome.run_id} {outcome.status}; {stats.total} requests ({by_method})")
    out.print(table)
    persons = outcome.plan["entities"].get("persons", {})
    if "differences" in persons:
        out.print(
            f"   persons: {len(persons['differences'])} differ, {len(persons['only_local'])} only local, "
            f"{len(persons['only_remote'])} only on the platform, "
            f"{len(outcome.plan.get('candidates', []))} possible links for the records clerk"
        )
