"""The sign-in throttle through the app, in process (the ASGI client sets the peer address): requests sent at
once are counted before their passwords are checked, X-Forwarded-For counts only through a trusted proxy, the
log names the resolved client, and one client's failures cost another clerk at the same address a short wait,
not a lockout. Waits go through an injected clock: nothing here sleeps."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from argon2 import PasswordHasher
from web_client import CSRF

from edugateway.config.settings import Settings, WebSettings
from edugateway.store.db import Database
from edugateway.web.app import create_app
from edugateway.web.csrf import LOGIN_COOKIE
from edugateway.web.passwords import Passwords, Verified
from edugateway.web.throttle import LoginThrottle, ThrottleLimits
from support.clerk_school import PASSWORD, add_accounts
from support.fake_clock import FakeClock

ATTACKER = "203.0.113.5"
NO_DELAY = ThrottleLimits(failure_delay_s=0)  # the defaults otherwise


class CountingPasswords(Passwords):
    """Cheap argon2 that counts the passwords it was asked to check."""

    def __init__(self) -> None:
        super().__init__(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        self.checked = 0
        self._lock = threading.Lock()

    def verify(self, stored_hash: str | None, password: str) -> Verified:
        with self._lock:
            self.checked += 1
        return super().verify(stored_hash, password)


@pytest.fixture
def passwords(database: Database) -> CountingPasswords:
    counting = CountingPasswords()
    add_accounts(database, counting)
    return counting


@asynccontextmanager
async def browser(
    database: Database,
    passwords: Passwords,
    throttle: LoginThrottle,
    *,
    peer: str = ATTACKER,
    settings: Settings | None = None,
) -> AsyncIterator[Callable[..., Awaitable[httpx.Response]]]:
    """A sign-in function for a browser at `peer` that has fetched the form once: its token and cookie are sent
    with every try (a refused try's page would hand out a new pair, and tries sent at once cannot wait for it)."""
    app = create_app(database, settings or Settings(), passwords=passwords, throttle=throttle)
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        token = CSRF.search((await client.get("/login")).text)
        assert token

        async def sign_in(username: str, password: str, forwarded_for: str | None = None) -> httpx.Response:
            headers = {"Cookie": f"{LOGIN_COOKIE}={token.group(1)}"}
            if forwarded_for:
                headers["X-Forwarded-For"] = forwarded_for
            data = {"username": username, "password": password, "csrf_token": token.group(1)}
            return await client.post("/login", data=data, headers=headers)

        yield sign_in


async def test_sixty_guesses_at_once_get_at_most_the_limit_checked(
    database: Database, passwords: CountingPasswords
) -> None:
    async with browser(database, passwords, LoginThrottle(NO_DELAY)) as sign_in:
        answers = await asyncio.gather(*(sign_in("ivanova", f"guess-{i:04d}-guess") for i in range(60)))

    statuses = [a.status_code for a in answers]
    assert passwords.checked == NO_DELAY.per_pair == 5
    assert (statuses.count(401), statuses.count(429)) == (5, 55)
    assert "Слишком много неудачных попыток входа" in next(a.text for a in answers if a.status_code == 429)


async def test_sixty_names_at_once_from_one_address_get_the_client_limit_and_a_short_queue(
    database: Database, passwords: CountingPasswords
) -> None:
    waited: list[float] = []

    async def frozen(seconds: float) -> None:  # time does not move: every try sees the same instant
        waited.append(seconds)

    throttle = LoginThrottle(NO_DELAY, FakeClock(1000.0), frozen)
    async with browser(database, passwords, throttle) as sign_in:
        answers = await asyncio.gather(*(sign_in(f"name{i}", "guess-guess-guess") for i in range(60)))

    statuses = [a.status_code for a in answers]
    queued = int(NO_DELAY.max_wait_s // NO_DELAY.client_interval_s)  # the slots within the longest wait
    assert passwords.checked == NO_DELAY.per_client + queued == 32
    assert (statuses.count(401), statuses.count(429)) == (32, 28)
    assert sorted(w for w in waited if w) == [5.0, 10.0]


async def test_a_forged_x_forwarded_for_from_an_untrusted_peer_buys_no_fresh_address(
    database: Database, passwords: CountingPasswords, capsys: pytest.CaptureFixture[str]
) -> None:
    async with browser(database, passwords, LoginThrottle(NO_DELAY)) as sign_in:
        answers = [await sign_in("ivanova", "guess-guess-guess", f"198.51.100.{i}") for i in range(7)]
        right = await sign_in("ivanova", PASSWORD, "198.51.100.99")

    assert [a.status_code for a in answers] == [401] * 5 + [429] * 2
    assert right.status_code == 429  # locked out for this pair, whatever the header says
    logged = capsys.readouterr().out
    assert logged.count(f"client={ATTACKER}") == 8
    assert "198.51.100." not in logged


async def test_through_a_trusted_proxy_the_forwarded_client_is_counted_and_logged(
    database: Database, passwords: CountingPasswords, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(web=WebSettings(trusted_proxies=["10.0.0.0/8"]))  # type: ignore[list-item]
    async with browser(database, passwords, LoginThrottle(NO_DELAY), peer="10.0.0.2", settings=settings) as sign_in:
        # The client forges a left entry each time; the proxy appends the address it really saw.
        guesses = [await sign_in("ivanova", "guess-guess-guess", f"1.2.3.{i}, 198.51.100.7") for i in range(6)]
        elsewhere = await sign_in("ivanova", PASSWORD, "198.51.100.8, 10.0.0.3")

    assert [a.status_code for a in guesses] == [401] * 5 + [429]
    assert elsewhere.status_code == 303  # another client behind the same proxy is not the guesser
    logged = capsys.readouterr().out
    assert logged.count("client=198.51.100.7") == 6
    assert "client=198.51.100.8" in logged
    assert "1.2.3." not in logged
    assert "client=10.0.0" not in logged


async def test_another_clerk_at_the_same_address_signs_in_after_a_short_wait_however_many_names_failed(
    database: Database, passwords: CountingPasswords
) -> None:
    clock = FakeClock(1000.0)
    throttle = LoginThrottle(NO_DELAY, clock, clock.sleep)
    async with browser(database, passwords, throttle) as sign_in:
        for i in range(40):  # a neighbour behind the school's NAT tries forty names
            assert (await sign_in(f"name{i}", "guess-guess-guess")).status_code == 401
        before = len(clock.sleeps)
        answer = await sign_in("ivanova", PASSWORD)

    assert answer.status_code == 303
    assert 0 < sum(clock.sleeps[before:]) <= NO_DELAY.max_wait_s  # held that long, then let in


async def test_one_names_lockout_leaves_another_name_from_the_same_address_alone(
    database: Database, passwords: CountingPasswords
) -> None:
    clock = FakeClock(1000.0)
    throttle = LoginThrottle(NO_DELAY, clock, clock.sleep)
    async with browser(database, passwords, throttle) as sign_in:
        for _ in range(6):
            await sign_in("petrov", "guess-guess-guess")
        before = len(clock.sleeps)
        answer = await sign_in("ivanova", PASSWORD)

    assert answer.status_code == 303
    assert sum(clock.sleeps[before:]) == 0
