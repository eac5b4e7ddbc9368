"""`edugateway demo`: the main job on the embedded default, from nothing to a populated school and a world."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from edugateway.cli._context import fail, state
from edugateway.cli._demo_sync import run_demo_sync
from edugateway.errors import GatewayError
from edugateway.logs import configure_logging, mask_text

if TYPE_CHECKING:
    from edugateway.store.roster import RowProblem

DEFAULT_DIR = Path("var/demo")


def demo(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Option("--dir", help="where the demo keeps its files")] = DEFAULT_DIR,
    students: Annotated[int, typer.Option(min=10, max=20_000, help="size of the synthetic school")] = 1000,
    classes: Annotated[int, typer.Option(min=1, max=200)] = 40,
    seed: Annotated[int, typer.Option(help="same seed, same school")] = 2026,
    drift: Annotated[str, typer.Option(help="platform drift profile: none, realistic or heavy")] = "realistic",
) -> None:
    """Generate a synthetic school, import it from OneRoster CSV into SQLite, then sync it with the emulated
    platforms: a first full sync and an incremental one.

    Running it again re-imports the same files: the import reports no changes (imports are idempotent).
    """
    from edugateway.emulators.synthetic import generate_school
    from edugateway.store.db import Database
    from edugateway.store.oneroster import read_oneroster, write_oneroster
    from edugateway.store.roster import apply_roster
    from edugateway.store.snapshots import load_snapshot

    settings = state(ctx).settings  # configures logging: masked personal data, the configured level
    if "log_level" not in settings.model_fields_set:
        configure_logging(settings.log_format, "WARNING")  # the demo tells its own story; logs only for trouble
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True)
    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / "edugateway.sqlite3"
    roster_dir = directory / "oneroster"
    try:
        generated = generate_school(seed=seed, students=students, classes=classes)
        school = generated.snapshot.school
        out.print(f"[bold]1. A synthetic school[/]: {school.name} ({school.code}), seed {seed}")
        out.print(
            f"   {sum(1 for p in generated.snapshot.persons if 'student' in p.roles)} students, "
            f"{len(generated.snapshot.classes)} classes and subgroups, "
            f"{sum(1 for p in generated.snapshot.persons if 'teacher' in p.roles)} teachers, "
            f"{sum(1 for p in generated.snapshot.persons if 'parent' in p.roles)} parents; СНИЛС problems planted: "
            + ", ".join(f"{n} {k}" for k, n in sorted(Counter(str(p) for p in generated.planted.values()).items()))
        )

        shutil.rmtree(roster_dir, ignore_errors=True)
        rows = write_oneroster(generated.snapshot, roster_dir)
        out.print(
            f"[bold]2. OneRoster 1.2 CSV export[/] in {roster_dir}: " + ", ".join(f"{f} {n}" for f, n in rows.items())
        )

        db = Database(f"sqlite:///{db_path}")
        db.migrate()
        roster = read_oneroster(roster_dir)
        with Progress(
            TextColumn("   importing {task.description}"), BarColumn(), TimeElapsedColumn(), console=err, transient=True
        ) as bar:
            task = bar.add_task("", total=None)

            def progress(phase: str, done: int, total: int) -> None:
                bar.update(task, description=phase, completed=done, total=total)

            report = apply_roster(db, roster, school.code, progress=progress)
        out.print(f"[bold]3. Imported into[/] {db_path} (import run {report.run_id}, mode {report.mode})")
        table = Table("entity", "created", "updated", "unchanged", "deactivated", "rejected", box=None, padding=(0, 2))
        for entity, c in report.counts.items():
            table.add_row(entity, *(str(v) for v in c.as_dict().values()))
        out.print(table)
        out.print(f"   {len(report.rejected)} rows rejected, {len(report.warnings)} imported with a warning:")
        for kind, lines in problem_groups(report.rejected + report.warnings).items():
            out.print(f"   {len(lines):>4} × {kind}, e.g.", markup=False)
            for line in lines[:2]:
                out.print(f"          {line}", markup=False)
        without = sum(1 for p in load_snapshot(db, school.code).persons if not p.snils and not p.snils_rejected)
        out.print(f"   {without} persons have no СНИЛС at all; every problem is kept in import run {report.run_id}")
        run_demo_sync(db, out, directory, school.code, drift=drift, seed=seed)
        db_option = f"--database-url sqlite:///{db_path}"
        out.print(f"The run log: edugateway {db_option} runs list")
        out.print(f"The clerk's queue: edugateway {db_option} cases list")
        out.print(f"The reports kept so far: edugateway {db_option} reports list")
        out.print(
            f"Or in a browser: edugateway {db_option} users add clerk --role clerk --school {school.code}, "
            f"then edugateway {db_option} serve web and open http://127.0.0.1:8080/ (the queue) "
            "and http://127.0.0.1:8080/reports (the reports)"
        )

    except GatewayError as exc:
        raise fail(exc) from exc


def problem_groups(problems: Sequence[RowProblem]) -> dict[str, list[str]]:
    """The import's problems by kind, each as the line the demo prints: SNILS and names masked."""
    groups: dict[str, list[str]] = {}
    for p in problems:
        groups.setdefault(_kind_of(p.reason), []).append(f"{p.file}:{p.line}: {mask_text(p.reason)}")
    return groups


def _kind_of(reason: str) -> str:
    if "already belongs" in reason:
        return "СНИЛС held by another person"
    if "СНИЛС is invalid" in reason:
        return "invalid СНИЛС"
    return "other problems"
