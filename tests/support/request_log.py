"""ASGI middleware that records every request's method, path and query: how many pages a run asked for."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import parse_qsl


class RequestLog:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            query = dict(parse_qsl(scope.get("query_string", b"").decode()))
            self.requests.append((scope["method"], scope["path"], query))
        await self.app(scope, receive, send)

    def clear(self) -> None:
        self.requests.clear()

    def pages(self, path: str, *keys: str) -> Counter[tuple[str, ...]]:
        """How many times each combination of `keys` was asked of `path` (those requests that carry all)."""
        return Counter(
            tuple(q[k] for k in keys) for _, p, q in self.requests if p == path and all(k in q for k in keys)
        )
