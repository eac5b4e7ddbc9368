"""`edugateway import|export|template`: rosters in and out of the local database (OneRoster 1.2/1.1 CSV, XLSX)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from edugateway.cli._context import fail, state
from edugateway.cli._exit_codes import Exit
from edugateway.cli._output import FormatOption, OutputFormat, print_json
from edugateway.errors import DataSafetyError, GatewayError
from edugateway.logs import mask_text
from edugateway.private_files import FileKind, private_text_file
from edugateway.spreadsheet_text import csv_text
from edugateway.store.db import Database
from edugateway.store.import_limits import ImportLimits
from edugateway.store.roster import ImportReport, Mode, ParsedRoster, RowProblem, apply_roster
from edugateway.store.xlsx_problem_words import russian_reason

import_app = typer.Typer(help="Load a school's roster into the local database.", no_args_is_help=True)
export_app = typer.Typer(help="Write a school's roster from the local database to files.", no_args_is_help=True)
template_app = typer.Typer(help="Write blank templates for a school clerk to fill.", no_args_is_help=True)

SHOWN_PROBLEMS = 20
DEFAULT_TEMPLATE = Path("edugateway-roster-template.xlsx")


class ImportMode(StrEnum):
    BULK = "bulk"
    DELTA = "delta"


SchoolOption = Annotated[str, typer.Option("--school", "-s", help="code of the school in the local database")]
ModeOption = Annotated[
    ImportMode | None,
    typer.Option(
        "--mode",
        help="bulk: the files hold the whole roster (records they lack become inactive); delta: changes only. "
        "Default: what the files declare (manifest.csv for OneRoster; bulk for XLSX)",
        show_default=False,
    ),
]
MassDeleteOption = Annotated[
    bool,
    typer.Option("--allow-mass-delete", help="let a bulk import deactivate more than 10% of the school's students"),
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="check and count everything, write nothing")]
ReportOption = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help="where to write every rejected row and warning as CSV (default: next to the input)",
        show_default=False,
    ),
]


@import_app.command("oneroster")
def import_oneroster(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="folder with manifest.csv and the OneRoster 1.2 or 1.1 CSV files")],
    school: SchoolOption,
    mode: ModeOption = None,
    allow_mass_delete: MassDeleteOption = False,
    dry_run: DryRunOption = False,
    report: ReportOption = None,
) -> None:
    """Import a OneRoster 1.2 or 1.1 CSV set (UTF-8 or Windows-1251). Exit 0: all rows imported; 1: some rows
    rejected, the good ones imported; 2: refused or failed, nothing written; 3: on hold, nothing written (it would
    deactivate too many students: check the file, then --allow-mass-delete)."""
    from edugateway.store.oneroster import read_oneroster

    default_report = directory.resolve().parent / f"{directory.resolve().name}-import-problems.csv"
    _run_import(
        ctx,
        lambda: read_oneroster(directory, school=school, limits=_limits(ctx)),
        school,
        mode,
        allow_mass_delete=allow_mass_delete,
        dry_run=dry_run,
        report_path=report or default_report,
    )


@import_app.command("xlsx")
def import_xlsx(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="the filled template (.xlsx)")],
    school: SchoolOption,
    mode: ModeOption = None,
    allow_mass_delete: MassDeleteOption = False,
    dry_run: DryRunOption = False,
    report: ReportOption = None,
) -> None:
    """Import the XLSX template a clerk filled. Exit 0: all rows imported; 1: some rows rejected, the good ones
    imported; 2: refused or failed, nothing written; 3: on hold, nothing written (it would deactivate too many
    students: check the file, then --allow-mass-delete)."""
    from edugateway.store.xlsx_roster import read_xlsx

    _run_import(
        ctx,
        lambda: read_xlsx(file, _limits(ctx)),
        school,
        mode,
        allow_mass_delete=allow_mass_delete,
        dry_run=dry_run,
        report_path=report or file.with_name(f"{file.stem}-import-problems.csv"),
    )


@import_app.command("table")
def import_table(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="another system's export: .csv (any delimiter, UTF-8/cp1251) or .xlsx")],
    mapping: Annotated[
        str,
        typer.Option(
            "--mapping",
            "-m",
            help="a mapping file (TOML) or a shipped mapping: avers-pupils, avers-staff",
        ),
    ],
    school: SchoolOption,
    mode: ModeOption = None,
    allow_mass_delete: MassDeleteOption = False,
    dry_run: DryRunOption = False,
    report: ReportOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Import one export of another system (pupils or staff) through a column mapping. The mapping (TOML) says
    [source] encoding/delimiter ("auto": detected and reported), header_row, skip_rows, sheet (XLSX);
    [record] kind = pupils|staff, academic_year; [columns] our field = the file's column title (last_name,
    first_name, middle_name, birth_date, gender, snils, class, id, email, phone, role, subject); [formats]
    dates, gender values, teacher_positions. See README «Imports from other systems». Without an id column,
    ids are derived from SNILS (else names and birth date) so a re-import updates. Bulk by default: only the
    file's kind of person is deactivated when missing. Exit 0: all rows imported; 1: some rows rejected;
    2: refused or failed, nothing written; 3: on hold (too many students would be deactivated)."""
    import datetime as dt

    from edugateway.store.table_mapping import load_mapping
    from edugateway.store.table_roster import read_table_roster
    from edugateway.store.table_scope import keep_other_kinds

    def read() -> ParsedRoster:
        loaded = load_mapping(mapping)
        roster = read_table_roster(file, loaded, today=dt.date.today(), limits=_limits(ctx))
        keep_other_kinds(state(ctx).database(), roster, school, loaded.record.kind)
        return roster

    _run_import(
        ctx,
        read,
        school,
        mode,
        allow_mass_delete=allow_mass_delete,
        dry_run=dry_run,
        report_path=report or file.with_name(f"{file.stem}-import-problems.csv"),
        output=output,
    )


