"""The HTTP client tells the progress reporter of the context about every request and why and how long it waits
before a retry (issue 17, the terminal: «"retrying in N s after 429/timeout"»); with no reporter it says nothing."""

from __future__ import annotations

import re

import httpx

from edugateway.connectors.http import HttpPolicy, PlatformClient
from edugateway.errors import RateLimited
from edugateway.progress import reporting
from support.fake_clock import FakeClock

POLICY = HttpPolicy(rate_limit_rps=1000, retries=3, backoff_min_s=0.5, backoff_max_s=30, timeout_s=7)


class Recorder:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def stage(self, what: str, detail: str = "", *, step: int | None = None, steps: int | None = None) -> None:
        self.lines.append(f"stage {what}")

    def request(self, platform: str) -> None:
        self.lines.append(f"request {platform}")

    def retrying(self, platform: str, seconds: float, reason: str) -> None:
        self.lines.append(f"{platform}: retrying in {seconds:g} s after {reason}")


def _answers(*answers: httpx.Response | Exception) -> httpx.MockTransport:
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handler)


def _client(transport: httpx.MockTransport, clock: FakeClock) -> PlatformClient:
    return PlatformClient(
        "ecp",
        "http://ecp.test/api/",
        policy=POLICY,
        transport=transport,
        timer=clock,
        error_types={"limit": RateLimited},
    )


async def test_a_429_and_a_timeout_are_reported_with_the_wait() -> None:
    transport = _answers(
        httpx.Response(429, headers={"Retry-After": "12"}, json={"type": "limit"}),
        httpx.ReadTimeout("slow"),
        httpx.Response(200, json={"ok": True}),
    )
    clock = FakeClock()
    recorder = Recorder()
    with reporting(recorder):
        async with _client(transport, clock) as client:
            assert await client.get_json("schools") == {"ok": True}
    retries = [line for line in recorder.lines if "retrying" in line]
    assert retries[0] == "ecp: retrying in 12 s after 429"
    assert re.fullmatch(r"ecp: retrying in [\d.]+ s after timeout", retries[1])
    assert recorder.lines.count("request ecp") == 3


async def test_without_a_reporter_nothing_is_reported_and_the_call_succeeds() -> None:
    recorder = Recorder()
    transport = _answers(httpx.Response(503, text="busy"), httpx.Response(200, json={"ok": True}))
    with reporting(recorder), reporting(None):
        async with _client(transport, FakeClock()) as client:
            assert await client.get_json("schools") == {"ok": True}
    assert recorder.lines == []
