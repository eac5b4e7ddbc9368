"""What every command needs: the settings chosen by --config, logging, and the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import typer

from edugateway.config import Settings, load_settings
from edugateway.errors import GatewayError
from edugateway.logs import configure_logging
from edugateway.store.db import Database


@dataclass
class CliState:
    config_file: Path | None = None
    database_url: str | None = None
    _settings: Settings | None = field(default=None, repr=False)
    _opened: list[Database] = field(default_factory=list, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            overrides = {"database_url": self.database_url} if self.database_url else {}
            self._settings = load_settings(self.config_file, **overrides)
            configure_logging(self._settings.log_format, self._settings.log_level)
        return self._settings

    def database(self, *, require_schema: bool = True) -> Database:
        db = Database(self.settings.database_url)
        self._opened.append(db)
        if require_schema:
            db.require_current_schema()
        return db

    def lease_ttl(self) -> dt.timedelta:
        """How long a run's lease on a school and platform outlives a process that stopped renewing it."""
        return dt.timedelta(seconds=self.settings.scheduler.lease_ttl_s)

    def close(self) -> None:
        """Closes the connection pools the command opened (the root callback registers this on exit)."""
        while self._opened:
            self._opened.pop().dispose()


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):
        raise RuntimeError("CLI state missing: commands must run under the edugateway app")
    return obj


def fail(error: GatewayError | str, code: int | None = None) -> typer.Exit:
    """Prints the error for a person and returns the Exit to raise: `code`, else the one the error's kind has
    (cli/_exit_codes.py: 4 for a busy school and platform, otherwise 2)."""
    from edugateway.cli._exit_codes import exit_for

    typer.secho(f"error: {error}", err=True, fg=typer.colors.RED)
    return typer.Exit(exit_for(error) if code is None else code)
