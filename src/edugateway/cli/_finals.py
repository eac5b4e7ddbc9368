"""`edugateway finals justify|justifications|withdraw`: the deputy director's permission for a final changed after
its period closed (regulation 000 §3.3.11), recorded from the CLI (store/final_justifications.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from edugateway.cli._context import fail, state
from edugateway.cli._output import FormatOption, OutputFormat, iso_time, print_json, print_table, school_time, zone_of
from edugateway.cli._web import _actor
from edugateway.errors import GatewayError
from edugateway.store.db import Database
from edugateway.store.school_scope import SchoolScope

finals_app = typer.Typer(help="Period and year finals: the deputy's justification of a change.", no_args_is_help=True)

SCHOOL = typer.Option("--school", help="the school's code")


def _school(ctx: typer.Context, code: str) -> tuple[Database, int]:
    """The database and the id of the school `--school` names (a ValidationError for an unknown code)."""
    from edugateway.store import final_justifications as fj

    db = state(ctx).database()
    with db.session() as session:
        return db, fj.school_id_of(session, code)


@finals_app.command("justify")
def justify(
    ctx: typer.Context,
    school: Annotated[str, SCHOOL],
    platform: Annotated[str, typer.Option("--platform", help="the platform the report is about, e.g. dnevnik")],
    mark: Annotated[str, typer.Option("--mark", help="the final's «Код отметки» in the report")],
    permitted_by: Annotated[str, typer.Option("--permitted-by", help="the deputy director who permitted it (ФИО)")],
    reason: Annotated[str, typer.Option("--reason", help="why the final was changed (the explanatory note)")],
    document: Annotated[str, typer.Option("--document", help="e.g. «приказ № 12 от 03.11.2026»")],
) -> None:
    """Record the deputy's permission for the final's current value; the next report lists the change justified."""
    from edugateway.store import final_justifications as fj

    try:
        db, school_id = _school(ctx, school)
        given = fj.NewJustification(permitted_by=permitted_by, reason=reason, document=document)
        done = fj.record(
            db,
            SchoolScope.all_schools(),
            school_id=school_id,
            platform=platform.strip(),
            mark_key=mark,
            given=given,
            actor=_actor(),
        )
    except GatewayError as exc:
        raise fail(exc) from exc
    typer.echo(f"justification #{done.id} recorded: {done.mark_key} on {done.platform} = «{done.value}», {done.basis}")


@finals_app.command("justifications")
def justifications(
    ctx: typer.Context,
    school: Annotated[str, SCHOOL],
    mark: Annotated[str | None, typer.Option("--mark", help="only this final's", show_default=False)] = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """List the school's justifications, newest first, withdrawn ones marked."""
    from edugateway.store import final_justifications as fj

    try:
        db, school_id = _school(ctx, school)
        found = fj.justifications_of(db, SchoolScope.all_schools(), school_id, mark_key=mark)
    except GatewayError as exc:
        raise fail(exc) from exc
    if output is OutputFormat.JSON:
        print_json(
            [
                {
                    "id": j.id,
                    "platform": j.platform,
                    "mark": j.mark_key,
                    "value": j.value,
                    "permitted_by": j.permitted_by,
                    "reason": j.reason,
                    "document": j.document,
                    "recorded_by": j.recorded_by,
                    "recorded_at": iso_time(j.recorded_at),
                    "withdrawn_by": j.withdrawn_by,
                    "withdrawn_at": iso_time(j.withdrawn_at),
                }
                for j in found
            ]
        )
        return
    zone = zone_of(_timezone(db, school))
    rows = [
        [
            str(j.id),
            j.platform,
            j.mark_key,
            j.value,
            f"withdrawn {school_time(j.withdrawn_at, zone)} by {j.withdrawn_by}" if j.withdrawn_at else "in force",
            j.basis,
            f"{school_time(j.recorded_at, zone)} by {j.recorded_by}",
        ]
        for j in found
    ]
    columns = ["#", "platform", "mark", "value", "state", "basis", "recorded"]
    print_table(columns, rows, empty=f"no justifications in {school.strip()}")


def _timezone(db: Database, code: str) -> str | None:
    from edugateway.store.schools import find_school

    found = find_school(db, code.strip())
    return found.timezone if found else None


@finals_app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    school: Annotated[str, SCHOOL],
    justification: Annotated[int, typer.Option("--id", help="the justification's number (`finals justifications`)")],
) -> None:
    """Withdraw a justification recorded in error: the change is listed unjustified again (the row stays)."""
    from edugateway.store import final_justifications as fj

    try:
        db, school_id = _school(ctx, school)
        done = fj.withdraw(
            db, SchoolScope.all_schools(), school_id=school_id, justification_id=justification, actor=_actor()
        )
    except GatewayError as exc:
        raise fail(exc) from exc
    typer.echo(f"justification #{done.id} withdrawn: {done.mark_key} is unjustified again")
