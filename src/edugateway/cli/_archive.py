"""`edugateway archive write|verify`: the yearly summary sheets and class journals, archived with a manifest to
every destination, and their check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from edugateway.cli._context import fail, state
from edugateway.cli._exit_codes import Exit
from edugateway.errors import GatewayError

archive_app = typer.Typer(
    help="The yearly archive (сводные ведомости, the class journals): archive a school year, check the archive.",
    no_args_is_help=True,
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
        Path | None, typer.Option("--out", help="one archive root instead of [archive] dirs", show_default=False)
    ] = None,
) -> None:
    """Write the summary sheet of a school year (XLSX and printable HTML) and each class's journal (XLSX) with
    manifest.json into a new folder <root>/<school>/<year>-<year+1>/ of every destination, each verified after
    writing; an existing archive is never overwritten (a new dated folder is made). Exit 2 when a destination
    failed (named; the others still get their copy)."""
    from edugateway.archive import write_archive

    st = state(ctx)
    try:
        summary = write_archive(st.settings, st.database(), school, year, out_dir=out)
    except GatewayError as exc:
        raise fail(exc) from exc
    except OSError as exc:
        raise fail(f"cannot write the archive: {exc}") from exc
    for failure in summary["failed"]:
        typer.secho(f"error: {failure}", err=True, fg=typer.colors.RED)
    for path in summary["paths"]:
        typer.echo(
            f"archived {summary['classes']} classes, {summary['students']} students of "
            f"{summary['academic_year']}/{summary['academic_year'] + 1} to {path}"
        )
    if summary["manifest_sha256"]:
        typer.echo(f"manifest SHA-256: {summary['manifest_sha256']}  (write it in the archive act)")
    if summary["failed"]:
        raise typer.Exit(Exit.FAILED)


@archive_app.command("verify")
def archive_verify(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(help="an archive folder (the one holding manifest.json)", show_default=False)
    ] = None,
    digest: Annotated[
        str | None,
        typer.Option("--digest", help="the manifest SHA-256 printed when the archive was written", show_default=False),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="every stored year in every [archive] dirs destination, instead of FOLDER")
    ] = False,
    school: Annotated[
        str | None, typer.Option("--school", help="with --all: this school only (default: every one stored)")
    ] = None,
) -> None:
    """Recompute every file's size and SHA-256 against manifest.json, and the manifest's own digest: of FOLDER,
    or with --all of every stored year in every destination (a copy one destination lacks is a problem too).

    Exit 0: intact; 1: problems found (each printed); 2: not an archive, its manifest unreadable, or a file
    refused (a symbolic link, or a path outside the folder: never followed)."""
    from edugateway.archive import verify_archive

    if every == (path is not None):
        raise fail("name an archive FOLDER, or give --all (with --school CODE for one school)")
    if path is None:
        _verify_all(ctx, school)
        return
    if school is not None:
        raise fail("--school goes with --all; a FOLDER is checked as it is")

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


def _verify_all(ctx: typer.Context, school: str | None) -> None:
    from edugateway.archive.destinations import archive_roots
    from edugateway.archive.stored import stored_schools, verify_stored

    roots = archive_roots(state(ctx).settings)
    schools = [school] if school is not None else stored_schools(roots)
    if not schools:
        raise fail(f"no archive stored in {', '.join(str(r) for r in roots)}; write one with `archive write`")
    problems = folders = 0
    refused = False
    for code in schools:
        check = verify_stored(roots, code)
        folders += len(check.results)
        problems += len(check.problems)
        refused = refused or any(r.refused or not r.verifiable for r in check.results)
        for line in check.problems:
            typer.echo(line)
        if not check.results and not check.problems:
            typer.echo(f"{code}: no archive stored in {', '.join(str(r) for r in roots)}")
    if problems:
        typer.echo(f"{problems} problem(s) found in {folders} archive folder(s)")
        raise typer.Exit(Exit.FAILED if refused else Exit.PARTIAL)
    if not folders:
        raise typer.Exit(Exit.FAILED)
    typer.echo(f"OK {folders} archive folder(s) of {len(schools)} school(s) in {len(roots)} destination(s) intact")
