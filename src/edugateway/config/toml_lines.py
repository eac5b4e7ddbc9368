"""Where each key of a TOML file is written: tomllib parses values but keeps no positions.

`key_lines(text)` maps every key path to the line (1-based) that first writes it. A path is what the parsed
document would be indexed with: table and key names, and for an array of tables (`[[jobs]]`) the element's
index (0-based), e.g. ("jobs", 2, "platform") or ("platforms", "dnevnik", "compliance", "topic_deadline_days").
Tables and keys that a header or a dotted key only implies ([platforms.dnevnik] implies `platforms`) get the
line that first implies them. Keys inside inline tables and multi-line arrays are not listed: their enclosing
key's line stands for them (`line_of` looks up the longest listed prefix).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class _ValueScanner:
    """Follows a value across lines: open while a multi-line string, array or inline table is unfinished."""

    def __init__(self) -> None:
        self.depth = 0
        self.multiline: str | None = None  # '"""' or "'''" while inside one

    @property
    def open(self) -> bool:
        return self.depth > 0 or self.multiline is not None

    def feed(self, text: str) -> None:
        i = 0
        while i < len(text):
            if self.multiline is not None:
                end = _find_closing(text, i, self.multiline)
                if end < 0:
                    return
                self.multiline, i = None, end
                continue
            char = text[i]
            if char == "#":
                return
            if text.startswith(('"""', "'''"), i):
                self.multiline, i = text[i : i + 3], i + 3
            elif char in "\"'":
                i = _end_of_string(text, i)
            else:
                if char in "[{":
                    self.depth += 1
                elif char in "]}":
                    self.depth = max(0, self.depth - 1)
                i += 1


def _find_closing(text: str, start: int, delimiter: str) -> int:
    """The index just past `delimiter` closing a multi-line string, or -1 when it is not on this line."""
    i = start
    while i < len(text):
        if delimiter == '"""' and text[i] == "\\":
            i += 2
            continue
        if text.startswith(delimiter, i):
            return i + 3
        i += 1
    return -1


def _end_of_string(text: str, start: int) -> int:
    """The index just past a one-line string starting at `start` (its quote), or the line's end."""
    quote = text[start]
    i = start + 1
    while i < len(text):
        if quote == '"' and text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return len(text)


def _unescape(raw: str) -> str:
    """A basic string's escapes (TOML's are JSON's, plus \\UXXXXXXXX); the raw text if they do not decode."""
    try:
        decoded = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return decoded if isinstance(decoded, str) else raw


def _parse_key(text: str, start: int) -> tuple[list[str], int] | None:
    """A possibly dotted, possibly quoted key at `start`; its parts and the index after it, or None."""
    parts: list[str] = []
    i = start
    while True:
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text):
            return None
        if text[i] in "\"'":
            end = _end_of_string(text, i)
            raw = text[i + 1 : end - 1]
            parts.append(_unescape(raw) if text[i] == '"' else raw)
            i = end
        else:
            match = _BARE_KEY.match(text, i)
            if match is None:
                return None
            parts.append(match.group(0))
            i = match.end()
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        return parts, i


def key_lines(text: str) -> dict[KeyPath, int]:
    """Every key path of the document and the line that first writes or implies it (see module docstring)."""
    positions: dict[KeyPath, int] = {}
    arrays: dict[KeyPath, int] = {}  # an array of tables -> the index of its latest element
    table: KeyPath = ()
    value = _ValueScanner()

    def record(path: KeyPath, line: int) -> None:
        for end in range(1, len(path) + 1):
            positions.setdefault(path[:end], line)

    def resolve(keys: Sequence[str]) -> KeyPath:
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            if path in arrays:
                path = (*path, arrays[path])
        return path

    for number, line in enumerate(text.splitlines(), start=1):
        if value.open:
            value.feed(line)
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("[["):
            parsed = _parse_key(stripped, 2)
            if parsed is None:
                continue
            name = (*resolve(parsed[0][:-1]), parsed[0][-1])
            arrays[name] = arrays.get(name, -1) + 1
            table = (*name, arrays[name])
            record(table, number)
        elif stripped.startswith("["):
            parsed = _parse_key(stripped, 1)
            if parsed is None:
                continue
            table = resolve(parsed[0])
            record(table, number)
        else:
            parsed = _parse_key(stripped, 0)
            if parsed is None:
                continue
            keys, after = parsed
            if not stripped[after:].startswith("="):
                continue
            record((*table, *keys), number)
            value.feed(stripped[after + 1 :])
    return positions


def line_of(positions: dict[KeyPath, int], path: KeyPath) -> tuple[int, int] | None:
    """The line of the longest prefix of `path` written in the file, with that prefix's length; None if none is."""
    for end in range(len(path), 0, -1):
        line = positions.get(path[:end])
        if line is not None:
            return line, end
    return None
