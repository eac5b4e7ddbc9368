"""How long work tells a person how far it got: a small reporter interface the library calls and the CLI fills.

Library code never prints. The sync engine, the journal pull and the HTTP client call the reporter of the
current context (`progress()`), which is a no-op unless a caller installed one with `reporting(...)`: the CLI does
at a terminal (cli/_progress.py), the scheduler does not. A context variable rather than a parameter threaded
through every connector builder: asyncio tasks inherit it, and the scheduler's worker threads start without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol


class ProgressReporter(Protocol):
    def stage(self, what: str, detail: str = "", *, step: int | None = None, steps: int | None = None) -> None:
        """Work on `what` (an entity) began; `detail` names its part (a window of days), `step` of `steps`."""

    def request(self, platform: str) -> None:
        """One request went to the platform."""

    def retrying(self, platform: str, seconds: float, reason: str) -> None:
        """The last request failed for `reason` (429, timeout, HTTP 503…); the next try is in `seconds`."""


class NoProgress:
    """What the library reports to when nobody listens."""

    def stage(self, what: str, detail: str = "", *, step: int | None = None, steps: int | None = None) -> None:
        return None

    def request(self, platform: str) -> None:
        return None

    def retrying(self, platform: str, seconds: float, reason: str) -> None:
        return None


_current: ContextVar[ProgressReporter | None] = ContextVar("edugateway_progress", default=None)
_NOBODY = NoProgress()


def progress() -> ProgressReporter:
    return _current.get() or _NOBODY


@contextmanager
def reporting(reporter: ProgressReporter | None) -> Iterator[None]:
    """Work inside the block reports to `reporter` (None: to nobody)."""
    token = _current.set(reporter)
    try:
        yield
    finally:
        _current.reset(token)
