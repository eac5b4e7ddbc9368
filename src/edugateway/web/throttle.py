"""Slows down password guessing at the sign-in form.

Failures are counted in memory per (client address, user name) and per client address, in a sliding window.
Past the limit that pair (or that address) is refused until its oldest failure leaves the window, without
the password being checked. Keying on the pair, not the name alone, means nobody can lock a clerk out of her
account from another machine; the per-address limit stops one machine from trying many names. Every refused
password also waits `failure_delay` before the answer. Counters live in the process: a restart forgets them,
which is acceptable for a few staff accounts behind a school's or municipality's network.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    per_account: int = 5  # failures of one name from one address
    per_address: int = 30  # failures of any names from one address
    window_s: float = 15 * 60
    failure_delay_s: float = 1.0


class LoginThrottle:
    def __init__(self, limits: ThrottleLimits | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or ThrottleLimits()
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str, username: str) -> float:
        """Seconds until this address may try this name again; 0 when it may try now."""
        now = self._clock()
        with self._lock:
            waits = [
                self._wait(("pair", f"{address}\n{username}"), self.limits.per_account, now),
                self._wait(("addr", address), self.limits.per_address, now),
            ]
        return max(waits)

    def failed(self, address: str, username: str) -> None:
        now = self._clock()
        with self._lock:
            for key in (("pair", f"{address}\n{username}"), ("addr", address)):
                self._failures.setdefault(key, deque()).append(now)
            if len(self._failures) > 10_000:
                self._forget_old(now)

    def succeeded(self, address: str, username: str) -> None:
        with self._lock:
            self._failures.pop(("pair", f"{address}\n{username}"), None)

    def _wait(self, key: tuple[str, str], limit: int, now: float) -> float:
        times = self._failures.get(key)
        if not times:
            return 0.0
        while times and times[0] <= now - self.limits.window_s:
            times.popleft()
        if len(times) < limit:
            return 0.0
        # Refused until enough failures have aged out for one more try to fit under the limit.
        return times[len(times) - limit] + self.limits.window_s - now

    def _forget_old(self, now: float) -> None:
        cutoff = now - self.limits.window_s
        for key in [k for k, times in self._failures.items() if not times or times[-1] <= cutoff]:
            del self._failures[key]
