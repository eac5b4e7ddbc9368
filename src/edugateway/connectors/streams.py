"""Reading many pages or windows at once while still streaming them in order."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TypeVar

X = TypeVar("X")
Y = TypeVar("Y")


async def ordered(
    items: Iterable[X], fetch: Callable[[X], Awaitable[Y]], concurrency: int
) -> AsyncIterator[tuple[X, Y]]:
    """`(item, await fetch(item))` for every item, in the items' order, with up to `concurrency` fetches under way.

    A retry's back-off then delays one window, not the whole read, and at most `concurrency` answers are held
    in memory. The first failure is raised in order; fetches still under way are cancelled."""
    pending: deque[tuple[X, asyncio.Task[Y]]] = deque()
    try:
        for item in items:
            pending.append((item, asyncio.ensure_future(fetch(item))))
            if len(pending) >= max(1, concurrency):
                head, task = pending.popleft()
                yield head, await task
        while pending:
            head, task = pending.popleft()
            yield head, await task
    finally:
        for _, task in pending:
            task.cancel()
        for _, task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
