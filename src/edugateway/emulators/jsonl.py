"""JSON Lines, the format of every emulator world: one JSON object a line, read with the line number for
error messages and written atomically (a crash mid-save leaves the previous file, never half a table)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from edugateway.errors import ConfigError

Row = dict[str, Any]


def read_jsonl(path: Path) -> Iterator[tuple[int, Row]]:
    """(line number, object) for every non-blank line; ConfigError naming file and line for anything else."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path}:{number}: not JSON ({exc.msg}); one JSON object a line") from exc
            if not isinstance(row, dict):
                raise ConfigError(f"{path}:{number}: expected a JSON object, got {type(row).__name__}")
            yield number, row


def read_table(path: Path) -> list[Row]:
    """Every object of the file; a missing file is an empty table."""
    return [row for _, row in read_jsonl(path)] if path.exists() else []


def write_jsonl(path: Path, rows: Iterable[Row]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    tmp.replace(path)
