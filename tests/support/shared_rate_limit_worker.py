"""One worker process of the shared-rate-limit tests and bench: sends GETs through the real `PlatformClient`, paced
by the limiter the configuration chooses for `[platforms.dnevnik]`, and prints what its limiter did.

    python shared_rate_limit_worker.py DATABASE_URL BASE_URL NAME REQUESTS RATE BURST [SCOPE]

It prints "ready", waits for a line on stdin (so that every process starts at once), sends REQUESTS requests from
two tasks (concurrency 2), then prints the limiter's database round trips as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys

from edugateway.config.settings import Settings
from edugateway.connectors.http import PlatformClient
from edugateway.connectors.policy import policy_for
from edugateway.connectors.shared_limits import platform_limiters


async def run(database_url: str, base_url: str, name: str, requests: int, rate: float, burst: int, scope: str) -> None:
    platform = {
        "kind": "dnevnik",
        "base_url": base_url,
        "client_id": "partner-app",
        "rate_limit_rps": rate,
        "rate_limit_burst": burst,
        "rate_limit_scope": scope,
        "max_concurrency": 2,
        "retries": 3,
        "backoff_max_s": 10,
    }
    settings = Settings(database_url=database_url, platforms={"dnevnik": platform})
    configured = settings.school_platform("dnevnik")
    limiters = platform_limiters(settings, "dnevnik", configured)
    limiter = limiters(base_url) if limiters else None
    async with PlatformClient(
        "dnevnik", base_url, policy=policy_for(configured), headers={"x-worker": name}, limiter=limiter
    ) as client:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        pending = iter(range(requests))

        async def sender() -> None:
            for i in pending:
                await client.request("GET", f"ping/{i}")

        await asyncio.gather(sender(), sender())
    print(json.dumps({"round_trips": getattr(client.limiter, "round_trips", 0)}), flush=True)


if __name__ == "__main__":
    url, base, who, count, per_second, at_once = sys.argv[1:7]
    asyncio.run(run(url, base, who, int(count), float(per_second), int(at_once), (sys.argv[7:] or ["shared"])[0]))
