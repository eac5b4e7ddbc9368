"""`edugateway emulators world|serve`: write a world from a local school, serve it on loopback."""

from __future__ import annotations

import datetime as dt
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer

from edugateway.cli._context import fail, state
from edugateway.emulators.faults import FaultConfig
from edugateway.emulators.server import BackgroundServer
from edugateway.errors import GatewayError

emulators_app = typer.Typer(
    help="Run the platform emulators (Дневник.ру/ИСУОД, ГИС ЕЦП, СМЭВ 3 + ЕСИА) and write their worlds.",
    no_args_is_help=True,
)


@emulators_app.command("world")
def world(
    ctx: typer.Context,
    from_school: Annotated[str, typer.Option("--from-school", help="code of a school in the local database")],
    out: Annotated[Path, typer.Option("--out", help="directory to write (must be empty or absent)")],
    drift: Annotated[str, typer.Option("--drift", help="none, realistic or heavy")] = "realistic",
    seed: Annotated[int, typer.Option(help="same seed, same world")] = 1,
    until: Annotated[
        str | None, typer.Option(help="journal up to this date, YYYY-MM-DD (default: today)", show_default=False)
    ] = None,
) -> None:
    """Write a world for all three emulators from a local school, with realistic planted drift."""
    from edugateway.emulators.worldgen import build_world
    from edugateway.store.snapshots import load_snapshot

    try:
        until_date = dt.date.fromisoformat(until) if until else None
    except ValueError:
        raise fail(f"--until {until!r} is not a date in the form YYYY-MM-DD") from None
    try:
        snapshot = load_snapshot(state(ctx).database(), from_school)
        summary = build_world(snapshot, out, profile=drift, seed=seed, until=until_date)
    except (GatewayError, ValueError) as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"world for {summary.school} written to {summary.out_dir} (journal up to {summary.until})")
    for what, n in summary.counts.items():
        typer.echo(f"  {what:<24} {n:>8,}")
    typer.echo(f"planted drift ({summary.profile}): {sum(summary.planted.values())} differences")
    for kind, n in sorted(summary.planted.items()):
        typer.echo(f"  {kind:<44} {n:>5}")


@emulators_app.command("serve")
def serve(
    world_dir: Annotated[Path, typer.Option("--world", help="a world directory (see `emulators world`)")],
    dnevnik_port: Annotated[int, typer.Option("--dnevnik-port", help="0 picks a free port")] = 8081,
    ecp_port: Annotated[int, typer.Option("--ecp-port", help="0 picks a free port")] = 8082,
    smev_port: Annotated[int, typer.Option("--smev-port", help="0 picks a free port")] = 8083,
    latency_ms: Annotated[float, typer.Option("--latency-ms", min=0, help="added to every answer")] = 0.0,
    rate_limit: Annotated[
        float | None, typer.Option("--rate-limit", min=0.1, help="requests per second per emulator", show_default=False)
    ] = None,
    fail_rate: Annotated[float, typer.Option("--fail-rate", min=0.0, max=1.0, help="share answered with 5xx")] = 0.0,
    host: Annotated[
        str, typer.Option("--host", help="address to listen on; 0.0.0.0 only inside a container or a trial network")
    ] = "127.0.0.1",
) -> None:
    """Serve all three emulators (on 127.0.0.1 unless --host) in the foreground until Ctrl-C or SIGTERM.

    Prints each step while it starts (loading a large world takes seconds), then each emulator's URL and
    credentials, then the settings and variables gateway.toml needs to use them."""
    from edugateway.cli._emulator_config import config_lines
    from edugateway.emulators import dnevnik, ecp, smev

    faults = FaultConfig(latency_ms=latency_ms, rate_limit_rps=rate_limit, fail_rate=fail_rate)
    loaders: list[tuple[str, str, Callable[[], Any], int]] = [
        ("dnevnik", "Дневник.ру", lambda: dnevnik.create_app(dnevnik.load_world(world_dir), faults), dnevnik_port),
        ("ecp", "ГИС ЕЦП", lambda: ecp.create_app(ecp.load_world(world_dir), faults), ecp_port),
        ("smev", "СМЭВ 3 + ЕСИА", lambda: smev.create_app(smev.load_world(world_dir), faults), smev_port),
    ]
    emulators: dict[str, Any] = {}
    urls: dict[str, str] = {}
    servers: list[BackgroundServer] = []
    try:
        for name, title, load, port in loaders:
            typer.echo(f"loading the {title} world from {world_dir}…")
            try:
                emulators[name] = load()
            except GatewayError as exc:
                raise fail(exc) from exc
            where = f"{host}:{port}" if port else f"{host} (a free port)"
            typer.echo(f"starting the {name} emulator on {where}…")
            try:
                server = BackgroundServer(emulators[name].app, host=host, port=port or None).start()
            except (OSError, RuntimeError, SystemExit) as exc:
                raise fail(f"{name} emulator could not listen on port {port} ({exc}); pass --{name}-port") from None
            servers.append(server)
            urls[name] = server.base_url
        for name, url in urls.items():
            typer.echo(f"{name}: {url}")
            for line in emulators[name].credentials(url):
                typer.echo(f"  {line}")
        for line in config_lines(
            emulators["dnevnik"], urls["dnevnik"], emulators["ecp"], urls["ecp"], emulators["smev"], urls["smev"]
        ):
            typer.echo(line)
        typer.echo("serving; press Ctrl-C to stop")
        _wait_for_stop_signal()
        typer.echo("stopping")
    except KeyboardInterrupt:  # Ctrl-C while the servers were still starting
        typer.echo("stopping")
    finally:
        for server in servers:
            server.stop()


def _wait_for_stop_signal() -> None:
    """Returns on SIGINT or SIGTERM. Both are handled here, not left to their inherited dispositions: a shell
    starts background jobs with SIGINT ignored, and as a container's first process SIGTERM does nothing unless
    handled, so `docker stop` would wait out its grace period."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