@export_app.command("oneroster")
def export_oneroster(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="folder to write the CSV files into (created if missing)")],
    school: SchoolOption,
) -> None:
    """Write the school's active roster as a OneRoster 1.2 CSV bulk set (UTF-8, with manifest.csv)."""
    from edugateway.store.oneroster import write_oneroster

    _run_export(ctx, school, lambda snapshot: write_oneroster(snapshot, directory), directory)


@export_app.command("xlsx")
def export_xlsx(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="the .xlsx file to write")],
    school: SchoolOption,
) -> None:
    """Write the school's active roster into the XLSX template (edit it and import it back)."""
    from edugateway.store.xlsx_roster import write_template

    _run_export(ctx, school, lambda snapshot: write_template(file, snapshot), file)


@template_app.command("xlsx")
def template_xlsx(
    file: Annotated[Path, typer.Argument(help="the .xlsx file to write")] = DEFAULT_TEMPLATE,
) -> None:
    """Write the empty XLSX roster template with Russian headers, hints and drop-down lists."""
    from edugateway.store.xlsx_roster import write_template

    if file.suffix.lower() != ".xlsx":
        raise fail(f"{file} does not end in .xlsx; Excel opens the template only under that name")
    try:
        write_template(file)
    except OSError as exc:
        raise fail(f"cannot write {file}: {exc}") from exc
    typer.echo(f"template written: {file}")


# --- shared ---------------------------------------------------------------------------------------------


def _limits(ctx: typer.Context) -> ImportLimits:
    """The [imports] limits of the configuration, as the readers take them."""
    imports = state(ctx).settings.imports
    return ImportLimits.from_megabytes(
        xlsx_part_mb=imports.max_xlsx_part_mb,
        xlsx_total_mb=imports.max_xlsx_total_mb,
        xlsx_ratio=imports.max_xlsx_ratio,
        csv_mb=imports.max_csv_mb,
        field_chars=imports.max_field_chars,
    )


