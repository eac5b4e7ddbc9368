"""Every fault kind of the shared fault layer, served over real HTTP on loopback, happens as configured."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from edugateway.emulators.faults import HTML_ERROR_PAGE, FaultConfig, FaultInjector, FaultKind, RequestStats
from edugateway.emulators.server import BackgroundServer
from support.fake_clock import FakeClock

PAYLOAD = {"items": [{"id": n, "name": f"запись {n}"} for n in range(50)]}


async def items(_: Request) -> JSONResponse:
    return JSONResponse(PAYLOAD)


async def control(_: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


def render(kind: FaultKind, status: int, retry_after: float | None) -> tuple[int, dict[str, str], bytes]:
    body = {"type": kind.value, "description": f"emulated {status}", "retryAfter": retry_after}
    return status, {"content-type": "application/json"}, json.dumps(body).encode()


@pytest.fixture
def clock() -> FakeClock:
    """The injector's clock and sleep: the rate-limit bucket refills and latency passes only as the test says."""
    return FakeClock()


@pytest.fixture
def served(clock: FakeClock) -> Iterator[tuple[FaultInjector, RequestStats, str]]:
    app = Starlette(routes=[Route("/items", items), Route("/_emulator/state", control)])
    stats = RequestStats()
    injector = FaultInjector(
        app, config=FaultConfig(), render_error=render, stats=stats, clock=clock.monotonic, sleep=clock.sleep
    )
    with BackgroundServer(injector) as server:
        yield injector, stats, server.base_url


def test_a_healthy_config_passes_everything_through_and_counts_by_route(served) -> None:  # type: ignore[no-untyped-def]
    _, stats, url = served
    for _ in range(3):
        assert httpx.get(f"{url}/items").json() == PAYLOAD
    httpx.get(f"{url}/_emulator/state")  # control endpoints are exempt: not counted, never faulted
    assert stats.by_route == {"GET /items": 3}
    assert stats.faults == {}


def test_latency_delays_every_answer(served, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    injector, _, url = served
    injector.configure(FaultConfig(latency_ms=300, latency_jitter_ms=50, seed=2))
    for _ in range(3):
        assert httpx.get(f"{url}/items").status_code == 200
    assert len(clock.sleeps) == 3  # every answer waited first
    assert all(0.3 <= s <= 0.35 for s in clock.sleeps), clock.sleeps


def test_rate_limit_answers_429_with_retry_after_once_the_bucket_is_empty(served, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    injector, stats, url = served
    injector.configure(FaultConfig(rate_limit_rps=0.5, rate_limit_burst=2))
    codes = [httpx.get(f"{url}/items") for _ in range(4)]
    assert [r.status_code for r in codes] == [200, 200, 429, 429]
    limited = codes[2]
    assert limited.headers["retry-after"] == "2"  # one token at 0.5 a second
    assert limited.json()["type"] == "rate_limited"
    assert stats.faults[FaultKind.RATE_LIMITED] == 2
    clock.advance(2)
    assert httpx.get(f"{url}/items").status_code == 200  # refilled as Retry-After said


def test_fail_rate_one_answers_a_5xx_in_the_platform_shape(served) -> None:  # type: ignore[no-untyped-def]
    injector, stats, url = served
    injector.configure(FaultConfig(fail_rate=1.0, seed=4))
    answers = [httpx.get(f"{url}/items") for _ in range(12)]
    assert {r.status_code for r in answers} <= {500, 502, 503, 504}
    assert all(r.json()["type"] == "server_error" for r in answers)
    assert stats.faults[FaultKind.SERVER_ERROR] == 12


def test_fail_rate_is_a_share_and_the_seed_makes_it_repeatable(served) -> None:  # type: ignore[no-untyped-def]
    injector, _, url = served
    runs = []
    with httpx.Client(base_url=url) as client:
        for _ in range(2):
            injector.configure(FaultConfig(fail_rate=0.3, seed=11))
            runs.append([client.get("/items").status_code for _ in range(100)])
    assert runs[0] == runs[1]
    failed = sum(code != 200 for code in runs[0])
    assert 15 <= failed <= 45


def test_maintenance_answers_550(served) -> None:  # type: ignore[no-untyped-def]
    injector, stats, url = served
    injector.configure(FaultConfig(maintenance=True))
    answer = httpx.get(f"{url}/items")
    assert answer.status_code == 550
    assert answer.json()["type"] == "maintenance"
    assert stats.faults[FaultKind.MAINTENANCE] == 1


def test_hang_outlasts_the_client_timeout(served) -> None:  # type: ignore[no-untyped-def]
    injector, stats, url = served
    released = threading.Event()
    asked: list[float] = []

    async def hold(seconds: float) -> None:
        """Holds the answer until the test has seen the client give up, however long that takes."""
        asked.append(seconds)
        while not released.is_set():
            await asyncio.sleep(0.01)

    injector.sleep = hold
    injector.configure(FaultConfig(hang_rate=1.0, hang_s=3))
    try:
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{url}/items", timeout=0.3)
    finally:
        released.set()
    assert asked == [3]
    assert stats.faults["hang"] == 1


def test_truncated_body_is_half_of_the_real_one_and_not_valid_json(served) -> None:  # type: ignore[no-untyped-def]
    injector, _, url = served
    whole = httpx.get(f"{url}/items").content
    injector.configure(FaultConfig(truncate_rate=1.0))
    cut = httpx.get(f"{url}/items")
    assert cut.status_code == 200
    assert cut.content == whole[: len(whole) // 2]
    with pytest.raises(json.JSONDecodeError):
        cut.json()


def test_html_error_pages_replace_the_json_answer(served) -> None:  # type: ignore[no-untyped-def]
    injector, _, url = served
    injector.configure(FaultConfig(html_error_rate=1.0))
    answer = httpx.get(f"{url}/items")
    assert answer.status_code == 502
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.content == HTML_ERROR_PAGE


def test_faults_switch_off_at_run_time(served) -> None:  # type: ignore[no-untyped-def]
    injector, _, url = served
    injector.configure(FaultConfig(maintenance=True))
    assert httpx.get(f"{url}/items").status_code == 550
    injector.configure(FaultConfig())
    assert httpx.get(f"{url}/items").status_code == 200
