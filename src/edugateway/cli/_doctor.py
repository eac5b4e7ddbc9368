"""`edugateway doctor`: checks the configuration, database, platforms, clocks and directories, and says what to fix.

Exit codes: 0 every check passed or only warned (the gateway can run; a person should read the warnings);
1 at least one check failed; 2 the configuration itself could not be loaded (nothing else was checked).
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Annotated

import typer

from edugateway.cli._context import state
from edugateway.errors import ConfigError

if TYPE_CHECKING:
    from edugateway.doctor import CheckResult

CONFIG_UNLOADABLE = 2
LABELS = {"ok": "OK", "warn": "WARN", "fail": "FAIL"}


def doctor(
    ctx: typer.Context,
    output_format: Annotated[str, typer.Option("--format", help="table (for people) or json (for machines)")] = "table",
) -> None:
    """Check that this installation can run: configuration, database schema, each platform's reachability,
    credentials and clock, and the data directories. Exit 0: ready (warnings included); 1: something fails;
    2: the configuration cannot be loaded."""
    from edugateway.config.settings import chosen_config_file
    from edugateway.doctor import CheckResult, exit_code, run_checks

    if output_format not in ("table", "json"):
        raise typer.BadParameter("use table or json", param_hint="--format")
    st = state(ctx)
    try:
        config_file = chosen_config_file(st.config_file)
        settings = st.settings
    except ConfigError as exc:
        results = [CheckResult.fail("configuration", str(exc), "fix the configuration file or variables it names")]
        _print(results, output_format)
        raise typer.Exit(CONFIG_UNLOADABLE) from None
    results = run_checks(settings, config_file)
    _print(results, output_format)
    raise typer.Exit(exit_code(results))


def _print(results: list[CheckResult], output_format: str) -> None:
    if output_format == "json":
        rows = [dataclasses.asdict(r) | {"status": r.status.value} for r in results]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    width = max(len(r.name) for r in results)
    colours = {"ok": typer.colors.GREEN, "warn": typer.colors.YELLOW, "fail": typer.colors.RED}
    for r in results:
        label = typer.style(f"{LABELS[r.status.value]:<4}", fg=colours[r.status.value], bold=True)
        typer.echo(f"{label}  {r.name:<{width}}  {r.found}")
        if r.fix:
            typer.echo(f"      {'':<{width}}  fix: {r.fix}")
    failed = sum(r.status == "fail" for r in results)
    warned = sum(r.status == "warn" for r in results)
    typer.echo(f"{len(results)} checks: {failed} failed, {warned} warnings")
