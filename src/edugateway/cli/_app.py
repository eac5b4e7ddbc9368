"""The root command: global options, then the command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from edugateway import __version__
from edugateway.cli._archive import archive_app
from edugateway.cli._context import CliState, fail, state
from edugateway.cli._demo import demo
from edugateway.cli._doctor import doctor
from edugateway.cli._emulators import emulators_app
from edugateway.cli._finals import finals_app
from edugateway.cli._identity import cases_app, identity_app
from edugateway.cli._jobs import jobs_app, scheduler_app
from edugateway.cli._jobs_status import jobs_status  # noqa: F401  # registers `jobs status` on jobs_app
from edugateway.cli._journal import import_journal, template_journal
from edugateway.cli._reconcile import reconcile, reports_app
from edugateway.cli._roster import export_app, import_app, template_app
from edugateway.cli._school_reports import report_month, report_period
from edugateway.cli._snils import snils_app
from edugateway.cli._sync import runs_app, sync
from edugateway.cli._web import serve_app, users_app
from edugateway.cli._worker import worker
from edugateway.errors import GatewayError
from edugateway.store.db_errors import describe_database_error

app = typer.Typer(
    name="edugateway",
    help="Keeps a school's local database in agreement with ГИС ЕЦП, Дневник.ру/ИСУОД and ЕСИА.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(snils_app, name="snils")
app.add_typer(import_app, name="import")
import_app.command("journal")(import_journal)
app.add_typer(export_app, name="export")
app.add_typer(template_app, name="template")
template_app.command("journal")(template_journal)
app.add_typer(emulators_app, name="emulators")
app.add_typer(runs_app, name="runs")
app.add_typer(identity_app, name="identity")
app.add_typer(cases_app, name="cases")
app.add_typer(users_app, name="users")
app.add_typer(serve_app, name="serve")
app.add_typer(jobs_app, name="jobs")
app.add_typer(scheduler_app, name="scheduler")
app.add_typer(reports_app, name="reports")
reports_app.command("month")(report_month)
reports_app.command("period")(report_period)
app.add_typer(archive_app, name="archive")
app.add_typer(finals_app, name="finals")
app.command("sync")(sync)
app.command("reconcile")(reconcile)
app.command("demo")(demo)
app.command("doctor")(doctor)
app.command("worker")(worker)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"edugateway {__version__}")
        raise typer.Exit


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", envvar="EDUGATEWAY_CONFIG", help="gateway.toml to use", show_default=False),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="overrides database_url / EDUGATEWAY_DATABASE_URL", show_default=False),
    ] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True)] = False,
) -> None:
    ctx.obj = CliState(config_file=config, database_url=database_url)
    ctx.call_on_close(ctx.obj.close)


@app.command("init-db")
def init_db(ctx: typer.Context) -> None:
    """Create or upgrade the local database schema (safe to run again)."""
    st = state(ctx)
    try:
        db = st.database(require_schema=False)
        db.migrate()
        if st.settings.scheduler.executor == "procrastinate":
            from edugateway.store.queue_tables import apply_queue_schema

            created = apply_queue_schema(db)
            typer.echo("job queue: procrastinate's tables " + ("created" if created else "already there"))
    except GatewayError as exc:
        raise fail(exc) from exc
    typer.echo(f"database ready: {db.engine.url.render_as_string(hide_password=True)}")


def _plain_help(group: typer.Typer) -> None:
    """Help is printed as written: rich markup would eat the `[platforms.NAME]` and `[[jobs]]` placeholders the
    help quotes from gateway.toml, and its panels show a flag as `<bool>`. Typer takes the mode per group, so
    every group registered above (and any added later before this line) is set."""
    group.rich_markup_mode = None
    for registered in group.registered_groups:
        if registered.typer_instance is not None:
            _plain_help(registered.typer_instance)


_plain_help(app)


def main() -> None:
    """The `edugateway` script: the app, with a database failure no command expected (another process holding a
    lock past the timeout, a constraint broken by a concurrent writer, a server gone) said in one line, exit 2."""
    from sqlalchemy.exc import DBAPIError

    try:
        app(prog_name="edugateway")
    except DBAPIError as exc:
        typer.secho(f"error: {describe_database_error(exc)}", err=True, fg=typer.colors.RED)
        raise SystemExit(2) from None
