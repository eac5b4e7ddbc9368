"""`edugateway archive write|verify`: the yearly summary sheets, archived with a manifest, and its check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from edugateway.cli._context import fail, state
from edugateway.cli._exit_codes import Exit
from edugateway.errors import GatewayError

archive_app = typer.Typer(
    help="The summary sheets (сводные ведомости): archive a school year, check an archive.", no_args_is_help=True
)


@archive_app.command("write")
def archive_write(
    ctx: typer.Context,
    school: Annotated[str, typer.Option("--school", help="the school's code")],
    year: Annotated[
        int | None,
        typer.Option("--year", min=2000, max=2100, help="the year the school year starts (default: the current one)"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="the archive root (default: [archive] dir)", show_default=False)
    ] = None,
) -> None:
    """Write the summary sheet of a school year (XLSX and printable HTML) with manifest.json into a new folder
    <root>/<school>/<year>-<year+1>/; an existing archive is never overwritten (a new dated folder is made)."""
    from edugateway.archive import write_archive

    st = state(ctx)
    try:
        summary = write_archive(st.settings, st.database(), school, year, out_dir=out)
    except GatewayError as exc:
        raise fail(exc) from exc
    except OSError as exc:
        raise fail(f"cannot write the archive: {exc}") from exc
    typer.echo(
        f"archived {summary['classes']} classes, {summary['students']} students of "
        f"{summary['academic_year']}/{summary['academic_year'] + 1} to {summary['path']}"
    )
    typer.echo(f"manifest SHA-256: {summary['manifest_sha256']}  (write it in the archive act)")


@archive_app.command("verify")
def archive_verify(
    path: Annotated[Path, typer.Argument(help="an archive folder (the one holding manifest.json)")],
    digest: Annotated[
        str | None,
        typer.Option("--digest", help="the manifest SHA-256 printed when the archive was written", show_default=False),
    ] = None,
) -> None:
    """Recompute every file's size and SHA-256 against manifest.json, and the manifest's own digest.

    Exit 0: intact; 1: problems found (each printed); 2: not an archive, its manifest unreadable, or a file
    refused (a symbolic link, or a path outside the folder: never followed)."""
    from edugateway.archive import verify_archive

    result = verify_archive(path, expected_manifest_sha256=digest)
    manifest = result.manifest
    if manifest is None:  # nothing could be checked
        for problem in result.problems:
            typer.secho(f"error: {problem}", err=True, fg=typer.colors.RED)
        raise typer.Exit(Exit.FAILED)
    for problem in result.problems:
        typer.echo(str(problem))
    if not result.ok:
        typer.echo(f"{path}: {len(result.problems)} problem(s) found")
        raise typer.Exit(Exit.FAILED if result.refused else Exit.PARTIAL)
    typer.echo(f"OK {path}: {len(manifest.files)} files intact, manifest SHA-256 {manifest.manifest_sha256}")
