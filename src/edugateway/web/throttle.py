"""Slows down password guessing at the sign-in form.

Three counters of failed sign-ins within `window_s`, each aimed at one kind of attack:

- **(client, account)**: `per_pair` failures of one name from one client lock that pair out (429) until the
  oldest failure leaves the window. This is the brute-force stop; other clients and other names are untouched.
- **account**, from any client: from the `account_free`-th failure on, the next try of that name waits
  `account_delay_s`, doubling with every further failure up to `account_max_delay_s`. Guessing one clerk's
  password from many addresses gets at most one try per that delay, and the clerk herself is never locked out
  for longer than it: the delay is bounded, not a lockout.
- **client**, any names: past `per_client` failures, that client's tries are spaced `client_interval_s` apart.
  Behind a school's NAT or a proxy every clerk shares one client address, so a neighbour spraying names costs
  another clerk's correct password a short wait, never a lockout.

A wait up to `max_wait_s` is served by holding the answer (the page is just slow); a longer one is a 429 saying
when to come back. Waits are exclusive slots: concurrent tries queue behind each other rather than share one.

The check is atomic: `admit` counts the attempt as a failure, under the lock, *before* the password is checked,
so requests sent at once see each other; `succeeded` takes it back and forgets the pair's and the account's
failures. Every refused password also waits `failure_delay_s`. The counters live in this process: a restart
forgets them, acceptable for a few staff accounts. The client is the address `client_address.py` resolves
(X-Forwarded-For only through `web.trusted_proxies`).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Key = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    per_pair: int = 5  # failures of one name from one client
    per_client: int = 30  # failures of any names from one client, before its tries are spaced
    client_interval_s: float = 5.0
    account_free: int = 10  # failures of one name from anywhere, before its tries are delayed
    account_delay_s: float = 1.0  # the first delay; doubles with every further failure
    account_max_delay_s: float = 60.0
    max_wait_s: float = 10.0  # held by the server; a longer wait is refused (429)
    window_s: float = 15 * 60
    failure_delay_s: float = 1.0


@dataclass(frozen=True, slots=True)
class Attempt:
    """One admitted try, counted as a failure until `succeeded` or `release` takes it back."""

    client: str
    account: str
    at: float


@dataclass(frozen=True, slots=True)
class Admission:
    """`attempt` None: refused, come back in `wait_s`. Else check the password after waiting `wait_s`."""

    attempt: Attempt | None
    wait_s: float


@dataclass(slots=True)
class _Counter:
    times: list[float] = field(default_factory=list)
    next_at: float = 0.0  # no try before this (the slot the last admitted try left)


class LoginThrottle:
    def __init__(
        self,
        limits: ThrottleLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits or ThrottleLimits()
        self.sleep = sleep  # tests pass one that moves their clock instead of waiting
        self._clock = clock
        self._counters: dict[Key, _Counter] = {}
        self._sweep_above = 10_000  # forget old counters when there are more than this many
        self._lock = threading.Lock()

    def admit(self, client: str, account: str) -> Admission:
        limits, now = self.limits, self._clock()
        with self._lock:
            pair, by_account, by_client = (self._counter(key, now) for key in _keys(client, account))
            if len(pair.times) >= limits.per_pair:
                # Refused until enough failures have aged out for one more try to fit under the limit.
                oldest = sorted(pair.times)[len(pair.times) - limits.per_pair]
                return Admission(None, oldest + limits.window_s - now)
            start = max(now, by_account.next_at, by_client.next_at)
            if start - now > limits.max_wait_s:
                return Admission(None, start - now)
            for counter in (pair, by_account, by_client):
                counter.times.append(start)
            delay = self._account_delay(len(by_account.times))
            if delay > 0:
                by_account.next_at = start + delay
            if len(by_client.times) >= limits.per_client:
                by_client.next_at = start + limits.client_interval_s
            if len(self._counters) > self._sweep_above:
                self._forget_old(now)
                # Next sweep when the table has doubled again: a spray of fresh names stays O(1) per try.
                self._sweep_above = max(10_000, 2 * len(self._counters))
            return Admission(Attempt(client, account, start), start - now)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the pair and the account start afresh; the client keeps its other failures."""
        with self._lock:
            pair, by_account, by_client = _keys(attempt.client, attempt.account)
            self._counters.pop(pair, None)
            self._counters.pop(by_account, None)
            _take_back(self._counters.get(by_client), attempt.at)

    def release(self, attempt: Attempt) -> None:
        """The password could not be checked (the database failed): the try does not count."""
        with self._lock:
            for key in _keys(attempt.client, attempt.account):
                _take_back(self._counters.get(key), attempt.at)

    def _account_delay(self, failures: int) -> float:
        excess = failures - self.limits.account_free
        if excess < 0:
            return 0.0
        return min(self.limits.account_delay_s * 2.0 ** min(excess, 32), self.limits.account_max_delay_s)

    def _counter(self, key: Key, now: float) -> _Counter:
        counter = self._counters.setdefault(key, _Counter())
        cutoff = now - self.limits.window_s
        if counter.times and counter.times[0] <= cutoff:  # mostly in order: a look at the first is enough
            counter.times = [t for t in counter.times if t > cutoff]
        return counter

    def _forget_old(self, now: float) -> None:
        cutoff = now - self.limits.window_s
        for key in [k for k, c in self._counters.items() if c.next_at <= now and all(t <= cutoff for t in c.times)]:
            del self._counters[key]


def _keys(client: str, account: str) -> tuple[Key, Key, Key]:
    return ("pair", client, account), ("account", account), ("client", client)


def _take_back(counter: _Counter | None, at: float) -> None:
    if counter is not None and at in counter.times:
        counter.times.remove(at)
