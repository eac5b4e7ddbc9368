"""A clock the test holds: time moves only when the test moves it, or when the code under test waits on it.

One `FakeClock` can be an emulator's clock (call it: seconds since the epoch, starting now so that dates
the emulator derives from it stay real) and a connector's `Timer` (`monotonic`, `sleep`) at the same time:
then the platform sees exactly the time the client chose to wait, and no test spends it for real.
"""

from __future__ import annotations

import asyncio
import threading
import time

SHORTEST_SLEEP_S = 1e-6
"""A real sleep never returns in no time; nor does this one, so code that waits for a bucket to refill by a
sliver (rounding leaves it at 0.99999…) still sees the clock move and cannot spin."""


class FakeClock:
    """`tick` seconds pass each time the clock is called (an emulator looking at it); `sleep` records how long
    the code asked to wait, moves the clock that far and returns at once.

    Elapsed time is kept apart from the epoch it started at, as `time.monotonic` is: added to 1.8e9 seconds, a
    wait of a few nanoseconds would round away and a rate limiter waiting for it would wait for ever."""

    def __init__(self, start: float | None = None, *, tick: float = 0.0) -> None:
        self.start = float(int(time.time())) if start is None else start  # whole seconds: sums stay exact
        self.tick = tick
        self.sleeps: list[float] = []
        self._elapsed = 0.0
        self._lock = threading.Lock()  # emulators read it from their server thread

    def __call__(self) -> float:
        with self._lock:
            now = self.start + self._elapsed
            self._elapsed += self.tick
            return now

    @property
    def now(self) -> float:
        with self._lock:
            return self.start + self._elapsed

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._elapsed += seconds

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed

    async def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._elapsed += max(seconds, SHORTEST_SLEEP_S)
        await asyncio.sleep(0)  # still a suspension point, as a real sleep is
