"""The heartbeat that keeps a run's lease (store/job_leases.py) alive while the run goes on, and lets it go after."""

from __future__ import annotations

import threading
from types import TracebackType

from sqlalchemy.exc import OperationalError

from edugateway.logs import get_logger
from edugateway.store.job_leases import LeaseKey, LeaseStore

log = get_logger(__name__)


class Heartbeat:
    """Renews a held lease every third of its TTL until the block ends, then releases it.

    A renewal that finds the lease gone (this process stalled past the TTL and another daemon took over) is
    logged at error level: two runs may then overlap, and someone should look at why the process stalled."""

    def __init__(self, leases: LeaseStore, key: LeaseKey, holder: str) -> None:
        self.leases = leases
        self.key = key
        self.holder = holder
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{key.school}-{key.platform}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        if not self.lost:
            self.leases.release(self.key, self.holder)

    def _beat(self) -> None:
        interval = self.leases.ttl.total_seconds() / 3
        while not self._stop.wait(interval):
            try:
                if not self.leases.renew(self.key, self.holder):
                    self.lost = True
                    log.error(
                        "job.lease_lost",
                        school=self.key.school,
                        platform=self.key.platform,
                        holder=self.holder,
                        hint="the lease expired before a renewal and another daemon took it; runs may overlap",
                    )
                    return
            except OperationalError as exc:  # a busy or briefly unreachable database: try at the next beat
                log.warning(
                    "job.lease_renew_failed", school=self.key.school, platform=self.key.platform, error=str(exc)
                )
