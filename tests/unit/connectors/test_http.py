import asyncio

import httpx
import pytest

from edugateway.connectors.http import HttpPolicy, PlatformClient, error_for
from edugateway.errors import AuthError, PlatformRejected, PlatformUnavailable, RateLimited
from support.fake_clock import FakeClock

FAST = HttpPolicy(rate_limit_rps=1000, retries=3, backoff_min_s=0.001, backoff_max_s=0.01, breaker_failures=2)
DNEVNIK_TYPES = {"apiRequestLimit": RateLimited, "invalidToken": AuthError, "parameterInvalid": PlatformRejected}


def scripted(*responses: httpx.Response) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport answering with `responses` in order; it fails the test if asked once more."""
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if not queue:
            raise AssertionError(f"unexpected extra request {request.method} {request.url}")
        return queue.pop(0)

    return httpx.MockTransport(handler), seen


def client(transport: httpx.MockTransport, **kwargs: object) -> PlatformClient:
    return PlatformClient(
        "dnevnik", "http://dnevnik.test/v2/", policy=FAST, transport=transport, error_types=DNEVNIK_TYPES, **kwargs
    )  # type: ignore[arg-type]


async def test_rate_limit_is_retried_after_the_platform_says() -> None:
    transport, seen = scripted(
        httpx.Response(429, headers={"Retry-After": "0"}, json={"type": "apiRequestLimit", "description": "limit"}),
        httpx.Response(200, json={"ok": True}),
    )
    async with client(transport) as c:
        assert await c.get_json("schools") == {"ok": True}
    assert len(seen) == 2
    assert str(seen[0].url) == "http://dnevnik.test/v2/schools"


async def test_every_wait_goes_through_the_injected_timer_and_retry_after_is_waited_to_the_letter() -> None:
    transport, seen = scripted(
        httpx.Response(429, headers={"Retry-After": "0.005"}, json={"type": "apiRequestLimit", "description": "limit"}),
        httpx.Response(503, text="busy"),
        httpx.Response(200, json={"ok": True}),
    )
    clock = FakeClock()
    async with client(transport, timer=clock) as c:
        assert await c.get_json("schools") == {"ok": True}
    assert len(seen) == 3
    assert clock.sleeps[0] == 0.005  # the 429: waited as long as the platform said, to the letter
    assert len(clock.sleeps) >= 3  # then the emptied rate-limit bucket refilled, and the 503 was backed off
    assert max(clock.sleeps) <= FAST.backoff_max_s  # never longer than the policy allows
    assert clock.monotonic() >= 0.005 + 0.001 - 1e-9  # the bucket was empty for Retry-After and one more token


async def test_a_retry_after_longer_than_the_policy_waits_surfaces_at_once() -> None:
    transport, seen = scripted(
        httpx.Response(429, headers={"Retry-After": "120"}, json={"type": "apiRequestLimit", "description": "limit"})
    )
    async with client(transport) as c:
        with pytest.raises(RateLimited) as caught:
            await c.request("GET", "schools")
    assert caught.value.retry_after == 120
    assert len(seen) == 1  # not retried: the caller (a scheduled run) comes back later instead of sleeping


async def test_server_errors_are_retried_then_surface_as_unavailable() -> None:
    transport, seen = scripted(*[httpx.Response(503, text="busy") for _ in range(4)])
    async with client(transport) as c:
        with pytest.raises(PlatformUnavailable, match=r"\[dnevnik\] HTTP 503.*retry later.*dnevnik.test/v2/x"):
            await c.request("GET", "x")
    assert len(seen) == FAST.retries + 1


async def test_a_rejected_record_is_not_retried_and_names_the_error_type() -> None:
    transport, seen = scripted(httpx.Response(400, json={"type": "parameterInvalid", "description": "bad mark"}))
    async with client(transport) as c:
        with pytest.raises(PlatformRejected, match="parameterInvalid: bad mark"):
            await c.request("POST", "persons/1/works/2/mark", json={"value": "7"})
    assert len(seen) == 1


class CountingAuth:
    def __init__(self) -> None:
        self.token = "old"
        self.refreshes = 0

    async def apply(self, request: httpx.Request, client: PlatformClient) -> None:
        request.headers["Access-Token"] = self.token

    async def refresh(self, client: PlatformClient) -> None:
        self.refreshes += 1
        self.token = f"new{self.refreshes}"


async def test_one_reauthentication_after_401() -> None:
    transport, seen = scripted(
        httpx.Response(401, json={"type": "invalidToken", "description": "expired"}),
        httpx.Response(200, json=[1]),
    )
    auth = CountingAuth()
    async with client(transport, auth=auth) as c:
        assert await c.get_json("users/me") == [1]
    assert auth.refreshes == 1
    assert [r.headers["Access-Token"] for r in seen] == ["old", "new1"]


async def test_second_401_is_an_auth_error_not_a_loop() -> None:
    transport, seen = scripted(*[httpx.Response(401, json={"type": "invalidToken"}) for _ in range(2)])
    auth = CountingAuth()
    async with client(transport, auth=auth) as c:
        with pytest.raises(AuthError, match="check the credentials"):
            await c.request("GET", "users/me")
    assert auth.refreshes == 1
    assert len(seen) == 2


async def test_html_error_page_and_truncated_json_are_retryable_failures() -> None:
    page = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
    transport, seen = scripted(
        httpx.Response(502, text=page, headers={"content-type": "text/html"}),
        httpx.Response(200, text='{"id": 1, "na'),
        httpx.Response(200, json={"id": 1, "name": "x"}),
    )
    async with client(transport) as c:
        assert await c.get_json("schools/1") == {"id": 1, "name": "x"}
    assert len(seen) == 3
    error = error_for(httpx.Response(502, text=page, request=seen[0]), "dnevnik", {})
    assert isinstance(error, PlatformUnavailable)
    assert "HTML error page" in str(error)


async def test_breaker_opens_and_stops_calling() -> None:
    transport, seen = scripted(*[httpx.Response(500) for _ in range(2 * (FAST.retries + 1))])
    async with client(transport) as c:
        for _ in range(2):
            with pytest.raises(PlatformUnavailable):
                await c.request("GET", "x")
        with pytest.raises(PlatformUnavailable, match="circuit open"):
            await c.request("GET", "x")
    assert len(seen) == 2 * (FAST.retries + 1)


async def test_connection_refused_says_what_to_check() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    async with client(httpx.MockTransport(refuse)) as c:
        with pytest.raises(PlatformUnavailable, match=r"\[dnevnik\] cannot connect.*check base_url.*dnevnik.test"):
            await c.request("GET", "schools")


def test_platform_error_types_override_the_status() -> None:
    request = httpx.Request("GET", "http://x/")
    limited = error_for(
        httpx.Response(
            400, json={"type": "apiRequestLimit", "description": "x"}, headers={"Retry-After": "7"}, request=request
        ),
        "dnevnik",
        DNEVNIK_TYPES,
    )
    assert isinstance(limited, RateLimited)
    assert limited.retry_after == 7


async def test_concurrent_401s_renew_the_token_once() -> None:
    class CountingAuth:
        def __init__(self) -> None:
            self.token = "old"
            self.refreshes = 0

        async def apply(self, request: httpx.Request, client: PlatformClient) -> None:
            request.headers["Access-Token"] = self.token

        async def refresh(self, client: PlatformClient) -> None:
            await asyncio.sleep(0.01)
            self.refreshes += 1
            self.token = f"new{self.refreshes}"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers["Access-Token"] == "old":
            return httpx.Response(401, json={"type": "invalidToken", "description": "expired"})
        return httpx.Response(200, json={"ok": True})

    auth = CountingAuth()
    async with client(httpx.MockTransport(handler), auth=auth) as c:
        answers = await asyncio.gather(*(c.get_json(f"x/{n}") for n in range(4)))
    assert answers == [{"ok": True}] * 4
    assert auth.refreshes == 1
