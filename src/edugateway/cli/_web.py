"""`edugateway users add|schools|passwd|list` (the clerk's web accounts) and `edugateway serve web` (the clerk's
pages)."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from edugateway.cli._context import fail, state
from edugateway.errors import GatewayError

users_app = typer.Typer(help="Accounts of the clerk's web pages.", no_args_is_help=True)
serve_app = typer.Typer(help="Run the gateway's servers.", no_args_is_help=True)

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _actor() -> str:
    """Who ran the command, for the audit table: the operating-system account behind the CLI."""
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:
        return "cli"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the sign-in name: Latin letters, digits, . _ -")],
    role: Annotated[
        str,
        typer.Option("--role", help="admin, clerk, viewer (changes nothing) or deputy (justifies changed finals)"),
    ],
    school: Annotated[
        list[str] | None,
        typer.Option("--school", help="the code of a school the account reads; repeat for more", show_default=False),
    ] = None,
    all_schools: Annotated[
        bool, typer.Option("--all-schools", help="admins only: every school, including ones added later")
    ] = False,
    full_name: Annotated[
        str | None, typer.Option("--full-name", help="shown on the pages, e.g. 'Иванова М. П.'", show_default=False)
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from the first line of stdin")
    ] = False,
) -> None:
    """Create a web account of one or more schools; the password is asked twice (or read from stdin)."""
    from edugateway.web.accounts import add_user
    from edugateway.web.passwords import Passwords

    st = state(ctx)
    try:
        db = st.database()
        password = _read_password(password_stdin)
        account = add_user(
            db,
            Passwords(),
            name,
            password,
            role,
            schools=school or [],
            all_schools=all_schools,
            full_name=full_name,
            actor=_actor(),
        )
    except GatewayError as exc:
        raise fail(exc) from exc
    where = "all schools" if all_schools else ", ".join(dict.fromkeys(c.strip() for c in school or [] if c.strip()))
    typer.echo(f"user {account.username} created ({account.role}; {where})")


@users_app.command("schools")
def users_schools(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the account's sign-in name")],
    add: Annotated[
        list[str] | None, typer.Option("--add", help="a school code to give; repeatable", show_default=False)
    ] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", help="a school code to take away; repeatable", show_default=False)
    ] = None,
    all_schools: Annotated[
        bool | None,
        typer.Option(
            "--all-schools/--no-all-schools",
            help="admins only: read every school / only the listed ones",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Change the schools an account reads; its open sessions obey from their next page."""
    from edugateway.web.accounts import change_schools

    try:
        changed = change_schools(
            state(ctx).database(), name, add=add or [], remove=remove or [], all_schools=all_schools, actor=_actor()
        )
    except GatewayError as exc:
        raise fail(exc) from exc
    typer.echo(
        f"{name.strip().lower()} ({changed.role}) now reads {_schools_text(changed.all_schools, changed.schools)}"
    )


def _schools_text(all_schools: bool, schools: list[str]) -> str:
    if all_schools:
        return "all schools"
    return ", ".join(schools) if schools else "no school: sees nothing until `users schools NAME --add CODE`"


@users_app.command("passwd")
def users_passwd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the account's sign-in name")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from the first line of stdin")
    ] = False,
) -> None:
    """Set a new password; the account is signed out everywhere."""
    from edugateway.web.accounts import set_password
    from edugateway.web.passwords import Passwords

    st = state(ctx)
    try:
        db = st.database()
        password = _read_password(password_stdin)
        ended = set_password(db, Passwords(), name, password, actor=_actor())
    except GatewayError as exc:
        raise fail(exc) from exc
    typer.echo(f"password of {name.strip().lower()} changed; {ended} session(s) ended")


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """Every account: role, whether active, last sign-in, open sessions, schools."""
    from edugateway.store.web_accounts import list_accounts

    try:
        accounts = list_accounts(state(ctx).database())
    except GatewayError as exc:
        raise fail(exc) from exc
    if not accounts:
        typer.echo("no accounts yet; create one with `edugateway users add NAME --role admin`")
        return
    for a in accounts:
        last = f"{a.last_login_at:%Y-%m-%d %H:%M}" if a.last_login_at else "never"
        state_word = "active" if a.active else "disabled"
        typer.echo(
            f"{a.username:<20} {a.role:<7} {state_word:<8} last sign-in {last:<16}  "
            f"{a.sessions} session(s)  schools: {_schools_text(a.all_schools, a.schools)}  {a.full_name or ''}".rstrip()
        )


@serve_app.command("web")
def serve_web(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="overrides web.host", show_default=False)] = None,
    port: Annotated[int | None, typer.Option("--port", help="overrides web.port", show_default=False)] = None,
) -> None:
    """The clerk's pages with uvicorn on web.host:web.port, in the foreground (Ctrl-C stops)."""
    import uvicorn

    from edugateway.web.app import UVICORN_OPTIONS, create_app

    st = state(ctx)
    try:
        settings = st.settings
        db = st.database()
    except GatewayError as exc:
        raise fail(exc) from exc
    bind_host, bind_port = host or settings.web.host, port or settings.web.port
    if bind_host not in LOOPBACK and not settings.web.secure_cookies:
        typer.secho(
            f"warning: serving on {bind_host} with web.secure_cookies = false: put the pages behind HTTPS "
            "and set it to true, or passwords and sessions cross the network in clear text",
            err=True,
            fg=typer.colors.YELLOW,
        )
    typer.echo(f"clerk's pages on http://{bind_host}:{bind_port}/ (Ctrl-C stops)")
    app = create_app(db, settings)
    uvicorn.run(app, host=bind_host, port=bind_port, log_level="info", **UVICORN_OPTIONS)