def _run_import(
    ctx: typer.Context,
    read: Callable[[], ParsedRoster],
    school: str,
    mode: ImportMode | None,
    *,
    allow_mass_delete: bool,
    dry_run: bool,
    report_path: Path,
    output: OutputFormat = OutputFormat.TABLE,
) -> None:
    out = Console(highlight=False)
    err = Console(stderr=True)
    try:
        db = state(ctx).database()
        with err.status("reading the files…"):
            roster = read()
        result = _apply_with_progress(db, roster, school, mode, allow_mass_delete, dry_run, err)
    except DataSafetyError as exc:  # the mass-delete hold: nothing written, waits for --allow-mass-delete
        raise fail(exc, Exit.ON_HOLD) from exc
    except GatewayError as exc:
        raise fail(exc) from exc
    problems = [("rejected", p) for p in result.rejected] + [("warning", p) for p in result.warnings]
    if output is OutputFormat.JSON:
        _print_json_report(result, problems, report_path)
        raise typer.Exit(Exit.PARTIAL if result.rejected else Exit.DONE)
    _summary(out, result)
    if problems:
        for kind, p in problems[:SHOWN_PROBLEMS]:
            out.print(f"  {kind:8} {p.file}:{p.line}  {mask_text(russian_reason(p.reason))}", soft_wrap=True)
        if len(problems) > SHOWN_PROBLEMS:
            out.print(f"  … and {len(problems) - SHOWN_PROBLEMS} more")
        try:
            _write_problems(report_path, problems)
            out.print(f"every problem is listed in {report_path}")
        except OSError as exc:
            err.print(f"[yellow]could not write the problem list to {report_path}: {exc}[/]")
    if dry_run:
        out.print("dry run: nothing was written")
    if result.rejected:
        raise typer.Exit(Exit.PARTIAL)


def _apply_with_progress(
    db: Database,
    roster: ParsedRoster,
    school: str,
    mode: ImportMode | None,
    allow_mass_delete: bool,
    dry_run: bool,
    err: Console,
) -> ImportReport:
    with Progress(
        TextColumn("importing {task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def progress(phase: str, done: int, total: int) -> None:
            bar.update(task, description=phase, completed=done, total=total)

        return apply_roster(
            db,
            roster,
            school,
            mode=Mode(mode.value) if mode else None,
            allow_mass_delete=allow_mass_delete,
            dry_run=dry_run,
            progress=progress,
        )


def _summary(out: Console, report: ImportReport) -> None:
    title = f"{report.source} import into {report.school} ({report.mode}" + (", dry run)" if report.dry_run else ")")
    table = Table("", "created", "updated", "unchanged", "deactivated", "rejected", title=title, title_justify="left")
    for kind, c in report.counts.items():
        table.add_row(kind, *(str(v) for v in c.as_dict().values()))
    out.print(table)
    run = f"import run {report.run_id}; " if report.run_id else ""
    encodings = ", ".join(sorted(set(report.encodings.values())))
    out.print(
        f"{run}{len(report.rejected)} rows rejected, {len(report.warnings)} warnings"
        + (f"; read as {encodings}" if encodings else "")
    )
    for note in report.notes:
        out.print(f"note: {note}", soft_wrap=True)


def _print_json_report(report: ImportReport, problems: list[tuple[str, RowProblem]], report_path: Path) -> None:
    """The summary for scripts: JSON only on stdout, reasons masked as in the problem list."""
    written = None
    if problems:
        try:
            _write_problems(report_path, problems)
            written = str(report_path)
        except OSError:
            written = None
    print_json(
        {
            "school": report.school,
            "source": report.source,
            "mode": report.mode,
            "dry_run": report.dry_run,
            "run_id": report.run_id,
            "counts": report.counts_dict(),
            "problems": [
                {"kind": kind, "file": p.file, "line": p.line, "reason": mask_text(p.reason)} for kind, p in problems
            ],
            "problem_list": written,
            "encodings": report.encodings,
            "notes": report.notes,
        }
    )


def _write_problems(path: Path, problems: list[tuple[str, RowProblem]]) -> None:
    """The clerk opens it in Excel: SNILS and full names masked, no field a spreadsheet would run as a formula,
    readable by its owner only. utf-8-sig: Excel opens a BOM-marked file with Cyrillic intact."""
    with private_text_file(path, FileKind.OPERATOR, encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(["kind", "file", "line", "reason"])
        writer.writerows(
            # The reason in the clerk's words; the import journal keeps the stored (English) one.
            [csv_text(kind), csv_text(p.file), p.line, csv_text(mask_text(russian_reason(p.reason)))]
            for kind, p in problems
        )


def _run_export(ctx: typer.Context, school: str, write: Callable[..., dict[str, int]], target: Path) -> None:
    from edugateway.store.snapshots import load_snapshot

    try:
        db = state(ctx).database()
        snapshot = load_snapshot(db, school)
        counts = write(snapshot)
    except GatewayError as exc:
        raise fail(exc) from exc
    except OSError as exc:
        raise fail(f"cannot write {target}: {exc}") from exc
    typer.echo(f"written {target}: " + ", ".join(f"{name} {n}" for name, n in counts.items()))
