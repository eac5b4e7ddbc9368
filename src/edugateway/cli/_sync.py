"""`edugateway sync` and `edugateway runs list|show`: one school with one platform, and the run log."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from edugateway.cli._context import fail, state
from edugateway.cli._output import (
    FormatOption,
    OutputFormat,
    iso_time,
    print_fields,
    print_json,
    print_table,
    school_time,
    school_zones,
)
from edugateway.cli._progress import terminal_progress
from edugateway.domain.entities import Direction, Entity
from edugateway.errors import GatewayError
from edugateway.private_files import FileKind, write_private

if TYPE_CHECKING:
    from edugateway.store.outbox import OwedEntity
    from edugateway.store.sync_run_log import SyncRunRecord
    from edugateway.sync.engine import SyncOutcome
    from edugateway.sync.plan import SyncPlan

runs_app = typer.Typer(help="The sync run log.", no_args_is_help=True)


def _entities(value: str | None) -> list[Entity]:
    from edugateway.sync.engine import DEFAULT_ENTITIES

    if not value:
        return list(DEFAULT_ENTITIES)
    try:
        return [Entity(v.strip()) for v in value.split(",") if v.strip()]
    except ValueError:
        known = ", ".join(e.value for e in Entity)
        raise typer.BadParameter(f"{value!r}: use a comma list of {known}") from None


def sync(
    ctx: typer.Context,
    school: Annotated[str, typer.Option("--school", help="the school's code in the local database")],
    platform: Annotated[str, typer.Option("--platform", help="a platform name from [platforms.NAME]")],
    entities: Annotated[
        str | None,
        typer.Option("--entities", help="comma list (default: the roster, then lessons, marks, finals, attendance)"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the plan; link, send and store nothing")] = False,
    plan_json: Annotated[Path | None, typer.Option("--plan-json", help="also write the plan as JSON here")] = None,
    approve: Annotated[
        int | None, typer.Option("--approve", help="go on with the deletions of this run on hold", show_default=False)
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="pull the journal up to this day, YYYY-MM-DD (default: today)")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="if another run holds this school and platform, wait for it to end")
    ] = False,
) -> None:
    """Sync one school with one platform: link, plan, push what is ours, report the rest.

    Exit 0: done; 1: partial (some records refused or not stored, see runs show); 2: refused or failed;
    3: on hold (the plan deletes too much, rerun with --approve RUN_ID); 4: busy (another run holds the school
    and platform; --wait waits)."""
    from edugateway.cli._exit_codes import SYNC_STATUS_EXIT
    from edugateway.sync.engine import SyncRequest, run_sync
    from edugateway.sync.run_summary import run_summary

    st = state(ctx)
    try:
        last_day = dt.date.fromisoformat(until) if until else None
    except ValueError:
        raise fail(f"--until {until!r} is not a date in the form YYYY-MM-DD") from None
    request = SyncRequest(
        school, platform, _entities(entities), dry_run=dry_run, approve=approve, until=last_day, wait=wait
    )
    try:
        with terminal_progress():
            outcome = asyncio.run(run_sync(st.database(), st.settings, request))
    except GatewayError as exc:
        raise fail(exc) from exc
    if plan_json is not None:
        text = json.dumps(outcome.plan.as_json(), ensure_ascii=False, indent=2) + "\n"
        write_private(plan_json, text.encode("utf-8"), FileKind.OPERATOR)  # keys and fields of persons
    for run_id in outcome.abandoned:
        typer.echo(f"run {run_id} was left running by a process that died; it is now marked abandoned")
    _print_plan(outcome.plan)
    if dry_run:
        _print_journal_writes(outcome.plan)
    _print_pulled(outcome)
    for line in run_summary(st.database(), outcome.run_id):
        typer.echo(line)
    typer.echo(f"run {outcome.run_id}: {outcome.status}{' (dry run: nothing applied)' if dry_run else ''}")
    if outcome.status == "on_hold":
        typer.echo(outcome.plan.hold or "")
    elif outcome.error and outcome.status != "partial":  # a partial run's reasons are the summary's lines above
        typer.echo(outcome.error)
    raise typer.Exit(SYNC_STATUS_EXIT.get(outcome.status, 2))


def _print_plan(plan: SyncPlan) -> None:
    for entity, section in plan.entities.items():
        direction = plan.directions.get(entity)
        parts = []
        if (found := section.comparison) is not None:
            parts += [
                f"{found.linked} linked",
                f"{found.equal} equal",
                f"{len(found.differences)} differ",
                f"{len(found.only_local)} only local",
                f"{len(found.only_remote)} only on the platform",
            ]
        for op, changes in section.pushes_by_op().items():
            parts.append(f"{len(changes)} to {op}")
        typer.echo(f"{entity.value:<11} {direction.value if direction else '?':<8} " + ", ".join(parts))
    candidates = plan.candidates or []
    if candidates and plan.link_cases is None:
        typer.echo(f"{len(candidates)} possible links not made (a real run puts them in the clerk's queue)")
    elif plan.link_cases is not None and (candidates or plan.link_cases.closed):
        cases = plan.link_cases
        typer.echo(
            f"{len(candidates)} possible links went to the clerk's queue; its cases: {cases.opened} new, "
            f"{cases.refreshed} updated, {cases.closed} closed"
        )


def _print_journal_writes(plan: SyncPlan) -> None:
    """A dry run lists every journal write it would make (the roster's are counted above)."""
    from edugateway.sync.journal_push import described

    for entity, section in plan.entities.items():
        for change in section.push or []:
            if "where" in change.payload:
                typer.echo("  " + described(entity, change.op, change.key, change.payload))


def _print_pulled(outcome: SyncOutcome) -> None:
    """What the pull read and stored per journal entity, with what it could not store."""
    for entity, direction in outcome.plan.directions.items():
        counts = outcome.counts.get(entity.value)
        if direction is not Direction.PULL or counts is None:
            continue
        parts = [f"{counts.read} read", f"{counts.created} new", f"{counts.updated} changed"]
        if counts.deleted:
            parts.append(f"{counts.deleted} gone from the platform")
        if counts.skipped:
            parts.append(f"{counts.skipped} not stored")
        typer.echo(f"{entity.value:<11} {direction.value:<8} " + ", ".join(parts))


@runs_app.command("list")
def runs_list(
    ctx: typer.Context,
    school: Annotated[str | None, typer.Option("--school", help="only this school")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """The latest sync runs, newest first; times in each school's time zone."""
    from edugateway.store.sync_run_log import recent_sync_runs

    st = state(ctx)
    try:
        db = st.database()
        rows = recent_sync_runs(db, school=school, limit=limit)
        schools = school_zones(db, st.settings)
    except GatewayError as exc:
        raise fail(exc) from exc
    if output is OutputFormat.JSON:
        print_json([_run_json(row, schools) for row in rows])
        return
    table = []
    for row in rows:
        code, zone = schools.get(row.school_id, ("?", None))
        counts = row.counts or {}
        table.append(
            [
                str(row.id),
                school_time(row.started_at, zone),
                code,
                row.platform,
                row.status + (" (dry run)" if row.dry_run else ""),
                _took(row.started_at, row.finished_at),
                str(sum(c.get("skipped", 0) for c in counts.values())),
                str(sum(c.get("failed", 0) for c in counts.values())),
            ]
        )
    columns = ["run", "started", "school", "platform", "status", "took", "skipped", "failed"]
    print_table(columns, table, empty="no runs yet")


def _took(started: dt.datetime, finished: dt.datetime | None) -> str:
    return f"{(finished - started).total_seconds():.1f} s" if finished else "running"


def _run_json(row: SyncRunRecord, schools: dict[int, tuple[str, dt.tzinfo]]) -> dict[str, Any]:
    return {
        "id": row.id,
        "school": schools.get(row.school_id, ("?", None))[0],
        "platform": row.platform,
        "status": row.status,
        "dry_run": row.dry_run,
        "directions": row.directions,
        "started_at": iso_time(row.started_at),
        "finished_at": iso_time(row.finished_at),
        "counts": row.counts,
        "skipped": row.skipped,
        "needs_mapping": row.needs_mapping,
        "error": row.error,
        "approved_by": row.approved_by,
    }


@runs_app.command("show")
def runs_show(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(help="the run's id")],
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """One run: what was asked, the counts per entity, skipped records with reasons, the error if any; then
    what the school still owes the platform now (the outbox)."""
    from edugateway.logs import mask_text
    from edugateway.store.outbox import owed_writes
    from edugateway.store.sync_run_log import sync_run

    st = state(ctx)
    try:
        db = st.database()
        row = sync_run(db, run_id)
        owed = owed_writes(db, row.school_id, row.platform) if row is not None else []
        schools = school_zones(db, st.settings)
    except GatewayError as exc:
        raise fail(exc) from exc
    if row is None:
        raise fail(f"no sync run {run_id}; see `edugateway runs list`")
    shown = _run_json(row, schools)
    if output is OutputFormat.JSON:
        shown["owed"] = [  # keys are local ids; a platform's reason may quote a value: masked
            {
                "entity": e.entity,
                "pending": e.pending,
                "sending": {str(k): n for k, n in e.sending.items()},
                "failed": e.failed,
                "failed_rows": [
                    {"key": f.key, "op": f.op, "reason": mask_text(f.reason or "refused")} for f in e.failed_rows
                ],
            }
            for e in owed
        ]
        print_json(shown)
        return
    zone = schools.get(row.school_id, ("?", None))[1]
    fields = {
        "run": str(row.id),
        "school": str(shown["school"]),
        "platform": row.platform,
        "status": row.status + (" (dry run: nothing applied)" if row.dry_run else ""),
        "started": school_time(row.started_at, zone),
        "finished": school_time(row.finished_at, zone),
        "took": _took(row.started_at, row.finished_at),
        "directions": ", ".join(f"{e} {d}" for e, d in row.directions.items()),
    }
    for entity, counts in (row.counts or {}).items():
        fields[entity] = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing"
    fields["skipped"] = str(len(row.skipped or []))
    if row.needs_mapping:
        fields["needs mapping"] = ", ".join(
            f"{what} {len(items) if isinstance(items, list) else items}" for what, items in row.needs_mapping.items()
        )
    if row.error:
        fields["error"] = mask_text(row.error)
    if row.approved_by:
        fields["approved by"] = row.approved_by
    print_fields(fields)
    for skip in (row.skipped or [])[:SHOWN_SKIPS]:
        typer.echo(f"  skipped {skip.get('entity', '?')} {skip.get('id', '')}: {mask_text(str(skip.get('reason')))}")
    if len(row.skipped or []) > SHOWN_SKIPS:
        typer.echo(f"  and {len(row.skipped or []) - SHOWN_SKIPS} more skipped (all of them: --format json)")
    _print_owed(row.platform, owed)


SHOWN_SKIPS = 20


def _print_owed(platform: str, owed: list[OwedEntity]) -> None:
    from edugateway.logs import mask_text

    if not owed:
        typer.echo(f"Nothing is owed to {platform}.")
        return
    typer.echo(f"Still owed to {platform}:")
    for entity in owed:
        parts = [f"{entity.pending} pending"] if entity.pending else []
        parts += [
            f"{n} sending in run {claimer}" if claimer else f"{n} sending under no recorded run"
            for claimer, n in sorted(entity.sending.items(), key=str)
        ]
        parts += [f"{entity.failed} failed"] if entity.failed else []
        typer.echo(f"  {entity.entity}: {', '.join(parts)}")
        for failed in entity.failed_rows:  # keys are local ids; a platform's reason may quote a value: masked
            typer.echo(f"    {failed.key} ({failed.op}): {mask_text(failed.reason or 'refused')}")
        if entity.failed > len(entity.failed_rows):
            typer.echo(f"    and {entity.failed - len(entity.failed_rows)} more")
