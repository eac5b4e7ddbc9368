"""Every command's --help shows its help text as written (issue 17, the terminal): the `[platforms.NAME]` and
`[[jobs]]` placeholders are not eaten as rich markup, and flags do not show a `<bool>` metavar."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from edugateway.cli import app


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """The command tree as typer builds it (typer vendors its own click: its types are not click's)."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_walk_finds_the_commands_with_placeholders() -> None:
    paths = {" ".join(path) for path, _ in COMMANDS}
    assert {"sync", "jobs run", "emulators serve", "doctor"} <= paths


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "edugateway" for p, _ in COMMANDS])
def test_help_keeps_every_bracket_and_shows_no_bool_metavar(path: tuple[str, ...], command: Any) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    shown = _flat(result.output)
    assert "<bool>" not in shown
    written = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
    for text in written:
        for placeholder in re.findall(r"\[+[^\]\s]*\]+", text):
            assert placeholder in shown, f"{placeholder} of {' '.join(path)} --help is lost"
