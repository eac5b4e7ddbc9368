"""A clock the test holds: time moves only when the test moves it, or when the code under test waits on it.

One `FakeClock` can be an emulator's clock (call it: seconds since the epoch, starting now so that dates
the emulator derives from it stay real) and a connector's `Timer` (`monotonic`, `sleep`) at the same time:
then the platform sees exactly the time the client chose to wait, and no test spends it for real.
"""

from __future__ import annotations

import asyncio
import threading
import time


class FakeClock:
    """`tick` seconds pass each time the clock is called (an emulator looking at it); `sleep` records how long
    the code asked to wait, moves the clock that far and returns at once."""

    def __init__(self, start: float | None = None, *, tick: float = 0.0) -> None:
        self._now = float(int(time.time())) if start is None else start  # whole seconds: sums stay exact
        self.tick = tick
        self.sleeps: list[float] = []
        self._lock = threading.Lock()  # emulators read it from their server thread

    def __call__(self) -> float:
        with self._lock:
            now = self._now
            self._now += self.tick
            return now

    @property
    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += seconds
        await asyncio.sleep(0)  # still a suspension point, as a real sleep is
