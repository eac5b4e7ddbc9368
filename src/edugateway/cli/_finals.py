"""`edugateway finals justify|justifications|withdraw`: the deputy director's permission for a final changed after
its period closed (regulation 000 §3.3.11), recorded from the CLI (store/final_justifications.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from edugateway.cli._context import fail, state
from edugateway.cli._web import _actor
from edugateway.errors import GatewayError
from edugateway.store.school_scope import SchoolScope

finals_app = typer.Typer(help="Period and year finals: the deputy's justification of a change.", no_args_is_help=True)

SCHOOL = typer.Option("--school", help="the school's code")


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

    st = state(ctx)
    try:
        db = st.database()
        with db.session() as session:
            school_id = fj.school_id_of(session, school)
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
) -> None:
    """List the school's justifications, newest first, withdrawn ones marked."""
    from edugateway.store import final_justifications as fj

    st = state(ctx)
    try:
        db = st.database()
        with db.session() as session:
            school_id = fj.school_id_of(session, school)
        found = fj.justifications_of(db, SchoolScope.all_schools(), school_id, mark_key=mark)
    except GatewayError as exc:
        raise fail(exc) from exc
    if not found:
        typer.echo(f"no justifications in {school.strip()}")
    for j in found:
        state_text = f"withdrawn {j.withdrawn_at:%Y-%m-%d} by {j.withdrawn_by}" if j.withdrawn_at else "in force"
        typer.echo(
            f"#{j.id:<5} {j.platform:<10} {j.mark_key:<24} «{j.value}»  {state_text}; {j.basis}; "
            f"recorded {j.recorded_at:%Y-%m-%d %H:%M} by {j.recorded_by}"
        )


@finals_app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    school: Annotated[str, SCHOOL],
    justification: Annotated[int, typer.Option("--id", help="the justification's number (`finals justifications`)")],
) -> None:
    """Withdraw a justification recorded in error: the change is listed unjustified again (the row stays)."""
    from edugateway.store import final_justifications as fj

    st = state(ctx)
    try:
        db = st.database()
        with db.session() as session:
            school_id = fj.school_id_of(session, school)
        done = fj.withdraw(
            db, SchoolScope.all_schools(), school_id=school_id, justification_id=justification, actor=_actor()
        )
    except GatewayError as exc:
        raise fail(exc) from exc
    typer.echo(f"justification #{done.id} withdrawn: {done.mark_key} is unjustified again")
