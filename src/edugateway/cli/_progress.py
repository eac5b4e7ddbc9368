"""Progress of a long command at a terminal (rich, on stderr): entity, window, requests, ETA, and why it waits.

Not at a terminal (a pipe, cron, the scheduler's log) nothing is installed and the command prints only its
summary, so scripts read the same output as before.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from edugateway.progress import ProgressReporter, reporting


class TerminalProgress:
    """A live bar for the current entity, and a line per stage and per retry that stays on the screen."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[requests]} requests", markup=False),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self.requests = 0
        self._task: TaskID | None = None
        self._what = ""

    def stage(self, what: str, detail: str = "", *, step: int | None = None, steps: int | None = None) -> None:
        if what != self._what or self._task is None:
            if self._task is not None:
                self.bar.update(self._task, visible=False)
            self._task = self.bar.add_task(what, total=steps, requests=self.requests)
            self._what = what
        self.bar.update(self._task, completed=(step or 1) - 1, total=steps)
        counted = f" ({step}/{steps})" if step is not None and steps is not None else ""
        self._print(f"{what}: {detail}{counted}" if detail else what + counted)

    def request(self, platform: str) -> None:
        self.requests += 1
        if self._task is not None:
            self.bar.update(self._task, requests=self.requests)

    def retrying(self, platform: str, seconds: float, reason: str) -> None:
        self._print(f"{platform}: retrying in {seconds:.0f} s after {reason}")

    def _print(self, line: str) -> None:
        # markup off: an entity, a platform's reason or a window may hold [brackets]
        self.console.print(line, markup=False, highlight=False)


@contextmanager
def terminal_progress(console: Console | None = None) -> Iterator[ProgressReporter | None]:
    """Inside the block, work reports progress when stderr is a terminal, and nowhere otherwise."""
    console = console or Console(file=sys.stderr)
    if not console.is_terminal:
        with reporting(None):
            yield None
        return
    reporter = TerminalProgress(console)
    with reporter.bar, reporting(reporter):
        yield reporter
