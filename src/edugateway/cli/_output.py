"""How every command shows what it lists: one table style, one time convention, and `--format json`.

- Tables: rich, with a header row, no frame, long values folded onto the next line, never cut (a path must stay
  whole to be copied).
- Times: in the school's own time zone, the zone shown: «2026-12-06 04:30 +05 (Asia/Yekaterinburg)». A time
  with no school (or an unknown zone) is shown in UTC, said so.
- `--format json`: pure JSON on stdout and nothing else (times as ISO 8601 with their offset), for scripts.
- An empty list says so in one line («no runs yet»), in JSON an empty list.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from edugateway.config import Settings
    from edugateway.store.db import Database


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", help="table (for people) or json (for scripts: JSON only on stdout)"),
]


def zone_of(name: str | None) -> dt.tzinfo:
    """A school's time zone; UTC when the school is unknown or its zone is not a known one."""
    try:
        return ZoneInfo(name) if name else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # the database keeps UTC


def school_time(value: dt.datetime | None, zone: dt.tzinfo | None) -> str:
    """«2026-12-06 04:30 +05 (Asia/Yekaterinburg)»; «-» for no time."""
    if value is None:
        return "-"
    zone = zone or dt.UTC
    local = _aware(value).astimezone(zone)
    offset = local.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    shown = f"{sign}{hours:02}" + (f":{rest:02}" if rest else "")
    name = getattr(zone, "key", None) or "UTC"
    return f"{local:%Y-%m-%d %H:%M} {shown} ({name})"


def iso_time(value: dt.datetime | None) -> str | None:
    return _aware(value).isoformat() if value is not None else None


def readable(summary: Mapping[str, Any] | None) -> str:
    """A stored summary as «sync run 3, status done» rather than a Python dict."""
    return ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in (summary or {}).items())


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


PIPE_WIDTH = 200  # a pipe has no width: rows stay whole lines for grep, unless COLUMNS says otherwise


def _console() -> Console:
    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPE_WIDTH
    return console


def print_table(columns: Sequence[str], rows: Sequence[Sequence[str]], *, empty: str, title: str | None = None) -> None:
    """The one table style; `empty` is the line printed instead of an empty table."""
    console = _console()
    if not rows:
        typer.echo(empty)  # one line, never wrapped
        return
    table = Table(*columns, box=None, title=title, title_justify="left", header_style="bold")
    for column in table.columns:
        column.overflow = "fold"
    for row in rows:
        table.add_row(*(Text(value) for value in row))  # values are data, never markup: «[platforms.x]» stays
    console.print(table)


def print_fields(fields: Mapping[str, str], *, title: str | None = None) -> None:
    """One record as «name  value» lines in the table style (for `show` commands)."""
    console = _console()
    table = Table(box=None, show_header=False, title=title, title_justify="left")
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in fields.items():
        table.add_row(Text(name), Text(value))
    console.print(table)


def school_zones(db: Database, settings: Settings) -> dict[int, tuple[str, dt.tzinfo]]:
    """Each stored school's code and zone (the configured one, else the one its roster import set), by id."""
    from edugateway.store.school_zones import stored_school_zones

    configured = {s.code: s.timezone for s in settings.schools}
    return {
        id_: (code, zone_of(configured.get(code, timezone)))
        for id_, (code, timezone) in stored_school_zones(db).items()
    }
