"""A loopback HTTP server that records when each request arrives (wall clock, as the shared bucket uses) and from
which worker (the x-worker header); it may answer one request with 429 and a Retry-After."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Arrivals:
    times: list[tuple[float, str]] = field(default_factory=list)
    # Answer 429 to the first request of `limit_worker` once `limit_after` requests have arrived.
    limit_worker: str | None = None
    limit_after: int = 0
    retry_after_s: float = 2.0
    limited_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, worker: str) -> bool:
        """Records an arrival; True when it is the one to refuse."""
        with self.lock:
            now = time.time()
            self.times.append((now, worker))
            refuse = worker == self.limit_worker and self.limited_at is None and len(self.times) > self.limit_after
            if refuse:
                self.limited_at = now
            return refuse

    def timeline(self) -> str:
        """Arrivals in seconds from the first, with their worker: for a failing assertion's message."""
        start = min((t for t, _ in self.times), default=0.0)
        limited = f" 429@{self.limited_at - start:.3f}" if self.limited_at else ""
        return " ".join(f"{t - start:.3f}{w}" for t, w in sorted(self.times)) + limited

    def most_in_one_second(self) -> int:
        """The most arrivals in any window [t, t + 1 s) that starts at an arrival."""
        stamps = sorted(t for t, _ in self.times)
        return max((sum(1 for u in stamps[i:] if u < t + 1.0) for i, t in enumerate(stamps)), default=0)


@contextmanager
def arrival_server(arrivals: Arrivals) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if arrivals.record(self.headers.get("x-worker", "?")):
                body = b'{"type": "apiRequestLimit"}'
                self.send_response(429)
                self.send_header("Retry-After", f"{arrivals.retry_after_s:g}")
            else:
                body = b'{"ok": true}'
                self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
