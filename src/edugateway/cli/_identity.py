"""`edugateway identity verify` and `edugateway cases list`: ЕСИА checks and the clerk's queue from a terminal."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from edugateway.cli._context import fail, state
from edugateway.cli._exit_codes import Exit
from edugateway.errors import GatewayError
from edugateway.identity.case_types import CASE_TITLES, CaseStatus, CaseType
from edugateway.spreadsheet_text import csv_text

if TYPE_CHECKING:
    from edugateway.store.case_lists import CaseLine

identity_app = typer.Typer(help="ЕСИА verification of every person's SNILS.", no_args_is_help=True)
cases_app = typer.Typer(help="The clerk's queue of identity cases.", no_args_is_help=True)


@identity_app.command("verify")
def verify(
    ctx: typer.Context,
    school: Annotated[str, typer.Option("--school", help="the school's code in the local database")],
    force: Annotated[
        bool, typer.Option("--force", help="ask ЕСИА about everyone, not only changed or stale persons")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="if another verification of this school runs, wait for it to end")
    ] = False,
) -> None:
    """Ask ЕСИА (through СМЭВ 3) about every person's SNILS, record the results, open and close cases.

    Exit 0: done; 1: some persons got no answer (their last result stands); 2: refused or failed; 4: busy
    (another verification of the school runs; --wait waits)."""
    from edugateway.identity.verify import Verifier
    from edugateway.store.job_leases import LeaseKey
    from edugateway.store.run_lease import hold_lease

    st = state(ctx)
    try:
        verifier = Verifier.from_settings(st.settings)
        db = st.database()
        key = LeaseKey(school, st.settings.identity.esia_platform)  # the same lease as the scheduler's verify job
        with hold_lease(db, key, job="verify", ttl=st.lease_ttl(), wait=wait):
            report = verifier.verify_school(db, school, actor="cli:identity-verify", force=force)
    except GatewayError as exc:
        raise fail(exc) from exc
    typer.echo(
        f"{report.persons} persons: {report.asked} checked with ЕСИА ({report.numbers_asked} SNILS asked), "
        f"{report.reused} unchanged and recently checked"
    )
    for outcome, count in sorted(report.outcomes.items(), key=lambda item: -item[1]):
        typer.echo(f"  {count:6d}  {outcome}")
    cases = report.cases
    typer.echo(
        f"cases: {cases.opened} opened, {cases.refreshed} updated, {cases.closed} closed, "
        f"{cases.suppressed} not reopened (checked by a clerk)"
    )
    if report.failed:
        typer.echo(f"{len(report.failed)} persons without an answer (their last result stands):")
        for person_id, reason in sorted(report.failed.items())[:20]:
            typer.echo(f"  person {person_id}: {reason}")
        raise typer.Exit(Exit.PARTIAL)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


COLUMNS = (
    "id",
    "school",
    "class_name",
    "case_type",
    "title",
    "detail",
    "status",
    "last_name",
    "first_name",
    "middle_name",
    "assignee",
    "opened_at",
)


@cases_app.command("list")
def list_cases(
    ctx: typer.Context,
    school: Annotated[str | None, typer.Option("--school", help="only this school")] = None,
    status: Annotated[CaseStatus | None, typer.Option("--status", help="default: open")] = CaseStatus.OPEN,
    case_type: Annotated[CaseType | None, typer.Option("--type", help="only this case type")] = None,
    class_name: Annotated[str | None, typer.Option("--class", help="only this class, e.g. 5А")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, json or csv")] = Format.TABLE,
) -> None:
    """The cases (never with SNILS: open the case page, where showing it is audited)."""
    from edugateway.store.case_lists import case_lines

    st = state(ctx)
    found = case_lines(
        st.database(),
        school_code=school,
        status=status.value if status else None,
        case_type=case_type.value if case_type else None,
        class_name=class_name,
    )
    rows = [_row(line) for line in found]
    if fmt is Format.JSON:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt is Format.CSV:
        # As Russian Excel reads a double-clicked CSV: a BOM (else it guesses cp1251 and garbles Cyrillic),
        # `;` between fields (its list separator, the comma being the decimal one) and CRLF line ends.
        sys.stdout.write("\ufeff")
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, delimiter=";", lineterminator="\r\n")
        writer.writeheader()
        # For a spreadsheet: a name or detail that looks like a formula is written as text.
        writer.writerows({key: csv_text(value) for key, value in row.items()} for row in rows)
    else:
        for row in rows:
            name = " ".join(filter(None, (row["last_name"], row["first_name"], row["middle_name"])))
            detail = f" ({row['detail']})" if row["detail"] else ""
            typer.echo(
                f"{row['id']:6d}  {row['school']:10s} {row['class_name'] or '-':5s} {name:40s} "
                f"{row['title']}{detail}  [{row['status']}]"
            )
        typer.echo(f"{len(rows)} cases")


def _row(line: CaseLine) -> dict[str, Any]:
    return {
        "id": line.case_id,
        "school": line.school_code,
        "class_name": line.class_name,
        "case_type": line.case_type,
        "title": CASE_TITLES.get(line.case_type, line.case_type),
        "detail": line.detail,
        "status": line.status,
        "last_name": line.last_name,
        "first_name": line.first_name,
        "middle_name": line.middle_name,
        "assignee": line.assignee,
        "opened_at": line.opened_at.isoformat(),
    }
