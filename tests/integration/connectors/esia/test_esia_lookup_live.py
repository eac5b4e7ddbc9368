"""Done when: the ЕСИА lookup, over a real socket against the СМЭВ emulator, finds exactly the accounts the world
holds for 250 СНИЛС of a generated school and leaves the queue empty; a used-up quota surfaces as RateLimited
after its retries, an unknown sender as AuthError, and an unreachable endpoint as PlatformUnavailable naming
the platform, the URL and what to check."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest

from edugateway.config.settings import EsiaSettings
from edugateway.connectors.esia import EsiaLookup, UnsignedSigner, build_esia_lookup
from edugateway.domain.snils import format_snils, is_valid_snils
from edugateway.emulators.drift import DriftProfile, drift_esia
from edugateway.emulators.server import BackgroundServer, free_port
from edugateway.emulators.smev import ENDPOINT, SmevEmulator, SmevSettings, SmevWorld, create_app, world_from_snapshot
from edugateway.emulators.synthetic import generate_school
from edugateway.errors import AuthError, PlatformUnavailable, RateLimited

SENDER = "EDUGW01"


@pytest.fixture(scope="module")
def world_and_snils() -> tuple[SmevWorld, list[str]]:
    school = generate_school(seed=31, students=220, classes=8)
    profile = DriftProfile(esia_snils_unknown=0.15, esia_deleted=0.05, esia_untrusted=0.1)
    esia_copy, extras, _ = drift_esia(school.snapshot, profile, random.Random(31), dt.date(2026, 11, 1))
    numbers = list(dict.fromkeys(p.snils for p in school.snapshot.persons if p.snils and is_valid_snils(p.snils)))
    assert len(numbers) >= 250
    return world_from_snapshot(esia_copy, extras), numbers[:250]


def lookup_for(url: str, *, sender: str = SENDER, **settings: Any) -> EsiaLookup:
    options = {"retries": 2, "backoff_max_s": 0.1, "timeout_s": 5.0, "connect_timeout_s": 1.0} | settings
    platform = EsiaSettings(base_url=url, **options)
    return build_esia_lookup(
        "esia",
        platform,
        signer=UnsignedSigner(),
        sender=sender,
        poll_first_s=0.1,
        poll_max_s=0.4,
        response_deadline_s=30,
    )


@pytest.fixture
def served(world_and_snils: tuple[SmevWorld, list[str]]) -> Iterator[tuple[SmevEmulator, str]]:
    world, _ = world_and_snils
    fresh = SmevWorld(persons=world.persons, settings=SmevSettings())  # tests may change the settings
    emulator = create_app(fresh, response_delay_s=0.2)
    with BackgroundServer(emulator.app) as server:
        yield emulator, server.base_url + ENDPOINT


async def test_250_snils_come_back_exactly_as_the_world_holds_them(
    served: tuple[SmevEmulator, str], world_and_snils: tuple[SmevWorld, list[str]]
) -> None:
    emulator, url = served
    world, numbers = world_and_snils
    lookup = lookup_for(url)
    try:
        result = await lookup.find_accounts(numbers)
    finally:
        lookup.close()

    expected = {n: [a["oid"] for a in world.accounts_with_snils(format_snils(n))] for n in numbers}
    assert result.errors == {}
    assert set(result.accounts) == set(numbers)
    for number in numbers:
        found = result.accounts[number]
        assert (found.oid if found else None) == (expected[number][0] if expected[number] else None)
        assert [a.oid for a in result.all_accounts[number]] == expected[number]
    assert any(a is None for a in result.accounts.values())  # the drift planted unknown СНИЛС
    deleted = {
        n for n in numbers if any(a.get("status") == "DELETED" for a in world.accounts_with_snils(format_snils(n)))
    }
    assert deleted
    assert {getattr(result.accounts[n], "status", None) for n in deleted} == {"DELETED"}

    assert emulator.exchange.counters["requests accepted"] == 3
    assert emulator.exchange.counters["acknowledged"] == 3
    assert emulator.exchange.queue_sizes() == {"waiting": 0, "available": 0}


async def test_a_used_up_quota_surfaces_as_rate_limited_after_the_retries(
    served: tuple[SmevEmulator, str], world_and_snils: tuple[SmevWorld, list[str]]
) -> None:
    emulator, url = served
    _, numbers = world_and_snils
    emulator.world.settings = SmevSettings(quota_requests=1, quota_interval_s=600)
    lookup = lookup_for(url, retries=2)
    try:
        with pytest.raises(RateLimited, match=r"\[esia\] СМЭВ fault QuoteLimitExceeded.*retry later"):
            await lookup.find_accounts(numbers[:150])  # two batches: the second is over the quota
    finally:
        lookup.close()
    assert emulator.stats.by_route[f"POST {ENDPOINT} SendRequest"] == 1 + 3


async def test_an_unknown_sender_is_an_auth_error(
    served: tuple[SmevEmulator, str], world_and_snils: tuple[SmevWorld, list[str]]
) -> None:
    _, url = served
    lookup = lookup_for(url, sender="STRANGER")
    try:
        with pytest.raises(AuthError, match=r"AccessDenied.*check the sender mnemonic") as caught:
            await lookup.find_accounts(world_and_snils[1][:3])
    finally:
        lookup.close()
    assert caught.value.url == url


async def test_an_endpoint_that_refuses_connections_is_platform_unavailable_naming_what_to_check() -> None:
    url = f"http://127.0.0.1:{free_port()}{ENDPOINT}"
    lookup = lookup_for(url, retries=1)
    try:
        with pytest.raises(PlatformUnavailable) as caught:
            await lookup.find_accounts(["112-233-445 95"])
    finally:
        lookup.close()
    message = str(caught.value)
    assert message.startswith("[esia] cannot connect")
    assert "check base_url, DNS, the network" in message
    assert url in message
