"""Fault injection shared by every emulator: the ways real platforms misbehave, on purpose.

One ASGI middleware sits in front of each emulator app. It counts requests by route, then, in order:
sleeps the configured latency; answers 429 + Retry-After when the token bucket is empty; answers 550
(maintenance) or a random 5xx at the configured rates; hangs past any sane client timeout; or lets the
request through and then truncates the body or replaces it with an HTML error page. Error bodies come
from the platform (each platform words its errors its own way), through `ErrorRenderer`.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from enum import StrEnum
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.routing import compile_path

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HTML_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


class FaultKind(StrEnum):
    RATE_LIMITED = "rate_limited"  # 429 + Retry-After
    SERVER_ERROR = "server_error"  # 500/502/503/504
    MAINTENANCE = "maintenance"  # 550, the platforms' "технические работы"


class FaultConfig(BaseModel):
    """What goes wrong, and how often. The defaults are a healthy platform."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: float = Field(default=0.0, ge=0)
    latency_jitter_ms: float = Field(default=0.0, ge=0)
    rate_limit_rps: float | None = Field(default=None, gt=0, description="token bucket refill rate")
    rate_limit_burst: int | None = Field(default=None, ge=1, description="bucket size; rps rounded up if unset")
    fail_rate: float = Field(default=0.0, ge=0, le=1, description="share of requests answered with a random 5xx")
    maintenance: bool = Field(default=False, description="answer every request with 550")
    maintenance_rate: float = Field(default=0.0, ge=0, le=1)
    hang_rate: float = Field(default=0.0, ge=0, le=1, description="share of requests that never answer in time")
    hang_s: float = Field(default=120.0, gt=0)
    truncate_rate: float = Field(default=0.0, ge=0, le=1, description="share of bodies cut in half")
    html_error_rate: float = Field(default=0.0, ge=0, le=1, description="share answered by an HTML 502 page")
    token_ttl_s: float | None = Field(default=None, gt=0, description="tokens expire this long after issue")
    seed: int | None = None
    exempt_paths: tuple[str, ...] = Field(
        default=("/_emulator",), description="path prefixes never faulted nor counted (control endpoints)"
    )
    down_paths: tuple[str, ...] = Field(
        default=(), description="path prefixes answered 503 every time: one service of the platform is down"
    )


ErrorRenderer = Callable[[FaultKind, int, float | None], tuple[int, dict[str, str], bytes]]
"""(kind, status, retry_after) -> (status, headers, body) in the platform's own error shape."""

RouteNamer = Callable[[Scope], str]


class TokenBucket:
    """Thread-safe token bucket; `take()` returns 0 when a token was taken, else seconds to wait."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = float(burst)
        self.clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    def take(self) -> float:
        with self._lock:
            now = self.clock()
            self._tokens = min(self.capacity, self._tokens + max(0.0, now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return 0.0
            return (1.0 - self._tokens) / self.rate


class RequestStats:
    """Requests by route template and by answer, for tests and benchmarks to assert on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_route: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()

    def count(self, route: str) -> None:
        with self._lock:
            self.by_route[route] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    @property
    def total(self) -> int:
        return sum(self.by_route.values())

    def reset(self) -> None:
        with self._lock:
            self.by_route.clear()
            self.faults.clear()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"total": self.total, "by_route": dict(self.by_route), "faults": dict(self.faults)}


def _default_route(scope: Scope) -> str:
    return f"{scope.get('method', '?')} {scope.get('path', '')}"


