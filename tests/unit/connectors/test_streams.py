"""`ordered`: fetches overlap up to the limit, answers come back in the items' order, a failure stops the rest."""

from __future__ import annotations

import asyncio

import pytest

from edugateway.connectors.streams import ordered


async def test_answers_keep_the_order_and_never_more_than_the_limit_run_at_once() -> None:
    running = peak = 0

    async def fetch(n: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001 * (5 - n % 5))  # later items finish first
        running -= 1
        return n * n

    got = [pair async for pair in ordered(range(12), fetch, 3)]
    assert got == [(n, n * n) for n in range(12)]
    assert peak == 3


async def test_a_failure_is_raised_in_order_and_the_fetches_under_way_are_cancelled() -> None:
    cancelled: list[int] = []

    async def fetch(n: int) -> int:
        try:
            await asyncio.sleep({0: 0.01, 1: 0.0}.get(n, 5.0))  # the ones after the failure are still out
        except asyncio.CancelledError:
            cancelled.append(n)
            raise
        if n == 1:
            raise ValueError("window 1 failed")
        return n

    seen: list[int] = []

    async def consume() -> None:
        async for item, _ in ordered(range(10), fetch, 4):
            seen.append(item)

    with pytest.raises(ValueError, match="window 1"):
        await consume()
    assert seen == [0]
    assert cancelled
    assert all(n > 1 for n in cancelled)
