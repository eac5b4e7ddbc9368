"""`edugateway snils check VALUE...`"""

from __future__ import annotations

from typing import Annotated

import typer

from edugateway.domain.snils import check_snils

snils_app = typer.Typer(help="Check СНИЛС numbers.", no_args_is_help=True)


@snils_app.command("check")
def check(
    values: Annotated[list[str], typer.Argument(help="numbers in any common form, e.g. '112-233-445 95'")],
) -> None:
    """Print the canonical form and a verdict for each value; exit 1 if any is invalid."""
    any_invalid = False
    for value in values:
        verdict = check_snils(value)
        shown = verdict.canonical or value.strip()
        if verdict.valid:
            typer.echo(f"{shown}\tvalid")
        else:
            any_invalid = True
            typer.echo(f"{shown}\tinvalid: {verdict.message}")
    if any_invalid:
        raise typer.Exit(1)
