"""`edugateway reconcile` and `edugateway reports list`: the night's report for a school and a platform, and the
history of reports."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from edugateway.cli._context import fail, state
from edugateway.cli._output import FormatOption, OutputFormat, print_json, print_table
from edugateway.errors import GatewayError
from edugateway.store.job_leases import LeaseKey
from edugateway.store.run_lease import hold_lease

reports_app = typer.Typer(help="The reconciliation reports kept so far.", no_args_is_help=True)


def _sign(change: int | None) -> str:
    if change is None:
        return ""
    return f"+{change}" if change > 0 else (str(change) if change < 0 else "±0")


def reconcile(
    ctx: typer.Context,
    school: Annotated[str, typer.Option("--school", help="the school's code in the local database")],
    platform: Annotated[str, typer.Option("--platform", help="a platform name from [platforms.NAME]")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="the last journal day compared, YYYY-MM-DD (default: yesterday)"),
    ] = None,
    entities: Annotated[
        str | None, typer.Option("--entities", help="comma list (default: persons, classes, subjects and the journal)")
    ] = None,
    no_files: Annotated[
        bool, typer.Option("--no-files", help="store the report; write no HTML/XLSX/JSON files")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="if another run holds this school and platform, wait for it to end")
    ] = False,
) -> None:
    """Compare the school with the platform, check the journal's rules, store the report and write its files.

    Exit 0: the report is written (findings or not); 2: refused or failed; 4: busy (another run holds the school
    and platform; --wait waits)."""
    from edugateway.reconciliation.report import trend
    from edugateway.reconciliation.service import ALL_ENTITIES, ReconcileRequest
    from edugateway.reconciliation.service import reconcile as run

    st = state(ctx)
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise fail(f"--as-of {as_of!r} is not a date in the form YYYY-MM-DD") from None
    chosen = [e.strip() for e in entities.split(",") if e.strip()] if entities else list(ALL_ENTITIES)
    request = ReconcileRequest(school, platform, as_of=day, entities=chosen, write_files=not no_files)
    try:
        db = st.database()
        with hold_lease(db, LeaseKey(school, platform), job="reconcile", ttl=st.lease_ttl(), wait=wait):
            outcome = asyncio.run(run(db, st.settings, request))
    except GatewayError as exc:
        raise fail(exc) from exc
    report = outcome.report
    out = Console(highlight=False)
    counts = Table(
        "entity", "local", "platform", "equal", "different", "only local", "only platform", "duplicated", box=None
    )
    for c in report.counts:
        counts.add_row(
            c.entity,
            *(str(v) for v in (c.local, c.remote, c.equal, c.different, c.only_local, c.only_remote, c.duplicated)),
        )
    span = f"{report.span_start} – {report.span_end}"
    out.print(f"report {outcome.report_id}: {report.school} × {report.platform}, journal {span}")
    out.print(counts)
    changes = trend(report.summary(), outcome.previous_summary)
    findings = Table("section", "findings", "since last", box=None)
    for section in report.sections:
        if section.total or changes.get(section.key):
            findings.add_row(section.key, str(section.total), _sign(changes.get(section.key)))
    out.print(findings if findings.row_count else "no findings")
    for note in report.notes:
        out.print(f"note: {note}")
    for kind, path in outcome.files.items():
        out.print(f"{kind}: {path}")


@reports_app.command("list")
def list_reports(
    ctx: typer.Context,
    school: Annotated[str | None, typer.Option("--school", help="only this school")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="only this platform")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="at most this many, newest first")] = 20,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """The stored reports, newest first, with their totals and files (paths whole, folded when long)."""
    from edugateway.reconciliation.report import summary_findings
    from edugateway.store.reports import latest_reports

    st = state(ctx)
    try:
        rows = latest_reports(st.database(), school_code=school, platform=platform, limit=limit)
    except GatewayError as exc:
        raise fail(exc) from exc
    if output is OutputFormat.JSON:
        print_json(
            [
                {
                    "id": row.report_id,
                    "school": row.school_code,
                    "platform": row.platform,
                    "as_of": str(row.as_of),
                    "status": row.status,
                    "error": row.error,
                    "findings": summary_findings(row.summary) if row.summary else None,
                    "files": row.files or {},
                }
                for row in rows
            ]
        )
        return
    table = []
    for row in rows:
        total = summary_findings(row.summary) if row.summary else None
        table.append(
            [
                str(row.report_id),
                row.school_code,
                row.platform,
                str(row.as_of),
                row.status if row.status != "failed" else f"failed: {row.error}",
                "" if total is None else str(total),
                (row.files or {}).get("html", ""),
            ]
        )
    print_table(["report", "school", "platform", "as of", "status", "findings", "html"], table, empty="no reports yet")
