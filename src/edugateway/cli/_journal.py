"""`edugateway import journal` and `edugateway template journal`: the school's own journal into the local database
(issue 18), from the journal layout (XLSX or CSV files) or a OneRoster gradebook set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from edugateway.cli._context import fail, state
from edugateway.cli._exit_codes import Exit
from edugateway.cli._output import FormatOption, OutputFormat, print_json
from edugateway.cli._roster import SHOWN_PROBLEMS, DryRunOption, ImportMode, SchoolOption, _limits, _write_problems
from edugateway.errors import DataSafetyError, GatewayError, ValidationError
from edugateway.logs import mask_text
from edugateway.store.import_limits import ImportLimits
from edugateway.store.journal_set import ParsedJournal
from edugateway.store.roster import Mode
from edugateway.store.xlsx_problem_words import russian_reason

GRADEBOOK_FILES = ("results.csv", "lineItems.csv")
DEFAULT_JOURNAL_TEMPLATE = Path("edugateway-journal-template.xlsx")

JournalModeOption = Annotated[
    ImportMode | None,
    typer.Option(
        "--mode",
        help="bulk: each file (sheet) holds every record of its kind for the classes and dates it covers (local "
        "records it lacks there are deleted); delta: changes only. Default: bulk",
        show_default=False,
    ),
]
JournalMassOption = Annotated[
    bool,
    typer.Option(
        "--allow-mass-delete",
        help="let a bulk import delete or change more than mass_delete_share (10%) of the journal in its span",
    ),
]


def journal_reader(path: Path, limits: ImportLimits) -> Callable[[], ParsedJournal]:
    """The reader for `path`: a .xlsx workbook, a folder of the layout's CSV files, or a OneRoster gradebook
    folder (results.csv, lineItems.csv). Anything else is refused in one line."""
    if path.is_file() and path.suffix.lower() == ".xlsx":
        from edugateway.store.journal_xlsx import read_journal_xlsx

        return lambda: read_journal_xlsx(path, limits)
    if path.is_dir() and any((path / name).is_file() for name in GRADEBOOK_FILES):
        from edugateway.store.oneroster.gradebook import read_gradebook

        return lambda: read_gradebook(path, limits)
    from edugateway.store.journal_csv import is_journal_folder, read_journal_csv

    if is_journal_folder(path):
        return lambda: read_journal_csv(path, limits)
    raise ValidationError(
        f"{path} is neither a journal workbook (.xlsx) nor a folder with lessons.csv, marks.csv, finals.csv, "
        "attendance.csv or a OneRoster gradebook (results.csv, lineItems.csv)"
    )


def import_journal(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="the journal workbook (.xlsx), or a folder of its CSV files")],
    school: SchoolOption,
    mode: JournalModeOption = None,
    allow_mass_delete: JournalMassOption = False,
    dry_run: DryRunOption = False,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Import the school's own journal: lessons with topic and homework, marks, finals, attendance (the layout
    of `edugateway template journal`, as XLSX or CSV files, or a OneRoster gradebook set). Exit 0: all rows
    imported; 1: some rows rejected, the good ones imported; 2: refused or failed, nothing written; 3: on hold,
    nothing written (it would delete or change too much of the journal: check the file, then
    --allow-mass-delete)."""
    from edugateway.store.journal_apply import apply_journal

    try:
        settings = state(ctx).settings
        read = journal_reader(path, _limits(ctx))
        db = state(ctx).database()
        parsed = read()
        result = apply_journal(
            db,
            parsed,
            school,
            mode=Mode(mode.value) if mode else None,
            allow_mass_delete=allow_mass_delete,
            mass_delete_share=settings.mass_delete_share,
            dry_run=dry_run,
        )
    except DataSafetyError as exc:  # the mass-change hold, as the roster's: nothing written
        raise fail(exc, Exit.ON_HOLD) from exc
    except GatewayError as exc:
        raise fail(exc) from exc
    problems = [("rejected", p) for p in result.rejected] + [("warning", p) for p in result.warnings]
    if output is OutputFormat.JSON:
        print_json(
            {
                "school": result.school,
                "source": result.source,
                "mode": result.mode,
                "dry_run": result.dry_run,
                "run_id": result.run_id,
                "counts": result.counts_dict(),
                "problems": [
                    {"kind": kind, "file": p.file, "line": p.line, "reason": mask_text(p.reason)}
                    for kind, p in problems
                ],
                "encodings": result.encodings,
                "notes": result.notes,
            }
        )
    else:
        out = Console(highlight=False)
        title = f"{result.source} import into {result.school} ({result.mode}" + (", dry run)" if dry_run else ")")
        table = Table("", "created", "updated", "unchanged", "deleted", "rejected", title=title, title_justify="left")
        for journal_kind, c in result.counts.items():
            table.add_row(journal_kind.value, *(str(v) for v in c.as_dict().values()))
        out.print(table)
        run = f"import run {result.run_id}; " if result.run_id else ""
        encodings = ", ".join(sorted(set(result.encodings.values())))
        out.print(
            f"{run}{len(result.rejected)} rows rejected, {len(result.warnings)} warnings"
            + (f"; read as {encodings}" if encodings else "")
        )
        for note in result.notes:
            out.print(f"note: {note}", soft_wrap=True)
        for kind, p in problems[:SHOWN_PROBLEMS]:
            out.print(f"  {kind:8} {p.file}:{p.line}  {mask_text(russian_reason(p.reason))}", soft_wrap=True)
        if len(problems) > SHOWN_PROBLEMS:
            out.print(f"  … and {len(problems) - SHOWN_PROBLEMS} more")
        if problems:
            target = path.resolve()
            report_path = target.parent / f"{target.stem}-import-problems.csv"
            try:
                _write_problems(report_path, problems)
                out.print(f"every problem is listed in {report_path}")
            except OSError as exc:
                Console(stderr=True).print(f"[yellow]could not write the problem list to {report_path}: {exc}[/]")
        if dry_run:
            out.print("dry run: nothing was written")
    if result.rejected:
        raise typer.Exit(Exit.PARTIAL)


def template_journal(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="the .xlsx file to write")] = DEFAULT_JOURNAL_TEMPLATE,
    school: Annotated[
        str | None,
        typer.Option("--school", "-s", help="add a sheet of this school's class, subject, period and teacher ids"),
    ] = None,
) -> None:
    """Write the journal template (lessons, marks, finals, attendance) with Russian headers and hints."""
    from edugateway.store.journal_xlsx import write_journal_template

    if file.suffix.lower() != ".xlsx":
        raise fail(f"{file} does not end in .xlsx; Excel opens the template only under that name")
    try:
        snapshot = None
        if school is not None:
            from edugateway.store.snapshots import load_snapshot

            snapshot = load_snapshot(state(ctx).database(), school)
        write_journal_template(file, snapshot)
    except GatewayError as exc:
        raise fail(exc) from exc
    except OSError as exc:
        raise fail(f"cannot write {file}: {exc}") from exc
    typer.echo(f"template written: {file}")