def route_templates(routers: Iterable[APIRouter], prefixes: Iterable[str] = ("",)) -> RouteNamer:
    """Names requests by route template (`GET /v2/edu-groups/{group}/persons`), not by concrete path.

    The templates are compiled from the routers themselves, not read back from the app: how FastAPI keeps
    included routers is internal and has changed between releases. First match wins, as in routing."""
    templates: list[tuple[re.Pattern[str], set[str], str]] = []
    for prefix in prefixes:
        for router in routers:
            for route in router.routes:
                if isinstance(route, APIRoute):
                    pattern, _, _ = compile_path(prefix + route.path)
                    templates.append((pattern, route.methods or set(), prefix + route.path))

    def name(scope: Scope) -> str:
        method, path = scope.get("method", "?"), scope.get("path", "")
        for pattern, methods, template in templates:
            if method in methods and pattern.match(path):
                return f"{method} {template}"
        return f"{method} {path}"

    return name


class FaultInjector:
    """ASGI middleware; `config` may be replaced at run time (tests switch faults on and off).

    `clock` refills the rate-limit bucket and `sleep` spends latency and hangs: tests pass ones they control."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        config: FaultConfig,
        render_error: ErrorRenderer,
        stats: RequestStats,
        route_name: RouteNamer = _default_route,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.app = app
        self.render_error = render_error
        self.stats = stats
        self.route_name = route_name
        self.clock = clock
        self.sleep = sleep
        self.configure(config)

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self._random = random.Random(config.seed)
        self._bucket = (
            TokenBucket(
                config.rate_limit_rps, config.rate_limit_burst or max(1, math.ceil(config.rate_limit_rps)), self.clock
            )
            if config.rate_limit_rps
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(self.config.exempt_paths):
            await self.app(scope, receive, send)
            return
        cfg = self.config
        self.stats.count(self.route_name(scope))
        if cfg.latency_ms or cfg.latency_jitter_ms:
            await self.sleep((cfg.latency_ms + self._random.uniform(0, cfg.latency_jitter_ms)) / 1000)
        if self._bucket is not None:
            wait = self._bucket.take()
            if wait > 0:
                self.stats.fault(FaultKind.RATE_LIMITED)
                await self._send_error(send, FaultKind.RATE_LIMITED, 429, max(1, math.ceil(wait)))
                return
        if cfg.down_paths and scope.get("path", "").startswith(cfg.down_paths):
            self.stats.fault(FaultKind.SERVER_ERROR)
            await self._send_error(send, FaultKind.SERVER_ERROR, 503, None)
            return
        if cfg.maintenance or self._chance(cfg.maintenance_rate):
            self.stats.fault(FaultKind.MAINTENANCE)
            await self._send_error(send, FaultKind.MAINTENANCE, 550, None)
            return
        if self._chance(cfg.fail_rate):
            self.stats.fault(FaultKind.SERVER_ERROR)
            await self._send_error(send, FaultKind.SERVER_ERROR, self._random.choice((500, 502, 503, 504)), None)
            return
        if self._chance(cfg.hang_rate):
            self.stats.fault("hang")
            await self.sleep(cfg.hang_s)
        if self._chance(cfg.html_error_rate):
            self.stats.fault("html_error")
            await _send_raw(send, 502, {"content-type": "text/html"}, HTML_ERROR_PAGE)
            return
        if self._chance(cfg.truncate_rate):
            self.stats.fault("truncated")
            await self.app(scope, receive, _truncating(send))
            return
        await self.app(scope, receive, send)

    def _chance(self, rate: float) -> bool:
        return rate > 0 and self._random.random() < rate

    async def _send_error(self, send: Send, kind: FaultKind, status: int, retry_after: float | None) -> None:
        status, headers, body = self.render_error(kind, status, retry_after)
        if retry_after is not None:
            headers = {**headers, "retry-after": str(int(retry_after))}
        await _send_raw(send, status, headers, body)


async def _send_raw(send: Send, status: int, headers: dict[str, str], body: bytes) -> None:
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw_headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def _truncating(send: Send) -> Send:
    """Passes the response on with its body cut in half but the headers unchanged."""
    chunks: list[bytes] = []
    start: Message = {}

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                body = b"".join(chunks)
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                cut = body[: len(body) // 2]
                headers.append((b"content-length", str(len(cut)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": cut})
            return
        await send(message)

    return wrapped
